// Reading settlement files for the offline run: every file in any supported layout, each record
// turned into the reconciler's form with its store and business day. Runs on its own thread beside the
// POS events (settlement-thread.ts).
import { basename } from 'node:path'
import type { BatchTotal } from '../../connectors/contract.ts'
import { InputError } from '../../connectors/errors.ts'
import type { Registry } from '../../connectors/registry.ts'
import { probeFile, readSettlementFile } from '../../connectors/_shared/settlement-reader.ts'
import { compareBatches, sumBatches } from '../../reconciler/batches.ts'
import type { BatchFinding, ReconPayment } from '../../reconciler/types.ts'
import type { Config } from '../config.ts'
import { paymentFromRecord, type DayRules } from './convert.ts'

export const MAX_ISSUES = 50

export interface SettlementsRead { payments: ReconPayment[], batches: BatchTotal[], findings: BatchFinding[] }

export async function readSettlements (paths: string[], config: Pick<Config, 'limits'>, registry: Registry, rules: DayRules, progress: (message: string) => void): Promise<SettlementsRead> {
  const connectors = [...registry.settlement.values()]
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
  return { payments, batches, findings: compareBatches(batches, sumBatches(payments, batches)) }
}

