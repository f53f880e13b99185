// The offline reconciliation's input, read straight from files: canonical POS events (NDJSON),
// settlement files in any supported layout, and optionally the POS's stock movements (NDJSON) and the
// bank's statements (MT940, camt.053, a business-banking export) to follow the payouts to the bank.
// Anything unreadable stops the run with the file, line and reason; nothing is skipped silently.
import { basename } from 'node:path'
import type { BatchTotal, LineIssue } from '../../connectors/contract.ts'
import { InputError } from '../../connectors/errors.ts'
import { normalizeCanonical } from '../../connectors/pos-canonical/normalize.ts'
import type { Registry } from '../../connectors/registry.ts'
import { probeFile } from '../../connectors/_shared/settlement-reader.ts'
import type { PayoutInput, ReconInput, ReconPayment, ReconSale } from '../../reconciler/types.ts'
import { payoutRecordsOf } from '../../reconciler/payout-build.ts'
import type { Deposit } from '../../reconciler/payouts.ts'
import { parseStatementFile, statementText } from '../../connectors/bank/read.ts'
import { hktDate } from '../../connectors/_shared/time.ts'
import { registryOf, storeResolver, type Config } from '../config.ts'
import { dayRules, SaleCollector, saleIn, type DayRules } from './convert.ts'
import { eachJsonLine } from './lines.ts'
import { attachMovements, readMovementsAlongside } from './movement-thread.ts'
import { MAX_ISSUES } from './read-settlements.ts'
import { readSettlementsAlongside } from './settlement-thread.ts'

/** `bank`: statements of the accounts the providers pay into (payouts are judged when given). */
export interface OfflineFiles { pos: string[], settlements: string[], movements?: string, bank?: string[] }
export type Progress = (message: string) => void

async function readSales (paths: string[], config: Pick<Config, 'stores'>, registry: Registry, rules: DayRules, progress: Progress): Promise<SaleCollector> {
  const resolve = storeResolver(config, 'pos-canonical')
  const sales = new SaleCollector(rules.cutoff)
  const issues: LineIssue[] = []
  for (const path of paths) {
    await eachJsonLine(path, (value, line) => {
      if (issues.length >= MAX_ISSUES) return
      try {
        sales.add(normalizeCanonical(value as never, { resolveStore: resolve, tenderMethods: registry.tenderMethods }, line))
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        issues.push(...err.issues.map(i => ({ ...i, message: `${basename(path)}: ${i.message}` })))
      }
      if (sales.events % 250_000 === 0) progress(`POS events: ${sales.events.toLocaleString('en')} read`)
    })
  }
  if (issues.length) throw new InputError('INVALID_ROWS', `invalid POS events (${issues.length}${issues.length >= MAX_ISSUES ? '+' : ''})`, issues)
  return sales
}

/** The providers' payouts and the statements' HKD credits, as the gateway reads them from its tables. */
async function readPayouts (paths: string[], payments: readonly ReconPayment[], batches: readonly BatchTotal[], config: Pick<Config, 'limits'>, progress: Progress): Promise<PayoutInput> {
  const deposits: Deposit[] = []
  let through: string | null = null
  const later = (a: string | null, b: string | null): string | null => a === null || (b !== null && b > a) ? b : a
  for (const path of paths) {
    const name = basename(path)
    const { format, statements } = parseStatementFile(await statementText(path, (await probeFile(path, config.limits.uploadBytes)).bytes))
    for (const s of statements) {
      through = later(through, s.closing?.date ?? null)
      for (const e of s.entries) {
        through = later(through, e.valueDate)
        if (e.amount > 0 && e.currency === 'HKD') deposits.push({ id: `${name}:${e.lineNo}`, account: s.account, valueDate: e.valueDate, amount: e.amount, text: [e.customerRef, e.bankRef, e.narrative].filter(Boolean).join(' ') })
      }
    }
    progress(`${name}: ${format}, ${statements.reduce((n, s) => n + s.entries.length, 0).toLocaleString('en')} bank entries`)
  }
  // a batch stated twice: the later statement stands, as the gateway takes the latest import
  const stated = new Map(batches.map(b => [`${b.provider}|${b.batchId}`, b]))
  return {
    records: payoutRecordsOf(payments),
    stated: [...stated.values()].map(b => ({ provider: b.provider, batchId: b.batchId, net: b.net, settledOn: b.settledAt ? hktDate(b.settledAt) : null, covers: b.covers ?? null })),
    deposits,
    bankThrough: through
  }
}

/**
 * The day's input, its stock movements perhaps still being read: `movements.attach()` gives every sale
 * its own (call it before the stock is judged; reconcileInStages says when), `stop()` ends the read
 * when the run fails first.
 */
export interface OpenedInput { input: ReconInput, movements: { attach: () => Promise<void>, stop: () => Promise<void> } | null }

/**
 * Reads the day's files. The settlement files are read on a thread of their own while this one reads
 * the POS events. The stock movements are read on another once the POS events are in: read alongside
 * them, that thread took a share of both cores while they were busy (a chain day's POS events and
 * records came 2.5 s later), and the matching leaves a core free.
 */
export async function openOfflineInput (files: OfflineFiles, date: string, asOf: string, config: Pick<Config, 'stores' | 'recon' | 'connectors' | 'limits'>, progress: Progress = () => {}): Promise<OpenedInput> {
  const rules = dayRules(config)
  const registry = registryOf(config)
  const settlementThread = files.settlements.length ? readSettlementsAlongside(files.settlements, config) : null
  let sales: ReconSale[]
  let inFileOrder: ReconSale[]
  try {
    const collector = await readSales(files.pos, config, registry, rules, progress)
    ;({ byKey: sales, inFileOrder } = collector.finish())
    progress(`POS: ${collector.events.toLocaleString('en')} events, ${sales.length.toLocaleString('en')} sales and refunds`)
  } catch (err) {
    await settlementThread?.stop()
    throw err
  }
  // the stock movements are needed once the records are matched: read meanwhile, on the core the matching leaves free
  const movementThread = files.movements ? readMovementsAlongside(files.movements) : null
  let input: ReconInput
  try {
    const { payments, batches, findings } = settlementThread ? await settlementThread.result(progress) : { payments: [], batches: [], findings: [] }
    const payouts = files.bank?.length ? await readPayouts(files.bank, payments, batches, config, progress) : undefined
    input = { date, sales, payments, batchFindings: findings, settings: { ...config.recon, asOf }, ...payouts ? { payouts } : {} }
  } catch (err) {
    await movementThread?.stop()
    throw err
  }
  progress('matching')
  if (!movementThread) return { input, movements: null }
  const attach = async (): Promise<void> => {
    const movements = await movementThread.result(progress)
    const elsewhere = attachMovements(movements, (vendor, saleId) => saleIn(sales, vendor, saleId), inFileOrder)
    inFileOrder = []
    progress(`${basename(files.movements!)}: ${movements.read.toLocaleString('en')} stock movements${elsewhere ? `, ${elsewhere.toLocaleString('en')} of sales not in the POS files` : ''}`)
  }
  return { input, movements: { attach, stop: movementThread.stop } }
}

/** The day's input, read in full. */
export async function loadOfflineInput (files: OfflineFiles, date: string, asOf: string, config: Pick<Config, 'stores' | 'recon' | 'connectors' | 'limits'>, progress: Progress = () => {}): Promise<ReconInput> {
  const { input, movements } = await openOfflineInput(files, date, asOf, config, progress)
  await movements?.attach()
  return input
}
