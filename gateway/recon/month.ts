// The owner's month: per store what the tills took (per tender), what the providers kept as fees
// (and the rate that is of what they settled), the open exceptions and their signed amount, and how
// many of its days are closed; read from the standing reports of the month's days, only the parts
// needed (never a whole report: a large day's matches stay in the database).
import type { ExceptionCode } from '../../reconciler/types.ts'
import type { Db } from '../db/pool.ts'

export interface MonthStore {
  store_id: string
  sales: number
  /** Per tender method, signed (refunds count against). */
  tenders: Record<string, number>
  /** Per provider: settled gross and its fees. */
  fees: Record<string, { gross: number, fee: number }>
  open: { count: number, amount: number }
  /** Days reconciled with data for the store, and those of them balanced (nothing open). */
  days: number
  closed: number
  /** Per day of the month: what the tills took (all tenders). */
  daily: Record<string, number>
}

interface StoreRow { date: string, store_id: string, sales: number, status: string, tenders: Record<string, number> | null, settled: Record<string, { gross: number, fee: number }> | null }
interface OpenRow { store_id: string | null, code: ExceptionCode, expected: number | null, actual: number | null }

/** The money an open exception is about, signed as it moves the shop's money (the page's amountOf). */
export type SignedAmount = (e: OpenRow) => number | null

export function monthSummary (stores: readonly StoreRow[], open: readonly OpenRow[], amountOf: SignedAmount, unassigned: string): MonthStore[] {
  const out = new Map<string, MonthStore>()
  const of = (id: string): MonthStore => {
    let s = out.get(id)
    if (!s) { s = { store_id: id, sales: 0, tenders: {}, fees: {}, open: { count: 0, amount: 0 }, days: 0, closed: 0, daily: {} }; out.set(id, s) }
    return s
  }
  for (const r of stores) {
    const s = of(r.store_id)
    s.sales += r.sales
    s.days++
    if (r.status === 'balanced') s.closed++
    for (const [m, v] of Object.entries(r.tenders ?? {})) {
      s.tenders[m] = (s.tenders[m] ?? 0) + v
      s.daily[r.date] = (s.daily[r.date] ?? 0) + v
    }
    for (const [p, v] of Object.entries(r.settled ?? {})) {
      const f = s.fees[p] ??= { gross: 0, fee: 0 }
      f.gross += v.gross
      f.fee += v.fee
    }
  }
  for (const e of open) {
    const s = of(e.store_id ?? unassigned)
    s.open.count++
    s.open.amount += amountOf(e) ?? 0
  }
  return [...out.values()].sort((a, b) => a.store_id < b.store_id ? -1 : 1)
}

export async function monthData (db: Db, from: string, to: string, stores: readonly string[] | null): Promise<{ stores: StoreRow[], open: OpenRow[] }> {
  const { rows: storeRows } = await db.query<StoreRow>(
    `SELECT d.business_date::text AS date, s->>'store_id' AS store_id, (s->>'sales')::int AS sales, s->>'status' AS status, s->'tenders' AS tenders, s->'settled' AS settled
       FROM recon_days d JOIN recon_runs r ON r.id = d.run_id CROSS JOIN LATERAL jsonb_array_elements(r.report->'stores') s
      WHERE d.business_date BETWEEN $1 AND $2 AND ($3::text[] IS NULL OR s->>'store_id' = ANY($3::text[]))`, [from, to, stores])
  const { rows: open } = await db.query<OpenRow>(
    `SELECT e.store_id, e.code, (e.body->>'expected')::bigint::float8 AS expected, (e.body->>'actual')::bigint::float8 AS actual
       FROM recon_exceptions e
      WHERE e.business_date BETWEEN $1 AND $2 AND e.cleared_run_id IS NULL
        AND e.code <> 'PENDING_SETTLEMENT' AND ($3::text[] IS NULL OR e.store_id = ANY($3::text[]))`, [from, to, stores])
  return { stores: storeRows, open }
}
