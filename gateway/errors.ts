// One error handler for the HTTP API. Domain errors become their status here (statusOf), and client
// errors keep their code and message (and, for bad input,
// every issue with its line); anything else is logged and answered with a generic 500, because a
// database error's text can leak schema and query details (fastify's Errors.md).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { InputError } from '../connectors/errors.ts'
import { isConnectionError } from './db/health.ts'
import { DomainError, type ErrorKind } from './domain-error.ts'

/** How long a client is asked to wait while the database is away (a restart takes seconds). */
export const OUTAGE_RETRY_AFTER_S = 5

/** The one place a domain error's kind becomes an HTTP status (the API's and the pages'). */
const STATUS: Record<ErrorKind, number> = {
  invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, too_large: 413, unprocessable: 422, rate_limited: 429
}

/** The status an error answers with: a domain error by its kind, fastify's own by theirs, else 500. */
export function statusOf (err: unknown): number {
  if (err instanceof DomainError) return STATUS[err.kind]
  const s = (err as { statusCode?: unknown } | null)?.statusCode
  return typeof s === 'number' ? s : 500
}

export function errorHandler (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof InputError) {
    reply.code(err.code === 'INPUT_TOO_LARGE' ? 413 : 422).send({ error: err.code, message: err.message, issues: err.issues, issue_count: err.issueCount })
    return
  }
  const fe = err as FastifyError
  if (fe.validation) {
    // name the allowed values, so "unknown connector" tells the caller which ones exist
    const detail = fe.validation.map(v => {
      const allowed = (v.params as { allowedValues?: unknown[] })?.allowedValues
      return `${fe.validationContext ?? ''}${v.instancePath} ${v.message}${allowed ? ` (${allowed.join(', ')})` : ''}`
    }).join('; ')
    reply.code(400).send({ error: 'BAD_REQUEST', message: detail || fe.message })
    return
  }
  if (fe.code === 'FST_ERR_HANDLER_TIMEOUT') {
    reply.code(503).header('retry-after', '30').send({ error: 'TIMEOUT', message: 'the request took too long; try again' })
    return
  }
  if (isConnectionError(err)) {
    // nothing was stored, and the caller is told to come back (POS vendors retry on 503); the outage
    // itself is logged once by the database's health watch, not once per request
    reply.code(503).header('retry-after', String(OUTAGE_RETRY_AFTER_S)).send({ error: 'UNAVAILABLE', message: 'the database is unavailable; nothing was stored; try again shortly' })
    return
  }
  const status = statusOf(err)
  if (err instanceof DomainError) reply.headers(err.headers)
  if (status < 500) {
    reply.code(status).send({ error: fe.code ?? 'BAD_REQUEST', message: fe.message })
    return
  }
  req.log.error({ err }, 'request failed')
  reply.code(status === 503 ? 503 : 500).send({ error: 'INTERNAL', message: 'Internal Server Error' })
}
