// When a run changes a day's report and something needs acting on, finance's DingTalk group gets one
// digest: the count per exception code and the five largest amounts, with a link to the report.
// Written to the outbox in the run's own transaction: a run that rolls back alerts no one.
import type { PgBoss } from 'pg-boss'
import type { ReconReport } from '../../reconciler/types.ts'
import type { ForwardingConfig } from '../config-forwarding.ts'
import type { Sql } from '../db/pool.ts'
import type { MismatchAlert } from '../sinks/alerts.ts'
import { enqueue } from '../outbox/outbox.ts'

const amountOf = (e: ReconReport['exceptions'][number]): number => Math.max(Math.abs(e.expected ?? 0), Math.abs(e.actual ?? 0))

export function mismatchAlert (report: ReconReport, publicUrl: string): MismatchAlert | null {
  const open = report.exceptions.filter(e => e.code !== 'PENDING_SETTLEMENT')
  if (open.length === 0) return null
  const counts: Record<string, number> = {}
  for (const e of report.exceptions) counts[e.code] = (counts[e.code] ?? 0) + 1
  const top = [...open].sort((a, b) => amountOf(b) - amountOf(a)).slice(0, 5)
    .map(e => ({ code: e.code, store_id: e.store_id, sale_id: e.sale_id, reference: e.reference ?? null, amount: amountOf(e), detail: e.detail }))
  return { kind: 'mismatch', business_date: report.business_date, counts, top, url: `${publicUrl.replace(/\/$/, '')}/v1/reconciliations/${report.business_date}` }
}

export async function notifyMismatch (sql: Sql, boss: PgBoss, f: Pick<ForwardingConfig, 'alerts' | 'publicUrl'>, report: ReconReport, runId: number): Promise<void> {
  const targets = f.alerts.mismatch
  const alert = targets.length ? mismatchAlert(report, f.publicUrl) : null
  if (!alert) return
  await enqueue(sql, boss, targets.map(sink => ({ sink, topic: 'alert', key: `mismatch:${report.business_date}:${runId}`, payload: alert })))
}
