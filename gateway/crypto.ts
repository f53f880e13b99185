// Field encryption for personal data at rest (masked card / buyer ids, raw webhook bodies): AES-256-GCM
// with a random 96-bit nonce per value, the key id stored in the value for rotation, and the column it
// belongs to bound in as associated data, so a value copied into another column does not decrypt.
// Layout: [1: version=1][1: key id length][key id][12: nonce][ciphertext][16: tag].
import { createCipheriv, createDecipheriv, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto'

const VERSION = 1

/** The associated data each encrypted column is bound to: a value copied into another column does not decrypt. */
export const INBOX_BODY_CONTEXT = 'inbox_events.body'
export const CARD_CONTEXT = 'payments.card'
/** A bank entry's free text (it may name the payer of an FPS credit). */
export const NARRATIVE_CONTEXT = 'bank_entries.narrative'

// Nonces come from a pool of random bytes refilled 4 KiB at a time: one getrandom call per ~340
// encryptions instead of one each, which showed up on the webhook hot path.
const NONCE_POOL = Buffer.alloc(4096)
let noncePos = NONCE_POOL.length
function nonce (): Buffer {
  if (noncePos + 12 > NONCE_POOL.length) { randomFillSync(NONCE_POOL); noncePos = 0 }
  const n = Buffer.from(NONCE_POOL.subarray(noncePos, noncePos + 12))
  noncePos += 12
  return n
}

export class PiiCipher {
  // KeyObjects, made once: passing raw key bytes re-imports the key on every call
  readonly #keys: Map<string, KeyObject>
  readonly activeKeyId: string
  readonly #activeId: Buffer
  readonly #activeKey: KeyObject

  /** The first key encrypts; all of them decrypt (rotation). A KeyObject is another thread's (keyObjects). */
  constructor (keys: Array<{ id: string, key: Buffer | KeyObject }>) {
    if (keys.length === 0) throw new Error('PiiCipher needs at least one key')
    const objects = keys.map(k => ({ id: k.id, key: Buffer.isBuffer(k.key) ? createSecretKey(k.key) : k.key }))
    for (const k of objects) if (k.key.symmetricKeySize !== 32) throw new Error(`PII key ${k.id} must be 32 bytes`)
    this.#keys = new Map(objects.map(k => [k.id, k.key]))
    this.activeKeyId = keys[0].id
    this.#activeId = Buffer.from(this.activeKeyId)
    this.#activeKey = this.#keys.get(this.activeKeyId)!
  }

  /** The keys, as a worker thread is handed them (KeyObjects cross threads; the bytes stay unexposed). */
  keyObjects (): Array<{ id: string, key: KeyObject }> {
    return [...this.#keys].map(([id, key]) => ({ id, key }))
  }

  encrypt (plain: string | Buffer, context: string): Buffer {
    const id = this.#activeId
    const nonceBytes = nonce()
    const c = createCipheriv('aes-256-gcm', this.#activeKey, nonceBytes)
    c.setAAD(Buffer.concat([Buffer.from(context), id]))
    const ct = Buffer.concat([c.update(plain), c.final()])
    return Buffer.concat([Buffer.from([VERSION, id.length]), id, nonceBytes, ct, c.getAuthTag()])
  }

  decrypt (value: Buffer, context: string): Buffer {
    if (value[0] !== VERSION) throw new Error('unknown ciphertext version')
    const idLen = value[1]
    const id = value.subarray(2, 2 + idLen)
    const key = this.#keys.get(id.toString())
    if (!key) throw new Error(`no key "${id.toString()}" to decrypt with`)
    const iv = value.subarray(2 + idLen, 14 + idLen)
    const tag = value.subarray(value.length - 16)
    const d = createDecipheriv('aes-256-gcm', key, iv)
    d.setAAD(Buffer.concat([Buffer.from(context), id]))
    d.setAuthTag(tag)
    return Buffer.concat([d.update(value.subarray(14 + idLen, value.length - 16)), d.final()])
  }

  decryptText (value: Buffer, context: string): string {
    return this.decrypt(value, context).toString('utf8')
  }
}
