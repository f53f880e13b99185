// `recon reconcile`: files in, report out, no server. Exceptions are data (exit 0); unreadable input is
// an error (exit 1) with the file, line and reason.
import { writeFile } from 'node:fs/promises'
import { hktDate } from '../../connectors/_shared/time.ts'
import { reconcile } from '../../reconciler/reconcile.ts'
import { forStore } from '../../reconciler/report.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import type { Config } from '../config.ts'
import { exceptionsCsv } from '../recon/csv.ts'
import { loadOfflineInput } from '../recon/files.ts'

export interface ReconcileArgs { pos: string[], settlements: string[], movements?: string, date: string, store?: string, format: 'json' | 'csv', out?: string, asOf?: string }

export async function runReconcile (config: Pick<Config, 'stores' | 'recon' | 'octopusProfiles' | 'limits'>, args: ReconcileArgs, log: (m: string) => void = m => process.stderr.write(m + '\n')): Promise<ReconReport> {
  const started = Date.now()
  const progress = (m: string): void => log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`)
  const asOf = args.asOf ?? hktDate(new Date())
  const input = await loadOfflineInput({ pos: args.pos, settlements: args.settlements, movements: args.movements }, args.date, asOf, config, progress)
  progress('matching')
  let report = reconcile(input)
  if (args.store) report = forStore(report, args.store)
  progress(`done: ${report.matches.length.toLocaleString('en')} matches, ${report.exceptions.length.toLocaleString('en')} exceptions`)
  const text = args.format === 'csv' ? exceptionsCsv(report) : JSON.stringify(report, null, 2) + '\n'
  if (args.out) await writeFile(args.out, text)
  else process.stdout.write(text)
  return report
}
