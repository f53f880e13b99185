// The payouts around a business day and the bank's credits they may have become, read for
// reconcile(): the settlement records summed per batch, settlement day, business day and store, the
// batch totals the providers stated, and the HKD credits of the bank accounts. The window is wide
// enough for a batch's records (two weeks) and for its credit to arrive (a cycle and its holidays);
// a credit is claimed once among all the payouts of the window.
import type { PayoutRecords, StatedPayout } from '../../reconciler/payout-build.ts'
import type { Deposit } from '../../reconciler/payouts.ts'
import type { PayoutInput, ReconSettings } from '../../reconciler/types.ts'
import type { Sql } from '../db/pool.ts'
import { NARRATIVE_CONTEXT, type PiiCipher } from '../crypto.ts'

/** Business days before the day whose records may share its payouts. */
const RECORDS_BEFORE = 24
const RECORDS_AFTER = 10
/** Value days after the day a credit of its payouts may carry (T+n, payout days, a long holiday). */
const CREDITS_AFTER = 40

export async function loadPayoutInput (sql: Sql, date: string, settings: Pick<ReconSettings, 'payouts'>, cipher: PiiCipher): Promise<PayoutInput | undefined> {
  const providers = Object.keys(settings.payouts ?? {})
  if (providers.length === 0) return undefined
  const { rows: records } = await sql.query<{ provider: string, batch_id: string | null, settlement_date: string | null, business_date: string, store_id: string | null, net: string }>(
    `SELECT provider, batch_id, settlement_date::text, business_date::text, store_id, sum(net)::text AS net FROM payments
      WHERE file_kind = 'settlement' AND business_date BETWEEN $1::date - $2::int AND $1::date + $3::int AND provider = ANY($4::text[])
      GROUP BY 1, 2, 3, 4, 5`, [date, RECORDS_BEFORE, RECORDS_AFTER, providers])
  const batchIds = [...new Set(records.map(r => r.batch_id).filter((b): b is string => b !== null))]
  const { rows: stated } = await sql.query<{ provider: string, batch_id: string, net: string, settled_on: string | null, trade_from: string | null, trade_to: string | null }>(
    `SELECT DISTINCT ON (provider, batch_id) provider, batch_id, net::text, (settled_at AT TIME ZONE 'Asia/Hong_Kong')::date::text AS settled_on, trade_from::text, trade_to::text
       FROM settlement_batches
      WHERE provider = ANY($4::text[]) AND (batch_id = ANY($5::text[]) OR trade_to BETWEEN $1::date - $2::int AND $1::date + $3::int
            OR (settled_at AT TIME ZONE 'Asia/Hong_Kong')::date BETWEEN $1::date - $2::int AND $1::date + $3::int)
      ORDER BY provider, batch_id, import_id DESC`, [date, RECORDS_BEFORE, RECORDS_AFTER, providers, batchIds])
  const { rows: credits } = await sql.query<{ id: string, account: string, value_date: string, amount: string, customer_ref: string | null, bank_ref: string | null, narrative_enc: Buffer | null }>(
    `SELECT id::text, account, value_date::text, amount::text, customer_ref, bank_ref, narrative_enc FROM bank_entries
      WHERE amount > 0 AND currency = 'HKD' AND value_date BETWEEN $1::date - $2::int AND $1::date + $3::int`, [date, RECORDS_BEFORE, CREDITS_AFTER])
  // what the statements cover: a statement's closing day, else its last entry's value day
  const { rows: [through] } = await sql.query<{ day: string | null }>(
    'SELECT greatest((SELECT max(closing_date) FROM bank_statements), (SELECT max(value_date) FROM bank_entries))::text AS day')
  return {
    bankThrough: through?.day ?? null,
    records: records.map((r): PayoutRecords => ({ provider: r.provider, batchId: r.batch_id, settlementDate: r.settlement_date, businessDate: r.business_date, storeId: r.store_id, net: Number(r.net) })),
    stated: stated.map((b): StatedPayout => ({ provider: b.provider, batchId: b.batch_id, net: Number(b.net), settledOn: b.settled_on, covers: b.trade_from && b.trade_to ? { from: b.trade_from, to: b.trade_to } : null })),
    deposits: credits.map((c): Deposit => ({
      id: c.id,
      account: c.account,
      valueDate: c.value_date,
      amount: Number(c.amount),
      text: [c.customer_ref, c.bank_ref, c.narrative_enc ? cipher.decryptText(c.narrative_enc, NARRATIVE_CONTEXT) : null].filter(Boolean).join(' ')
    }))
  }
}
