// Field encryption for personal data at rest (masked card / buyer ids, raw webhook bodies): AES-256-GCM
// with a random 96-bit nonce per value, the key id stored in the value for rotation, and the column it
// belongs to bound in as associated data, so a value copied into another column does not decrypt.
// Layout: [1: version=1][1: key id length][key id][12: nonce][ciphertext][16: tag].
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const VERSION = 1

export class PiiCipher {
  readonly #keys: Map<string, Buffer>
  readonly activeKeyId: string

  /** The first key encrypts; all of them decrypt (rotation). */
  constructor (keys: Array<{ id: string, key: Buffer }>) {
    if (keys.length === 0) throw new Error('PiiCipher needs at least one key')
    for (const k of keys) if (k.key.length !== 32) throw new Error(`PII key ${k.id} must be 32 bytes`)
    this.#keys = new Map(keys.map(k => [k.id, k.key]))
    this.activeKeyId = keys[0].id
  }

  encrypt (plain: string | Buffer, context: string): Buffer {
    const id = Buffer.from(this.activeKeyId)
    const nonce = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', this.#keys.get(this.activeKeyId)!, nonce)
    c.setAAD(Buffer.concat([Buffer.from(context), id]))
    const ct = Buffer.concat([c.update(plain), c.final()])
    return Buffer.concat([Buffer.from([VERSION, id.length]), id, nonce, ct, c.getAuthTag()])
  }

  decrypt (value: Buffer, context: string): Buffer {
    if (value[0] !== VERSION) throw new Error('unknown ciphertext version')
    const idLen = value[1]
    const id = value.subarray(2, 2 + idLen)
    const key = this.#keys.get(id.toString())
    if (!key) throw new Error(`no key "${id.toString()}" to decrypt with`)
    const nonce = value.subarray(2 + idLen, 14 + idLen)
    const tag = value.subarray(value.length - 16)
    const d = createDecipheriv('aes-256-gcm', key, nonce)
    d.setAAD(Buffer.concat([Buffer.from(context), id]))
    d.setAuthTag(tag)
    return Buffer.concat([d.update(value.subarray(14 + idLen, value.length - 16)), d.final()])
  }

  decryptText (value: Buffer, context: string): string {
    return this.decrypt(value, context).toString('utf8')
  }
}
