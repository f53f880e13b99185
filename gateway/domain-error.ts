// What went wrong, in the domain's words: domain modules (accounts, ledger, orders, reconciliation
// resolutions) throw these and know nothing of HTTP; errors.ts is the one place that turns a kind into
// a status for the API and the pages, and the CLI prints the message.
export type ErrorKind = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'too_large' | 'unprocessable' | 'rate_limited'

export class DomainError extends Error {
  readonly kind: ErrorKind
  /** A stable code for clients and the pages' messages (NOT_FOUND, SALE_VOIDED, …). */
  readonly code: string
  /** What the answer carries with it (Retry-After when rate limited). */
  readonly headers: Record<string, string>
  constructor (kind: ErrorKind, code: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.name = 'DomainError'
    this.kind = kind
    this.code = code
    this.headers = headers
  }
}
