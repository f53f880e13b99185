// `recon keys rotate`: every encrypted value still under an older PII key is decrypted and encrypted
// again under the active one (the first in RECON_PII_KEYS), a batch per transaction, so an old key can
// be removed from the configuration once nothing needs it. Interrupted, it is simply run again.
import { CARD_CONTEXT, INBOX_BODY_CONTEXT, NARRATIVE_CONTEXT, type PiiCipher } from '../crypto.ts'
import type { Db } from '../db/pool.ts'

const BATCH = 1000

/** The encrypted columns: where the value is, which column names its key, and the context it is bound to. */
const ENCRYPTED = [
  { what: 'webhook bodies', table: 'inbox_events', value: 'body_enc', keyId: 'key_id', context: INBOX_BODY_CONTEXT },
  { what: 'payment card / buyer ids', table: 'payments', value: 'card_enc', keyId: 'card_key_id', context: CARD_CONTEXT },
  { what: 'bank entry texts', table: 'bank_entries', value: 'narrative_enc', keyId: 'key_id', context: NARRATIVE_CONTEXT }
] as const

export interface Rotated { what: string, rotated: number, left: number }

/** Values under another key than the active one, per column. */
export async function valuesUnderOldKeys (db: Db, cipher: PiiCipher): Promise<Rotated[]> {
  const out: Rotated[] = []
  for (const e of ENCRYPTED) {
    const { rows: [r] } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${e.table} WHERE ${e.value} IS NOT NULL AND ${e.keyId} <> $1`, [cipher.activeKeyId])
    out.push({ what: e.what, rotated: 0, left: r.n })
  }
  return out
}

export async function rotateKeys (db: Db, cipher: PiiCipher, progress?: (what: string, done: number) => void): Promise<Rotated[]> {
  const out: Rotated[] = []
  for (const e of ENCRYPTED) {
    let done = 0
    let after = 0
    for (;;) {
      const n = await db.withTransaction(async c => {
        // keyset pages in id order; FOR UPDATE so a concurrent purge or rotation waits for this batch
        const { rows } = await c.query<{ id: number, v: Buffer }>(
          `SELECT id, ${e.value} AS v FROM ${e.table} WHERE id > $1 AND ${e.value} IS NOT NULL AND ${e.keyId} <> $2 ORDER BY id LIMIT ${BATCH} FOR UPDATE`, [after, cipher.activeKeyId])
        if (rows.length === 0) return 0
        const values = rows.map(r => cipher.encrypt(cipher.decrypt(r.v, e.context), e.context))
        await c.query(
          `UPDATE ${e.table} t SET ${e.value} = u.v, ${e.keyId} = $3 FROM unnest($1::bigint[], $2::bytea[]) AS u(id, v) WHERE t.id = u.id`,
          [rows.map(r => r.id), values, cipher.activeKeyId])
        after = rows[rows.length - 1].id
        return rows.length
      })
      if (n === 0) break
      done += n
      progress?.(e.what, done)
    }
    out.push({ what: e.what, rotated: done, left: 0 })
  }
  const left = await valuesUnderOldKeys(db, cipher)
  return out.map((r, i) => ({ ...r, left: left[i].left }))
}
