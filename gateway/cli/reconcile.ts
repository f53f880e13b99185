// `recon reconcile`: files in, report out, no server. Exceptions are data (exit 0); unreadable input is
// an error (exit 1) with the file, line and reason.
import { createWriteStream, statSync } from 'node:fs'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { hktDate } from '../../connectors/_shared/time.ts'
import { reconcileInStages } from '../../reconciler/reconcile.ts'
import { forStore, type DayReport } from '../../reconciler/report.ts'
import type { ReconReport } from '../../reconciler/types.ts'
import type { Config } from '../config.ts'
import { exceptionsCsv } from '../recon/csv.ts'
import { openOfflineInput, type OfflineFiles, type Progress } from '../recon/files.ts'
import { writeReportJson } from '../recon/report-json.ts'

type ReconcileConfig = Pick<Config, 'stores' | 'recon' | 'connectors' | 'limits'>

/** `summary`: the report without the per-match list and the verified movement ids (exceptions and totals only). */
export interface ReconcileArgs { pos: string[], settlements: string[], movements?: string, bank?: string[], date: string, store?: string, format: 'json' | 'csv', out?: string, asOf?: string, summary?: boolean }

/** A clerk's report: every exception and total, without a line per matched tender or verified movement. */
function summaryOf (r: ReconReport): ReconReport {
  return { ...r, matches: undefined as never, verified_movements: undefined as never }
}

/**
 * The day's report from its files, with its detail: the per-match list and verified movement ids are
 * not built into the report but streamed from the matching's own state as they are written (a chain
 * day's 700k matches and 1.7M ids were some 200 MB of objects, sorted and held at once).
 */
async function reconcileFiles (files: OfflineFiles, date: string, asOf: string, config: ReconcileConfig, progress: Progress): Promise<DayReport> {
  const { input, movements } = await openOfflineInput(files, date, asOf, config, progress)
  try {
    const stages = reconcileInStages(input, { summary: true })
    for (let at = stages.next(); ; at = stages.next()) {
      if (at.done) return at.value
      progress(`matching: ${at.value}`)
      // read on a thread while the records were matched; the stock is judged from here on
      if (at.value === 'exceptions') await movements?.attach()
    }
  } finally {
    await movements?.stop()
  }
}

export async function runReconcile (config: ReconcileConfig, args: ReconcileArgs, log: (m: string) => void = m => process.stderr.write(m + '\n')): Promise<void> {
  const started = Date.now()
  // seconds since the start and resident memory, so a benchmark can split the run into its phases
  const progress = (m: string): void => log(`[${((Date.now() - started) / 1000).toFixed(1)}s ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MB] ${m}`)
  const asOf = args.asOf ?? hktDate(new Date())
  // a summary or the exceptions' CSV has no per-match list (the report's own lists are never built: below, they are streamed)
  const summary = args.summary === true || args.format === 'csv'
  let { report, detail } = await reconcileFiles({ pos: args.pos, settlements: args.settlements, movements: args.movements, bank: args.bank }, args.date, asOf, config, progress)
  if (args.store) { report = forStore(report, args.store); detail = detail.forStores([args.store]) }
  progress(`done: ${summary ? 'summary' : `${detail.matchCount.toLocaleString('en')} matches`}, ${report.exceptions.length.toLocaleString('en')} exceptions`)
  const out = args.out ? createWriteStream(args.out) : process.stdout
  if (args.format === 'csv') { if (!out.write(exceptionsCsv(report))) await once(out, 'drain') } else await writeReportJson(summary ? summaryOf(report) : report, out, summary ? undefined : detail)
  if (out !== process.stdout) { out.end(); await finished(out) }
  // a chain day's report is some 200 MB: its writing is a phase of its own
  progress(`report written${args.out ? `: ${(statSync(args.out).size / 2 ** 20).toFixed(1)} MB` : ''}`)
}
