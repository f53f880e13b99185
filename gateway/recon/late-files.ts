// The late-files watch (every 15 minutes): for the last week's trade days, which provider files the
// stores' tenders call for, which came, which readers the reconciler still waits for; what is past
// due and missing is kept in late_files (the calendar shows it), and what is newly late goes to
// finance's DingTalk group in one alert, written to the outbox in the same transaction.
import type { PgBoss } from 'pg-boss'
import { addDays, formatHkt, hktDate } from '../../connectors/_shared/time.ts'
import { SHARED_TENDER_METHODS } from '../../connectors/contract.ts'
import { lateFiles, type ExpectedFile, type LateFile } from '../../reconciler/late-files.ts'
import type { Config } from '../config.ts'
import type { Db, Sql } from '../db/pool.ts'
import { enqueue } from '../outbox/outbox.ts'
import type { LateFilesAlert } from '../sinks/alerts.ts'

const DAYS_BACK = 7
/** A shared method (card, FPS) calls for the acquirers the chain has had records of lately. */
const RECENT_DAYS = 30

export interface LateDeps { db: Db, boss: PgBoss, config: Pick<Config, 'recon' | 'forwarding'> }

/** Provider ids per tender method: its settlers, a shared method's narrowed to those declared or seen lately. */
async function settlersByMethod (sql: Sql, recon: Config['recon'], today: string): Promise<Map<string, string[]>> {
  const { rows } = await sql.query<{ provider: string }>('SELECT DISTINCT provider FROM payments WHERE business_date >= $1::date - $2::int', [today, RECENT_DAYS])
  const seen = new Set(rows.map(r => r.provider))
  const out = new Map<string, string[]>()
  for (const [id, rules] of Object.entries(recon.providers)) {
    for (const m of rules.tenderMethods) {
      const shared = SHARED_TENDER_METHODS.includes(m)
      if (shared && !(recon.tenderProviders?.[m] ? recon.tenderProviders[m].includes(id) : seen.has(id))) continue
      out.set(m, [...out.get(m) ?? [], id])
    }
  }
  return out
}

async function expectedFiles (sql: Sql, recon: Config['recon'], from: string, to: string): Promise<{ expected: ExpectedFile[], arrived: Set<string> }> {
  const settlers = await settlersByMethod(sql, recon, to)
  const { rows: tenders } = await sql.query<{ date: string, store_id: string, method: string }>(
    `SELECT DISTINCT s.business_date::text AS date, s.store_id, t.method FROM sales s JOIN sale_tenders t ON t.sale_pk = s.id
      WHERE s.business_date BETWEEN $1 AND $2`, [from, to])
  const expected: ExpectedFile[] = tenders.flatMap(t => (settlers.get(t.method) ?? []).map(provider => ({ date: t.date, provider, storeId: t.store_id, terminalId: null })))
  const { rows: came } = await sql.query<{ date: string, provider: string }>('SELECT DISTINCT business_date::text AS date, provider FROM payments WHERE business_date BETWEEN $1 AND $2', [from, to])
  // readers the standing reports still wait for (their provider's records are otherwise here)
  const late = Object.entries(recon.providers).filter(([, r]) => r.devicesUploadLate).map(([id]) => id)
  const { rows: readers } = await sql.query<{ date: string, provider: string, store_id: string, terminal_id: string | null }>(
    `SELECT DISTINCT d.business_date::text AS date, e->>'provider' AS provider, s.store_id, s.terminal_id
       FROM recon_days d JOIN recon_runs r ON r.id = d.run_id CROSS JOIN LATERAL jsonb_array_elements(r.report->'exceptions') e
       JOIN sales s ON s.sale_id = e->>'sale_id' AND s.store_id = e->>'store_id' AND s.business_date = d.business_date
      WHERE d.business_date BETWEEN $1 AND $2 AND e->>'code' = 'PENDING_SETTLEMENT' AND e->>'provider' = ANY($3::text[])`, [from, to, late])
  for (const r of readers) expected.push({ date: r.date, provider: r.provider, storeId: r.store_id, terminalId: r.terminal_id ?? '' })
  return { expected, arrived: new Set(came.map(c => `${c.date}|${c.provider}`)) }
}

/** Finds the late files, keeps them, closes those that came, and alerts finance once for the new ones. */
export async function watchLateFiles (deps: LateDeps, now = new Date()): Promise<{ late: LateFile[], alerted: number }> {
  const today = hktDate(now)
  const from = addDays(today, -DAYS_BACK)
  const to = addDays(today, -1)
  const { expected, arrived } = await expectedFiles(deps.db, deps.config.recon, from, to)
  const late = lateFiles(expected, arrived, deps.config.recon.fileDue ?? {}, now, deps.config.recon.holidays)
  const alerted = await deps.db.withTransaction(async c => {
    const rows = late.map(l => ({ d: l.date, p: l.provider, s: l.storeId, t: l.terminalId ?? '', due: l.dueAt.toISOString() }))
    await c.query(
      `UPDATE late_files SET arrived_at = now() WHERE arrived_at IS NULL AND business_date BETWEEN $1 AND $2
          AND (business_date, provider, store_id, terminal_id) NOT IN (SELECT x.d, x.p, x.s, x.t FROM jsonb_to_recordset($3::jsonb) AS x(d date, p text, s text, t text))`, [from, to, JSON.stringify(rows)])
    const { rows: fresh } = await c.query<{ business_date: string, provider: string, store_id: string, terminal_id: string, due_at: Date }>(
      `INSERT INTO late_files (business_date, provider, store_id, terminal_id, due_at) SELECT x.d, x.p, x.s, x.t, x.due FROM jsonb_to_recordset($1::jsonb) AS x(d date, p text, s text, t text, due timestamptz)
       ON CONFLICT DO NOTHING RETURNING business_date::text, provider, store_id, terminal_id, due_at`, [JSON.stringify(rows)])
    const targets = deps.config.forwarding.alerts.mismatch
    if (fresh.length && targets.length) {
      const alert: LateFilesAlert = {
        kind: 'late_files',
        items: fresh.sort((a, b) => a.business_date < b.business_date ? -1 : a.business_date > b.business_date ? 1 : a.provider < b.provider ? -1 : 1)
          .map(f => ({ business_date: f.business_date, provider: f.provider, store_id: f.store_id, terminal_id: f.terminal_id || null, due_at: `${formatHkt(f.due_at).slice(0, 16)} HKT` })),
        url: `${deps.config.forwarding.publicUrl.replace(/\/$/, '')}/calendar?month=${fresh[0].business_date.slice(0, 7)}`
      }
      await enqueue(c, deps.boss, targets.map(sink => ({ sink, topic: 'alert', key: `late-files:${now.toISOString()}`, payload: alert })))
    }
    return fresh.length
  })
  return { late, alerted }
}

/** The store-days with files still late: `date|store` → the providers (and readers) missing. */
export async function lateByStoreDay (sql: Sql, from: string, to: string): Promise<Map<string, string[]>> {
  const { rows } = await sql.query<{ date: string, store_id: string, provider: string, terminal_id: string }>(
    `SELECT business_date::text AS date, store_id, provider, terminal_id FROM late_files WHERE arrived_at IS NULL AND business_date BETWEEN $1 AND $2 ORDER BY provider, terminal_id`, [from, to])
  const out = new Map<string, string[]>()
  for (const r of rows) {
    const k = `${r.date}|${r.store_id}`
    out.set(k, [...out.get(k) ?? [], r.terminal_id ? `${r.provider}:${r.terminal_id}` : r.provider])
  }
  return out
}
