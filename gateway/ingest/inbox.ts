// The webhook inbox. A verified delivery is stored raw (encrypted) under its vendor event id and a
// normalisation job is enqueued in the same transaction; only then does the sender get its 2xx.
//
// Deliveries are written in groups: while one transaction commits, the next requests gather, and the
// next flush writes them all with one INSERT and one job. Under load that turns thousands of tiny
// commits into a few large ones (the durable path stays: nobody is answered before their row commits);
// with no load a flush holds a single delivery and adds no delay. A flush is two round trips on a
// pipelined connection (BEGIN with the INSERT, the job with the COMMIT), and both statements are
// prepared once per connection (the bench measured planning pg-boss's insert as costlier than running it).
import { inTransaction } from '../db/boss-sql.ts'
import type { Db, Sql, TxClient } from '../db/pool.ts'
import type { PgBoss } from 'pg-boss'

export const NORMALIZE_QUEUE = 'pos.normalize'
const MAX_BATCH = 500
// One flush at a time: the requests that arrive meanwhile make the next one twice as large as with two
// in flight, and PostgreSQL's work per delivery (the job, the commit, the statements' fixed part) fell
// from 70–90 to 51–54 µs in bench:ingest's load, taken in turn; the gateway's own stayed the same.
const MAX_IN_FLIGHT = 1

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
    const items = batch.map(p => p.item)
    // BEGIN rides with the INSERT and COMMIT with the job: two round trips to the server, not four
    const inserted = await this.#db.withPipelinedTransaction(async (client, commit) => {
      const rows = await insertInboxRows(client, items)
      if (rows.length) await sendNormalizeJob(client, this.#boss, rows, commit)
      return rows
    })
    const results = await inboxVerdicts(this.#db, items, inserted)
    batch.forEach((p, i) => p.resolve(results[i]))
  }
}

/**
 * Writes deliveries to the inbox inside the caller's transaction, with one normalisation job for the
 * new ones, and says for each whether it was new, a repeat of the same body, or a conflict.
 */
export async function storeInboxItems (client: TxClient, boss: PgBoss, items: InboxItem[]): Promise<InboxResult[]> {
  const inserted = await insertInboxRows(client, items)
  if (inserted.length) await sendNormalizeJob(client, boss, inserted)
  return await inboxVerdicts(client, items, inserted)
}

interface InsertedRow { id: number, connector: string, event_id: string }

// One statement text for any number of rows, so it is prepared once per connection (db/statement-cache.ts)
// rather than parsed and planned for every flush. The bodies travel as one binary parameter, cut apart by
// the lengths (a bytea[] parameter would be sent as hex text, twice the size); the hashes are 32 bytes each.
const INSERT_ROWS = `INSERT INTO inbox_events (connector, event_id, body_sha256, body_enc, key_id, headers)
     SELECT r.connector, r.event_id, substring($3::bytea FROM (r.n::int - 1) * 32 + 1 FOR 32), substring($4::bytea FROM r.body_at FOR r.body_len), r.key_id, r.headers::jsonb
       FROM unnest($1::text[], $2::text[], $5::int[], $6::int[], $7::text[], $8::text[]) WITH ORDINALITY AS r (connector, event_id, body_at, body_len, key_id, headers, n)
     ON CONFLICT (connector, event_id) DO NOTHING
     RETURNING id, connector, event_id`

async function insertInboxRows (client: TxClient, items: InboxItem[]): Promise<InsertedRow[]> {
  const at: number[] = []
  let offset = 1
  for (const i of items) { at.push(offset); offset += i.bodyEnc.length }
  const { rows } = await client.query<InsertedRow>(INSERT_ROWS, [items.map(i => i.connector), items.map(i => i.eventId), Buffer.concat(items.map(i => i.sha256)),
    Buffer.concat(items.map(i => i.bodyEnc)), at, items.map(i => i.bodyEnc.length), items.map(i => i.keyId), items.map(i => JSON.stringify(i.headers))])
  return rows
}

/** The new rows' normalisation job, in `client`'s transaction; `queued` is called once its INSERT is sent. */
async function sendNormalizeJob (client: TxClient, boss: PgBoss, rows: InsertedRow[], queued?: () => void): Promise<void> {
  await boss.send(NORMALIZE_QUEUE, { ids: rows.map(r => r.id) }, inTransaction(client, queued))
}

/**
 * Each delivery's outcome: the first of an id among `items` that was inserted is accepted; any other
 * is compared with the stored row (committed, or in `sql`'s own transaction) by its body's hash.
 */
async function inboxVerdicts (sql: Sql, items: InboxItem[], inserted: InsertedRow[]): Promise<InboxResult[]> {
  const key = (c: string, e: string): string => `${c}\u0000${e}`
  const fresh = new Map(inserted.map(r => [key(r.connector, r.event_id), r.id]))
  const claimed = new Set<string>()
  const verdicts = items.map((i): InboxResult | null => {
    const k = key(i.connector, i.eventId)
    const id = fresh.get(k)
    if (id === undefined || claimed.has(k)) return null
    claimed.add(k)
    return { status: 'accepted', inboxId: id }
  })
  const lookups = items.filter((_, n) => verdicts[n] === null)
  if (lookups.length === 0) return verdicts as InboxResult[]
  const { rows } = await sql.query<{ id: number, connector: string, event_id: string, body_sha256: Buffer }>(
    `SELECT id, connector, event_id, body_sha256 FROM inbox_events
      WHERE (connector, event_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [lookups.map(i => i.connector), lookups.map(i => i.eventId)])
  const known = new Map(rows.map(r => [key(r.connector, r.event_id), { id: r.id, sha: r.body_sha256 }]))
  return items.map((i, n): InboxResult => {
    const v = verdicts[n]
    if (v) return v
    const prior = known.get(key(i.connector, i.eventId))!
    return { status: prior.sha.equals(i.sha256) ? 'duplicate' : 'conflict', inboxId: prior.id }
  })
}
