// `recon reconcile`: files in, report out, no server. Exceptions are data (exit 0); unreadable input is
// an error (exit 1) with the file, line and reason.
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { hktDate } from '../../connectors/_shared/time.ts'
import { reconcile } from '../../reconciler/reconcile.ts'
import { forStore } from '../../reconciler/report.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import type { Config } from '../config.ts'
import { exceptionsCsv } from '../recon/csv.ts'
import { loadOfflineInput } from '../recon/files.ts'
import { writeReportJson } from '../recon/report-json.ts'

export interface ReconcileArgs { pos: string[], settlements: string[], movements?: string, bank?: string[], date: string, store?: string, format: 'json' | 'csv', out?: string, asOf?: string }

export async function runReconcile (config: Pick<Config, 'stores' | 'recon' | 'connectors' | 'limits'>, args: ReconcileArgs, log: (m: string) => void = m => process.stderr.write(m + '\n')): Promise<ReconReport> {
  const started = Date.now()
  const progress = (m: string): void => log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`)
  const asOf = args.asOf ?? hktDate(new Date())
  // the input is not kept once matched: a 1M-sale day's sales and records are freed before the report is written
  let report = reconcile(await loadOfflineInput({ pos: args.pos, settlements: args.settlements, movements: args.movements, bank: args.bank }, args.date, asOf, config, progress))
  if (args.store) report = forStore(report, args.store)
  progress(`done: ${report.matches.length.toLocaleString('en')} matches, ${report.exceptions.length.toLocaleString('en')} exceptions`)
  const out = args.out ? createWriteStream(args.out) : process.stdout
  if (args.format === 'csv') { if (!out.write(exceptionsCsv(report))) await once(out, 'drain') } else await writeReportJson(report, out)
  if (out !== process.stdout) { out.end(); await finished(out) }
  return report
}
