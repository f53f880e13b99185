// External sinks, each a kind registered in sink-kinds.ts with its settings' parser and its sender.
// Both carry our idempotency key, so a delivery repeated after a crash (sent, then killed before it was
// marked delivered) is recognised by a sink that honours it:
//   http: a Standard Webhooks delivery per movement (webhook-id = the key, signed with the sink's
//     whsec_ secret), as we ask POS vendors to sign theirs;
//   jiandaoyun: data/batch_create, up to 100 movements a call, with a transaction_id derived from the
//     keys of the batch (Jiandaoyun: "transaction_id … 用于防止因重试而导致重复创建同一批数据").
import { createHash } from 'node:crypto'
import { signStandardWebhook } from '../../connectors/pos-canonical/verify.ts'
import { ConfigError } from '../config-error.ts'
import { Defer, postJson, type Outbound } from './http.ts'
import { checkOutboundUrl, required } from './outbound.ts'

export interface OutboxRow { id: number, key: string, topic: string, payload: Record<string, unknown> }

export const MOVEMENT_FIELDS = ['movement_id', 'sku', 'location_id', 'qty', 'reason', 'occurred_at', 'source', 'status'] as const
export type MovementField = typeof MOVEMENT_FIELDS[number]

/**
 * What a movement sink hears. `realtime`: every movement at once, marked provisional, then a status
 * event each time a reconciliation run changes its standing (verified, disputed, back to provisional,
 * voided). `verified-only`: a movement once it is verified, and its reversal if that is undone.
 */
export type SinkMode = 'realtime' | 'verified-only'

export interface HttpSinkConfig { id: string, kind: 'http', mode: SinkMode, url: string, secret: string }
export interface JiandaoyunSinkConfig { id: string, kind: 'jiandaoyun', mode: SinkMode, url: string, apiKey: string, appId: string, entryId: string, fields: Partial<Record<MovementField, string>> }

export function parseMode (raw: Record<string, unknown>, id: string): SinkMode {
  if (raw.mode === undefined) return 'realtime'
  if (raw.mode !== 'realtime' && raw.mode !== 'verified-only') throw new ConfigError(`sink ${id}: mode must be realtime or verified-only`)
  return raw.mode
}

export function parseHttpSink (raw: Record<string, unknown>, id: string, allowHosts: readonly string[]): HttpSinkConfig {
  const url = checkOutboundUrl(required(raw.url, `sink ${id} url`), allowHosts, `sink ${id}`).toString()
  const secret = required(raw.secret, `sink ${id} secret`)
  if (!/^whsec_[A-Za-z0-9+/=]{24,}$/.test(secret)) throw new ConfigError(`sink ${id}: secret must be whsec_<base64 of at least 18 bytes> (Standard Webhooks)`)
  return { id, kind: 'http', mode: parseMode(raw, id), url, secret }
}

export function parseJiandaoyunSink (raw: Record<string, unknown>, id: string, allowHosts: readonly string[]): JiandaoyunSinkConfig {
  const url = checkOutboundUrl(required(raw.url, `sink ${id} url`), allowHosts, `sink ${id}`).toString()
  const fields = (raw.fields ?? {}) as Partial<Record<MovementField, string>>
  for (const k of Object.keys(fields)) if (!MOVEMENT_FIELDS.includes(k as MovementField)) throw new ConfigError(`sink ${id}: unknown field ${k} (known: ${MOVEMENT_FIELDS.join(', ')})`)
  return { id, kind: 'jiandaoyun', mode: parseMode(raw, id), url, apiKey: required(raw.apiKey, `sink ${id} apiKey`), appId: required(raw.appId, `sink ${id} appId`), entryId: required(raw.entryId, `sink ${id} entryId`), fields }
}

export async function sendHttp (out: Outbound, sink: HttpSinkConfig, row: OutboxRow, now = Math.floor(Date.now() / 1000)): Promise<void> {
  const body = JSON.stringify({ type: `stock.${row.topic}`, timestamp: new Date(now * 1000).toISOString(), data: row.payload })
  await postJson(out, sink.url, body, {
    'webhook-id': row.key,
    'webhook-timestamp': String(now),
    'webhook-signature': signStandardWebhook(sink.secret, row.key, now, body),
    'idempotency-key': row.key
  }, `sink ${sink.id}`)
}

/** The same batch of keys always gives the same transaction id (a UUID-shaped SHA-256 prefix). */
export function batchTransactionId (keys: readonly string[]): string {
  const h = createHash('sha256').update([...keys].sort().join('\n')).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`
}

function widgets (sink: JiandaoyunSinkConfig, payload: Record<string, unknown>): Record<string, { value: unknown }> {
  const out: Record<string, { value: unknown }> = {}
  for (const [field, widget] of Object.entries(sink.fields) as Array<[MovementField, string]>) {
    const v = payload[field]
    out[widget] = { value: field === 'qty' ? Number(v) : v }
  }
  return out
}

export const JIANDAOYUN_BATCH = 100

/** One batch_create call (at most 100 rows). Jiandaoyun answers throttling with 429 or its code 8303. */
export async function sendJiandaoyun (out: Outbound, sink: JiandaoyunSinkConfig, rows: readonly OutboxRow[]): Promise<void> {
  const url = new URL('/api/v5/app/entry/data/batch_create', sink.url).toString()
  const res = await postJson(out, url, {
    app_id: sink.appId,
    entry_id: sink.entryId,
    transaction_id: batchTransactionId(rows.map(r => r.key)),
    data_list: rows.map(r => widgets(sink, r.payload)),
    is_start_workflow: false
  }, { authorization: `Bearer ${sink.apiKey}` }, `sink ${sink.id}`)
  const data = res.data as { code?: number, msg?: string, status?: string } | undefined
  if (data?.code === 8303) throw new Defer(1, `sink ${sink.id}: throttled (${data.msg ?? ''})`)
  if (data?.code !== undefined && data.code !== 0) throw new Error(`sink ${sink.id}: code ${data.code} ${data.msg ?? ''}`)
}
