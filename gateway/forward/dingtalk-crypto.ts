// DingTalk's signing and callback encryption, shared by the gateway and the test double (which must
// implement the real protocol, not trust us):
//   group robot: sign = urlencode(base64(HMAC-SHA256(secret, `${timestamp}\n${secret}`))), timestamp in ms;
//   HTTP callbacks: signature = sha1 of [token, timestamp, nonce, encrypt] sorted and joined; the body is
//   AES-256-CBC with key = base64(aesKey + '='), IV = the key's first 16 bytes, plaintext = 16 random
//   bytes + 4-byte big-endian length + message + owner key (app key or corp id), PKCS#7 to 32 bytes.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export function robotSign (secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64')
}

export function callbackSignature (token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex')
}

/** Constant-time comparison of two hex signatures (a wrong length is simply not equal). */
export function sameSignature (a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}

function key (aesKey: string): Buffer {
  const k = Buffer.from(aesKey + '=', 'base64')
  if (k.length !== 32) throw new Error('the EncodingAESKey must decode to 32 bytes')
  return k
}

export function encryptCallback (aesKey: string, ownerKey: string, message: string): string {
  const k = key(aesKey)
  const msg = Buffer.from(message, 'utf8')
  const len = Buffer.alloc(4)
  len.writeUInt32BE(msg.length)
  const plain = Buffer.concat([randomBytes(16), len, msg, Buffer.from(ownerKey, 'utf8')])
  const pad = 32 - (plain.length % 32)
  const cipher = createCipheriv('aes-256-cbc', k, k.subarray(0, 16)).setAutoPadding(false)
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64')
}

/** The message, or an Error saying why not (bad padding, another owner): never a partial value. */
export function decryptCallback (aesKey: string, ownerKey: string, encrypt: string): string {
  const k = key(aesKey)
  const decipher = createDecipheriv('aes-256-cbc', k, k.subarray(0, 16)).setAutoPadding(false)
  const plain = Buffer.concat([decipher.update(Buffer.from(encrypt, 'base64')), decipher.final()])
  const pad = plain[plain.length - 1]
  // every padding byte must say the same: a tampered last block then fails here (checking only the
  // last byte let one corrupted envelope in 256 through to the owner check, and past it by chance)
  if (!(pad >= 1 && pad <= 32) || plain.length < 20 + pad || plain.subarray(plain.length - pad).some(b => b !== pad)) throw new Error('bad padding')
  const body = plain.subarray(0, plain.length - pad)
  const len = body.readUInt32BE(16)
  if (20 + len > body.length) throw new Error('bad length')
  if (body.subarray(20 + len).toString('utf8') !== ownerKey) throw new Error('the message is for another app')
  return body.subarray(20, 20 + len).toString('utf8')
}

/** The encrypted envelope a callback answers with (and DingTalk sends). */
export function callbackEnvelope (token: string, aesKey: string, ownerKey: string, message: string, timestamp = String(Date.now()), nonce = randomBytes(6).toString('hex')) {
  const encrypt = encryptCallback(aesKey, ownerKey, message)
  return { msg_signature: callbackSignature(token, timestamp, nonce, encrypt), timeStamp: timestamp, nonce, encrypt }
}
