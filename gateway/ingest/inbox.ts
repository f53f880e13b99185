// The webhook inbox. A verified delivery is stored raw (encrypted) under its vendor event id and a
// normalisation job is enqueued in the same transaction; only then does the sender get its 2xx.
//
// Deliveries are written in groups: while one transaction commits, the next requests gather, and the
// next flush writes them all with one INSERT and one job. Under load that turns thousands of tiny
// commits into a few large ones (the durable path stays: nobody is answered before their row commits);
// with no load a flush holds a single delivery and adds no delay.
import { inTransaction } from '../db/boss-sql.ts'
import type { Db, TxClient } from '../db/pool.ts'
import type { PgBoss } from 'pg-boss'

export const NORMALIZE_QUEUE = 'pos.normalize'
const MAX_BATCH = 500
const MAX_IN_FLIGHT = 2

export interface InboxItem {
  connector: string
  eventId: string
  sha256: Buffer
  bodyEnc: Buffer
  keyId: string
  /** Non-secret headers normalisation needs later (e.g. Shopify's topic). */
  headers: Record<string, string>
}

/** accepted: stored now; duplicate: stored before with the same body; conflict: same id, another body. */
export type InboxResult = { status: 'accepted', inboxId: number } | { status: 'duplicate', inboxId: number } | { status: 'conflict', inboxId: number }

interface Pending { item: InboxItem, resolve: (r: InboxResult) => void, reject: (e: unknown) => void }

export class InboxWriter {
  readonly #db: Db
  readonly #boss: PgBoss
  #queue: Pending[] = []
  #inFlight = 0

  constructor (db: Db, boss: PgBoss) {
    this.#db = db
    this.#boss = boss
  }

  add (item: InboxItem): Promise<InboxResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item, resolve, reject })
      this.#pump()
    })
  }

  #pump (): void {
    while (this.#inFlight < MAX_IN_FLIGHT && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH)
      this.#inFlight++
      this.#flush(batch)
        .catch(err => { for (const p of batch) p.reject(err) })
        .finally(() => { this.#inFlight--; this.#pump() })
    }
  }

  async #flush (batch: Pending[]): Promise<void> {
    const results = await this.#db.withTransaction(client => storeInboxItems(client, this.#boss, batch.map(p => p.item)))
    batch.forEach((p, i) => p.resolve(results[i]))
  }
}

/**
 * Writes deliveries to the inbox inside the caller's transaction, with one normalisation job for the
 * new ones, and says for each whether it was new, a repeat of the same body, or a conflict.
 */
export async function storeInboxItems (client: TxClient, boss: PgBoss, items: InboxItem[]): Promise<InboxResult[]> {
  // One multi-row INSERT with a parameter per value: node-postgres sends Buffers as binary
  // parameters, where a bytea[] array parameter would be hex-encoded text twice the size.
  const values: unknown[] = []
  const tuples = items.map(i => {
    const n = values.push(i.connector, i.eventId, i.sha256, i.bodyEnc, i.keyId, JSON.stringify(i.headers))
    return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n}::jsonb)`
  })
  const { rows: inserted } = await client.query<{ id: number, connector: string, event_id: string }>(
    `INSERT INTO inbox_events (connector, event_id, body_sha256, body_enc, key_id, headers) VALUES ${tuples.join(', ')}
     ON CONFLICT (connector, event_id) DO NOTHING
     RETURNING id, connector, event_id`, values)
  const key = (c: string, e: string): string => `${c}\u0000${e}`
  const fresh = new Map(inserted.map(r => [key(r.connector, r.event_id), r.id]))
  // The first delivery of an id among `items` is the one inserted; any other needs comparing.
  const claimed = new Set<string>()
  const verdicts = items.map((i): InboxResult | null => {
    const k = key(i.connector, i.eventId)
    const id = fresh.get(k)
    if (id === undefined || claimed.has(k)) return null
    claimed.add(k)
    return { status: 'accepted', inboxId: id }
  })
  const lookups = items.filter((_, n) => verdicts[n] === null)
  const known = new Map<string, { id: number, sha: Buffer }>()
  if (lookups.length) {
    const { rows } = await client.query<{ id: number, connector: string, event_id: string, body_sha256: Buffer }>(
      `SELECT id, connector, event_id, body_sha256 FROM inbox_events
        WHERE (connector, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [lookups.map(i => i.connector), lookups.map(i => i.eventId)])
    for (const r of rows) known.set(key(r.connector, r.event_id), { id: r.id, sha: r.body_sha256 })
  }
  if (inserted.length) {
    await boss.send(NORMALIZE_QUEUE, { ids: inserted.map(r => r.id) }, inTransaction(client))
  }
  return items.map((i, n): InboxResult => {
    const v = verdicts[n]
    if (v) return v
    const prior = known.get(key(i.connector, i.eventId))!
    return { status: prior.sha.equals(i.sha256) ? 'duplicate' : 'conflict', inboxId: prior.id }
  })
}
