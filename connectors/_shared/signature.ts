// Webhook signature checks. Every comparison is constant-time over equal-length digests, and a
// candidate that is not even well-formed (wrong length, not base64/hex) is simply not a match — it
// must never reach timingSafeEqual's length error and turn into a 500.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
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

export function hmac (algo: 'sha256' | 'sha1', key: Buffer, ...parts: Array<string | Buffer>): Buffer {
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

/** Secrets valid at `now` (rotation windows). */
export function activeSecrets (secrets: WebhookSecret[], now: Date): Buffer[] {
  const t = now.getTime()
  return secrets
    .filter(s => (!s.notBefore || s.notBefore.getTime() <= t) && (!s.notAfter || t < s.notAfter.getTime()))
    .map(s => secretKey(s.secret))
}

/** A stable id for vendors that send none: the body's SHA-256 (a retry carries the same body). */
export function bodyId (rawBody: Buffer): string {
  return `sha256:${createHash('sha256').update(rawBody).digest('hex')}`
}
