// The POS side of the connector contract: verify a webhook on its raw bytes, then normalise it
// (pure) into canonical events. Verification never parses the body.
import type { PosEvent } from './contract.ts'

export interface WebhookSecret {
  /** 'whsec_<base64>' (Standard Webhooks) or the vendor's plain secret. */
  secret: string
  /** The secret is accepted from this instant (rotation overlap). */
  notBefore?: Date
  /** …and until this instant; after it, requests signed with it are refused. */
  notAfter?: Date
}

export interface WebhookRequest {
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>
  rawBody: Buffer
  receivedAt: Date
}

export type VerifyResult = { ok: true, eventId: string } | { ok: false, reason: string }

export interface NormalizeContext {
  eventId: string
  receivedAt: Date
  /** Maps a vendor's own store/location id to ours (configured aliases), else returns it unchanged. */
  resolveStore: (vendorStoreRef: string) => string
  /** The tender methods the gateway knows (the registry's): a payload naming another is refused. */
  tenderMethods: ReadonlySet<string>
}

export interface PosConnector {
  readonly id: string
  readonly kind: 'pos'
  /** The request headers that carry its signature: never logged (the app's redact list is built from these). */
  readonly signatureHeaders: readonly string[]
  /** The shape of its webhook secret: a Standard Webhooks `whsec_…` key, or the vendor's opaque string. */
  readonly secretFormat: 'standard-webhooks' | 'opaque'
  /** Non-secret request headers that normalize() reads, kept with the stored delivery. */
  readonly keepHeaders?: readonly string[]
  /** Checks the signature on the raw bytes; the event id is the vendor's idempotency key. */
  verify (req: WebhookRequest, secrets: WebhookSecret[]): VerifyResult
  /**
   * Turns the body into canonical events (none when the delivery is not for us, e.g. an online-shop
   * order). Throws InputError('INVALID_PAYLOAD') listing every problem.
   */
  normalize (rawBody: Buffer, headers: WebhookRequest['headers'], ctx: NormalizeContext): PosEvent[]
}

export function header (headers: WebhookRequest['headers'], name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}
