// One error handler for the HTTP API. Client errors keep their code and message (and, for bad input,
// every issue with its line); anything else is logged and answered with a generic 500, because a
// database error's text can leak schema and query details (fastify's Errors.md).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { InputError } from '../connectors/errors.ts'
import { isConnectionError } from './db/health.ts'

/** How long a client is asked to wait while the database is away (a restart takes seconds). */
export const OUTAGE_RETRY_AFTER_S = 5

export class HttpError extends Error {
  readonly statusCode: number
  readonly code: string
  /** Response headers that go with the error (Retry-After on 429). */
  readonly headers: Record<string, string>
  constructor (statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.statusCode = statusCode
    this.code = code
    this.headers = headers
  }
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
  const status = fe.statusCode ?? 500
  if (err instanceof HttpError) reply.headers(err.headers)
  if (status < 500) {
    reply.code(status).send({ error: fe.code ?? 'BAD_REQUEST', message: fe.message })
    return
  }
  req.log.error({ err }, 'request failed')
  reply.code(status === 503 ? 503 : 500).send({ error: 'INTERNAL', message: 'Internal Server Error' })
}
