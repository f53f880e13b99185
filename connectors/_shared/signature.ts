// Webhook signature checks. Every comparison is constant-time over equal-length digests, and a
// candidate that is not even well-formed (wrong length, not base64/hex) is simply not a match — it
// must never reach timingSafeEqual's length error and turn into a 500.
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { WebhookSecret } from '../pos.ts'

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/
const HEX = /^[0-9a-fA-F]+$/

/** Strict base64 decode to exactly `bytes` bytes, or null. */
export function decodeBase64 (s: string, bytes: number): Buffer | null {
  if (s.length !== 4 * Math.ceil(bytes / 3) || !BASE64.test(s)) return null
  const b = Buffer.from(s, 'base64')
  return b.length === bytes ? b : null
}

export function decodeHex (s: string, bytes: number): Buffer | null {
  return s.length === bytes * 2 && HEX.test(s) ? Buffer.from(s, 'hex') : null
}

export function hmac (algo: 'sha256' | 'sha1', key: Buffer | KeyObject, ...parts: Array<string | Buffer>): Buffer {
  const h = createHmac(algo, key)
  for (const p of parts) h.update(p)
  return h.digest()
}

export function sameDigest (a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The key bytes of a secret: 'whsec_<base64>' is decoded, anything else is used as UTF-8. */
export function secretKey (secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8')
}

// Key objects per configured secret, decoded once rather than on every delivery.
const keyCache = new WeakMap<WebhookSecret, KeyObject>()

/** Keys of the secrets valid at `now` (rotation windows). */
export function activeSecrets (secrets: WebhookSecret[], now: Date): KeyObject[] {
  const t = now.getTime()
  const out: KeyObject[] = []
  for (const s of secrets) {
    if ((s.notBefore && s.notBefore.getTime() > t) || (s.notAfter && t >= s.notAfter.getTime())) continue
    let k = keyCache.get(s)
    if (!k) { k = createSecretKey(secretKey(s.secret)); keyCache.set(s, k) }
    out.push(k)
  }
  return out
}

/** A stable id for vendors that send none: the body's SHA-256 (a retry carries the same body). */
export function bodyId (rawBody: Buffer): string {
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`
}
