// The offline reconciliation's input, read straight from files: canonical POS events (NDJSON),
// settlement files in any supported layout, and optionally the POS's stock movements (NDJSON).
// Anything unreadable stops the run with the file, line and reason; nothing is skipped silently.
import { createReadStream } from 'node:fs'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import type { BatchTotal, LineIssue, PosEvent } from '../../connectors/contract.ts'
import { InputError } from '../../connectors/errors.ts'
import { normalizeCanonical } from '../../connectors/pos-canonical/normalize.ts'
import { builtInConnectors } from '../../connectors/index.ts'
import { probeFile, readSettlementFile } from '../../connectors/_shared/settlement-reader.ts'
import { compareBatches, sumBatches } from '../../reconciler/batches.ts'
import type { ReconInput, ReconMovement, ReconPayment } from '../../reconciler/types.ts'
import { storeResolver, type Config } from '../config.ts'
import { dayRules, paymentFromRecord, salesFromEvents, type DayRules } from './convert.ts'

export interface OfflineFiles { pos: string[], settlements: string[], movements?: string }
export type Progress = (message: string) => void

const MAX_ISSUES = 50

async function * ndjson (path: string): AsyncGenerator<[unknown, number]> {
  let line = 0
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++
    if (text.trim() === '') continue
    let value: unknown
    try { value = JSON.parse(text) } catch { throw new InputError('INVALID_ROWS', `${basename(path)} line ${line}: not JSON`, [{ line, message: 'not JSON' }]) }
    yield [value, line]
  }
}

async function readEvents (paths: string[], config: Pick<Config, 'stores'>, progress: Progress): Promise<PosEvent[]> {
  const resolve = storeResolver(config, 'pos-canonical')
  const events: PosEvent[] = []
  const issues: LineIssue[] = []
  for (const path of paths) {
    for await (const [value, line] of ndjson(path)) {
      try {
        events.push(normalizeCanonical(value as never, { resolveStore: resolve }, line))
      } catch (err) {
        if (!(err instanceof InputError)) throw err
        issues.push(...err.issues.map(i => ({ ...i, message: `${basename(path)}: ${i.message}` })))
        if (issues.length >= MAX_ISSUES) break
      }
      if (events.length % 200_000 === 0) progress(`POS events: ${events.length.toLocaleString('en')} read`)
    }
  }
  if (issues.length) throw new InputError('INVALID_ROWS', `invalid POS events (${issues.length}${issues.length >= MAX_ISSUES ? '+' : ''})`, issues)
  return events
}

async function readSettlements (paths: string[], config: Pick<Config, 'octopusProfiles' | 'limits'>, rules: DayRules, progress: Progress) {
  const connectors = [...builtInConnectors(config.octopusProfiles).settlement.values()]
  const payments: ReconPayment[] = []
  const batches: BatchTotal[] = []
  for (const path of paths) {
    const name = basename(path)
    let fileKind: 'settlement' | 'transaction' = 'settlement'
    const from = payments.length
    const read = await readSettlementFile(path, connectors, await probeFile(path, config.limits.uploadBytes), {
      filename: name,
      onLayout: d => { fileKind = d.fileKind === 'transaction' ? 'transaction' : 'settlement' },
      onRecord: r => { payments.push(paymentFromRecord(r, `${name}:${r.lineNo}`, fileKind, rules)) },
      onBatch: b => { batches.push(b) }
    })
    if (read.issueCount) throw new InputError('INVALID_ROWS', `${name}: ${read.issueCount} bad line(s)`, read.issues.slice(0, MAX_ISSUES).map(i => ({ ...i, message: `${name}: ${i.message}` })))
    if (read.fileKind === 'transaction') for (let i = from; i < payments.length; i++) payments[i].fileKind = 'transaction'
    progress(`${name}: ${read.provider} ${read.layout}, ${read.records.toLocaleString('en')} records`)
  }
  return { payments, findings: compareBatches(batches, sumBatches(payments)) }
}

async function readMovements (path: string): Promise<ReconMovement[]> {
  const out: ReconMovement[] = []
  for await (const [v, line] of ndjson(path)) {
    const m = v as { sale_id?: unknown, line?: unknown, sku?: unknown, location_id?: unknown, qty?: unknown, vendor?: unknown }
    if (typeof m.sale_id !== 'string' || typeof m.line !== 'number' || typeof m.sku !== 'string' || typeof m.qty !== 'number') {
      throw new InputError('INVALID_ROWS', `${basename(path)} line ${line}: a movement needs sale_id, line, sku and qty`, [{ line, message: 'a movement needs sale_id, line, sku and qty' }])
    }
    out.push({ saleKey: `${typeof m.vendor === 'string' ? m.vendor : 'pos-canonical'}:${m.sale_id}`, lineNo: m.line, sku: m.sku, locationId: String(m.location_id ?? ''), qty: m.qty })
  }
  return out
}

export async function loadOfflineInput (files: OfflineFiles, date: string, asOf: string, config: Pick<Config, 'stores' | 'recon' | 'octopusProfiles' | 'limits'>, progress: Progress = () => {}): Promise<ReconInput> {
  const rules = dayRules(config)
  const events = await readEvents(files.pos, config, progress)
  const sales = salesFromEvents(events, rules.cutoff)
  progress(`POS: ${events.length.toLocaleString('en')} events, ${sales.length.toLocaleString('en')} sales and refunds`)
  const { payments, findings } = await readSettlements(files.settlements, config, rules, progress)
  const movements = files.movements ? await readMovements(files.movements) : undefined
  return { date, sales, payments, movements, batchFindings: findings, settings: { ...config.recon, asOf } }
}
