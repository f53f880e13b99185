// Standard Webhooks verification (contract.md §1): signed content "{id}.{timestamp}.{raw body}",
// HMAC-SHA256, header `webhook-signature: v1,<base64> [v1,<base64> …]` (several during a key rotation),
// timestamp within ±300 s of our clock in both directions.
import { header, type VerifyResult, type WebhookRequest, type WebhookSecret } from '../pos.ts'
import { activeSecrets, decodeBase64, hmac, sameDigest } from '../_shared/signature.ts'

export const TOLERANCE_SECONDS = 300

export function verifyStandardWebhook (req: WebhookRequest, secrets: WebhookSecret[]): VerifyResult {
  const id = header(req.headers, 'webhook-id')
  const ts = header(req.headers, 'webhook-timestamp')
  const sig = header(req.headers, 'webhook-signature')
  if (!id || !ts || !sig) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature header' }
  if (id.length > 200) return { ok: false, reason: 'webhook-id is too long' }
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'webhook-timestamp is not unix seconds' }
  const skew = Number(ts) - Math.floor(req.receivedAt.getTime() / 1000)
  if (skew < -TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is too old' }
  if (skew > TOLERANCE_SECONDS) return { ok: false, reason: 'webhook-timestamp is in the future' }
  const candidates: Buffer[] = []
  for (const part of sig.split(' ')) {
    const comma = part.indexOf(',')
    if (comma < 0 || part.slice(0, comma) !== 'v1') continue
    const d = decodeBase64(part.slice(comma + 1), 32)
    if (d) candidates.push(d)
  }
  if (candidates.length === 0) return { ok: false, reason: 'no well-formed v1 signature' }
  let match = false
  for (const key of activeSecrets(secrets, req.receivedAt)) {
    const expected = hmac('sha256', key, id, '.', ts, '.', req.rawBody)
    // compare against every candidate (no early exit on the first mismatch)
    for (const c of candidates) if (sameDigest(expected, c)) match = true
  }
  return match ? { ok: true, eventId: id } : { ok: false, reason: 'no signature matches' }
}

/** Signs like a Standard Webhooks producer (tests, demo, benchmark, and our own outbound calls). */
export function signStandardWebhook (secret: string, id: string, timestamp: number, body: Buffer | string): string {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret)
  return `v1,${hmac('sha256', key, id, '.', String(timestamp), '.', typeof body === 'string' ? Buffer.from(body) : body).toString('base64')}`
}
