// The reconciler's input for one business day, read from PostgreSQL (the offline CLI reads the same
// shape from files). Neighbouring days are loaded too, so that a sale at 23:59 paid at 00:01 is
// matched, never reported as missing on one day and unexpected on the next; only the day itself is
// reported.
import type { PaymentType, Provider, TenderMethod } from '../../connectors/contract.ts'
import { compareBatches, type BatchAmounts, type StatedBatch } from '../../reconciler/batches.ts'
import type { BatchFinding, ManualLink, MatchReview, ReconInput, ReconLine, ReconMovement, ReconPayment, ReconSale, ReconSettings, ReconTender, Resolution } from '../../reconciler/types.ts'
import type { Sql } from '../db/pool.ts'
import { CARD_CONTEXT, type PiiCipher } from '../crypto.ts'
import { loadPayoutInput } from './load-payouts.ts'
import { PLACE, type Placed } from '../../reconciler/index-payments.ts'

/** Batches span a few days; their rows are summed over this many days either side. */
const BATCH_WINDOW_DAYS = 14

function groupBy<T> (rows: T[], key: (r: T) => number): Map<number, T[]> {
  const m = new Map<number, T[]>()
  for (const r of rows) {
    const k = key(r)
    const list = m.get(k)
    if (list) list.push(r); else m.set(k, [r])
  }
  return m
}

interface SaleHead { id: number, vendor: string, sale_id: string, kind: ReconSale['kind'], refund_of: string | null, store_id: string, terminal_id: string | null, occurred_at: Date, business_date: string, voided: boolean }
interface LineRow { sale_pk: number, line_no: number, sku: string, qty: number, restock: boolean }
interface TenderRow { sale_pk: number, tender_no: number, method: TenderMethod, amount: number, reference: string | null, provider_txn_id: string | null, card_brand: string | null, card_last4: string | null, auth_code: string | null }
interface MoveRow { id: number, source_id: string, source_line: number, sku: string, location_id: string, qty: number }
interface PaymentRow {
  id: number, provider: Provider, file_kind: string, type: PaymentType, provider_txn_id: string | null, merchant_ref: string | null,
  original_ref: string | null, original_provider_txn_id: string | null, gross: number, fee: number, net: number, paid_at: Date | null,
  business_date: string, settlement_date: string | null, batch_id: string | null, store_id: string | null, device_id: string | null, account: string | null, card_enc: Buffer | null, card_brand: string | null, card_last4: string | null
}
interface BatchRow { provider: Provider, batch_id: string, gross: number, fee: number, net: number, row_gross: number, row_fee: number, row_net: number }

/** The sales, each with the movements posted for it (every sale's are known: a sale with none has none). */
async function loadSales (sql: Sql, date: string): Promise<ReconSale[]> {
  // the day and its neighbours, and the originals their refunds return goods of
  const { rows: heads } = await sql.query<SaleHead>(
    `WITH near AS (SELECT * FROM sales WHERE business_date BETWEEN $1::date - 1 AND $1::date + 1),
          orig AS (SELECT o.* FROM near r JOIN sales o ON o.vendor = r.vendor AND o.sale_id = r.refund_of WHERE r.refund_of IS NOT NULL)
     SELECT s.id, s.vendor, s.sale_id, s.kind, s.refund_of, s.store_id, s.terminal_id, s.occurred_at, s.business_date,
            EXISTS (SELECT 1 FROM sale_voids v WHERE v.vendor = s.vendor AND v.sale_id = s.sale_id) AS voided
       FROM (SELECT * FROM near UNION SELECT * FROM orig) s`, [date])
  const ids = heads.map(h => h.id)
  const keys = heads.map(h => `${h.vendor}:${h.sale_id}`)
  const { rows: lines } = await sql.query<LineRow>('SELECT sale_pk, line_no, sku, qty::float8 AS qty, restock FROM sale_lines WHERE sale_pk = ANY($1::bigint[]) ORDER BY sale_pk, line_no', [ids])
  const { rows: tenders } = await sql.query<TenderRow>('SELECT sale_pk, tender_no, method, amount, reference, provider_txn_id, card_brand, card_last4, auth_code FROM sale_tenders WHERE sale_pk = ANY($1::bigint[]) ORDER BY sale_pk, tender_no', [ids])
  const { rows: moves } = await sql.query<MoveRow>(
    `SELECT id, source_id, source_line, sku, location_id, qty::float8 AS qty FROM stock_movements
      WHERE source_type = 'sale' AND reason IN ('sale', 'return') AND source_id = ANY($1::text[])`, [keys])
  const bySource = new Map<string, ReconMovement[]>()
  for (const m of moves) {
    const mv: ReconMovement = { lineNo: m.source_line, sku: m.sku, qty: m.qty, id: Number(m.id) }
    const list = bySource.get(m.source_id)
    if (list) list.push(mv); else bySource.set(m.source_id, [mv])
  }
  const linesOf = groupBy(lines, r => r.sale_pk)
  const tendersOf = groupBy(tenders, r => r.sale_pk)
  return heads.map((h): ReconSale => ({
    key: `${h.vendor}:${h.sale_id}`,
    saleId: h.sale_id,
    storeId: h.store_id,
    terminalId: h.terminal_id,
    kind: h.kind,
    refundOf: h.refund_of ? `${h.vendor}:${h.refund_of}` : null,
    occurredAt: h.occurred_at.getTime(),
    businessDate: h.business_date,
    voided: h.voided,
    lines: (linesOf.get(h.id) ?? []).map((l): ReconLine => ({ lineNo: l.line_no, sku: l.sku, qty: l.qty, restock: l.restock })),
    tenders: (tendersOf.get(h.id) ?? []).map((t): ReconTender => {
      const tender: ReconTender = { tenderNo: t.tender_no, method: t.method, amount: t.amount, reference: t.reference, providerTxnId: t.provider_txn_id }
      if (t.card_brand || t.card_last4 || t.auth_code) tender.card = { brand: t.card_brand, last4: t.card_last4, authCode: t.auth_code }
      return tender
    }),
    movements: bySource.get(`${h.vendor}:${h.sale_id}`) ?? []
  }))
}

/** The records of the day and its neighbours; a record a person assigned to a store is that store's. */
async function loadPayments (sql: Sql, date: string, cipher: PiiCipher): Promise<ReconPayment[]> {
  // the card is read only where the provider gives no transaction id: there it tells two listings apart
  const { rows } = await sql.query<PaymentRow>(
    `SELECT p.id, provider, file_kind, type, provider_txn_id, merchant_ref, original_ref, original_provider_txn_id, gross, fee, net,
            paid_at, business_date, settlement_date, batch_id, coalesce(a.store_id, p.store_id) AS store_id, device_id, account,
            CASE WHEN provider_txn_id IS NULL THEN card_enc END AS card_enc, card_brand, card_last4
       FROM payments p LEFT JOIN payment_store_assignments a ON a.payment_id = p.id
      WHERE business_date BETWEEN $1::date - 1 AND $1::date + 1`, [date])
  return rows.map((r): Placed => ({
    id: String(r.id),
    provider: r.provider,
    fileKind: r.file_kind === 'transaction' ? 'transaction' : 'settlement',
    type: r.type,
    providerTxnId: r.provider_txn_id,
    merchantRef: r.merchant_ref,
    originalRef: r.original_ref,
    originalProviderTxnId: r.original_provider_txn_id,
    gross: r.gross,
    fee: r.fee,
    net: r.net,
    paidAt: r.paid_at ? r.paid_at.getTime() : null,
    businessDate: r.business_date,
    settlementDate: r.settlement_date,
    batchId: r.batch_id,
    storeId: r.store_id,
    deviceId: r.device_id,
    account: r.account,
    card: r.card_enc ? cipher.decryptText(r.card_enc, CARD_CONTEXT) : null,
    [PLACE]: -1,
    ...(r.card_brand || r.card_last4 ? { cardBrand: r.card_brand, cardLast4: r.card_last4 } : {})
  }))
}

/** The payout batches the day's settlement rows belong to, stated totals against all their rows. */
async function loadBatchFindings (sql: Sql, date: string): Promise<BatchFinding[]> {
  const { rows } = await sql.query<BatchRow>(
    `WITH b AS (SELECT DISTINCT provider, batch_id FROM payments
                 WHERE business_date = $1::date AND file_kind = 'settlement' AND batch_id IS NOT NULL),
          stated AS (SELECT DISTINCT ON (sb.provider, sb.batch_id) sb.provider, sb.batch_id, sb.gross, sb.fee, sb.net
                       FROM settlement_batches sb JOIN b USING (provider, batch_id) ORDER BY sb.provider, sb.batch_id, sb.import_id DESC),
          sums AS (SELECT p.provider, p.batch_id, sum(p.gross)::bigint AS gross, sum(p.fee)::bigint AS fee, sum(p.net)::bigint AS net
                     FROM payments p JOIN stated USING (provider, batch_id)
                    WHERE p.file_kind = 'settlement' AND p.business_date BETWEEN $1::date - $2::int AND $1::date + $2::int GROUP BY 1, 2)
     SELECT s.provider, s.batch_id, s.gross, s.fee, s.net, r.gross AS row_gross, r.fee AS row_fee, r.net AS row_net
       FROM stated s JOIN sums r USING (provider, batch_id)`, [date, BATCH_WINDOW_DAYS])
  const all = [...rows, ...await coveredBatches(sql, date)]
  const stated: StatedBatch[] = all.map(r => ({ provider: r.provider, batchId: r.batch_id, gross: r.gross, fee: r.fee, net: r.net }))
  const sums = new Map<string, BatchAmounts>(all.map(r => [`${r.provider}|${r.batch_id}`, { gross: r.row_gross, fee: r.row_fee, net: r.row_net }]))
  return compareBatches(stated, sums)
}

/**
 * Batches that pay for trade days rather than naming their rows (WeChat Pay), whose days include
 * `date`: against that provider's rows of those days, judged only when every day has rows here.
 */
async function coveredBatches (sql: Sql, date: string): Promise<BatchRow[]> {
  const { rows } = await sql.query<BatchRow>(
    `WITH c AS (SELECT DISTINCT ON (provider, batch_id) provider, batch_id, gross, fee, net, trade_from, trade_to FROM settlement_batches
                 WHERE trade_from IS NOT NULL AND $1::date BETWEEN trade_from AND trade_to ORDER BY provider, batch_id, import_id DESC),
          sums AS (SELECT c.provider, c.batch_id, sum(p.gross)::bigint AS gross, sum(p.fee)::bigint AS fee, sum(p.net)::bigint AS net,
                          count(DISTINCT (p.paid_at AT TIME ZONE 'Asia/Hong_Kong')::date)::int AS days
                     FROM c JOIN payments p ON p.provider = c.provider AND p.file_kind = 'settlement'
                      AND p.business_date BETWEEN c.trade_from - 1 AND c.trade_to + 1
                      AND (p.paid_at AT TIME ZONE 'Asia/Hong_Kong')::date BETWEEN c.trade_from AND c.trade_to
                    GROUP BY 1, 2)
     SELECT c.provider, c.batch_id, c.gross, c.fee, c.net, s.gross AS row_gross, s.fee AS row_fee, s.net AS row_net
       FROM c JOIN sums s USING (provider, batch_id) WHERE s.days = c.trade_to - c.trade_from + 1`, [date])
  return rows
}

/** The standing hand-made links of the loaded sales (a link names a payment within a day of its sale). */
async function loadManualLinks (sql: Sql, date: string): Promise<ManualLink[]> {
  const { rows } = await sql.query<{ sale_key: string, tender_no: number, payment_id: string }>(
    `SELECT sale_key, tender_no, payment_id FROM manual_links WHERE undone_at IS NULL AND business_date BETWEEN $1::date - 2 AND $1::date + 2`, [date])
  return rows.map(r => ({ saleKey: r.sale_key, tenderNo: r.tender_no, paymentId: r.payment_id }))
}

/** The standing confirmations and rejections of proposed pairings of the loaded sales. */
async function loadMatchReviews (sql: Sql, date: string): Promise<MatchReview[]> {
  const { rows } = await sql.query<{ sale_key: string, tender_no: number, payment_id: string, decision: MatchReview['decision'] }>(
    `SELECT sale_key, tender_no, payment_id, decision FROM match_reviews WHERE undone_at IS NULL AND business_date BETWEEN $1::date - 2 AND $1::date + 2`, [date])
  return rows.map(r => ({ saleKey: r.sale_key, tenderNo: r.tender_no, paymentId: r.payment_id, decision: r.decision }))
}

/** The day's standing write-offs, and its claims the provider credited. */
async function loadResolutions (sql: Sql, date: string): Promise<Resolution[]> {
  const { rows } = await sql.query<{ exception_key: string, action: Resolution['action'], category: Resolution['category'], reason: string, actor: string, at: Date }>(
    `SELECT exception_key, action, category, reason, actor, at FROM exception_resolutions WHERE business_date = $1 AND undone_at IS NULL
     UNION ALL
     SELECT exception_key, 'claim', NULL, 'claim ' || id || ' credited' || coalesce(': ' || close_note, ''), closed_by, closed_at FROM claims WHERE business_date = $1 AND status = 'credited'`, [date])
  return rows.map(r => ({ key: r.exception_key, action: r.action, category: r.category, reason: r.reason, actor: r.actor, at: r.at.toISOString() }))
}

/** Everything `reconcile()` needs for `date`; run it inside one REPEATABLE READ snapshot. */
export async function loadDayInput (sql: Sql, date: string, settings: ReconSettings, cipher: PiiCipher): Promise<ReconInput> {
  const sales = await loadSales(sql, date)
  const payments = await loadPayments(sql, date, cipher)
  const batchFindings = await loadBatchFindings(sql, date)
  const manualLinks = await loadManualLinks(sql, date)
  const matchReviews = await loadMatchReviews(sql, date)
  const resolutions = await loadResolutions(sql, date)
  const payouts = await loadPayoutInput(sql, date, settings, cipher)
  return { date, sales, payments, batchFindings, manualLinks, matchReviews, resolutions, settings, ...payouts ? { payouts } : {} }
}
