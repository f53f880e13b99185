// Errors on pages: rendered in the page's language from the error's code, never as JSON or English
// text. That covers errors no route saw: an unknown address (404), a malformed one (fastify's
// FST_ERR_BAD_URL), and headers too large to parse (431), which Node reports before any request exists.
import type { Socket } from 'node:net'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { isConnectionError } from '../db/health.ts'
import { OUTAGE_RETRY_AFTER_S, statusOf } from '../errors.ts'
import type { DomainError } from '../domain-error.ts'
import { html } from './html.ts'
import { translator } from './i18n.ts'
import { layout, pageOf, sendPage } from './layout.ts'
import type { MessageKey } from './messages/en.ts'

const ERROR_KEYS = new Set(['NOT_OPEN', 'ALREADY_LINKED', 'NOT_LINKABLE', 'SALE_VOIDED', 'NOT_DUE', 'REASON_REQUIRED', 'CSRF', 'NOT_WRITABLE', 'BAD_AMOUNT', 'NOT_ASSIGNABLE', 'UNKNOWN_STORE', 'ALREADY_CLAIMED', 'NOT_CLAIMABLE', 'CLAIM_STATE'])

/** The message key for an error code on a page. */
export function errorKey (status: number, code: string | undefined): MessageKey {
  if (code && ERROR_KEYS.has(code)) return `error.${code}` as MessageKey
  if (code === 'OUT_OF_SCOPE') return 'error.outOfScope'
  if (code === 'FST_ERR_BAD_URL') return 'error.badUrl'
  if (status === 400) return 'error.invalid'
  if (status === 403) return 'error.forbidden'
  if (status === 404) return 'error.notFound'
  if (status === 413) return 'error.tooLarge'
  if (status === 431) return 'error.headersTooLarge'
  if (status === 503) return 'error.unavailable'
  return 'error.generic'
}

/** A browser asking for anything but the API: it gets a page, an API client JSON. */
export function wantsPage (req: FastifyRequest): boolean {
  return !req.url.startsWith('/v1/') && /text\/html/i.test(String(req.headers.accept ?? ''))
}

export function pageError (err: FastifyError | DomainError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const p = pageOf(req)
  let status = (err as FastifyError).validation ? 400 : statusOf(err)
  if (isConnectionError(err)) {
    // the outage is logged once by the database's health watch
    status = 503
    reply.header('retry-after', String(OUTAGE_RETRY_AFTER_S))
  } else if (status >= 500) {
    req.log.error({ err }, 'page failed')
    status = 500
  }
  const code = (err as FastifyError).validation ? 'BAD_REQUEST' : err.code
  return sendPage(reply, layout(p, p.t('error.title'), html`<h1>${p.t('error.title')}</h1><p class="error" role="alert" data-code="${code ?? ''}">${p.t(errorKey(status, code))}</p><p><a href="/">${p.t('nav.calendar')}</a></p>`), status)
}

const PLAIN: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }

/**
 * Node's clientError: the request could not even be parsed, so there is no route and no cookie. A
 * browser (its raw request asks for text/html) gets a small page in both languages; others the JSON
 * fastify would have sent.
 */
export function clientErrorResponse (err: Error & { code?: string, rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const browser = Buffer.isBuffer(err.rawPacket) && /\r\naccept:[^\r\n]*text\/html/i.test(err.rawPacket.toString('latin1'))
  let body: string
  let type: string
  if (browser) {
    const key = errorKey(status, undefined)
    const [zh, en] = [translator('zh-HK'), translator('en')]
    body = html`<!doctype html><html lang="zh-HK"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${zh('error.title')} · ${en('error.title')}</title><link rel="stylesheet" href="/assets/app.css"></head><body><main><h1>${zh('error.title')}</h1><p class="error" role="alert">${zh(key)}</p><h1 lang="en">${en('error.title')}</h1><p class="error" lang="en">${en(key)}</p><p><a href="/">${zh('nav.calendar')} · ${en('nav.calendar')}</a></p></main></body></html>`.text
    type = 'text/html; charset=utf-8'
  } else {
    body = JSON.stringify({ error: PLAIN[status], message: PLAIN[status], statusCode: status })
    type = 'application/json'
  }
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${PLAIN[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${type}\r\nConnection: close\r\n\r\n${body}`)
  socket.destroy(err)
}

/** 404 and malformed addresses outside any route: a page for a browser, JSON for the API. */
export function unroutedError (status: 400 | 404, code: string, message: string) {
  return (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (wantsPage(req)) return pageError(Object.assign(new Error(message), { statusCode: status, code }) as FastifyError, req, reply)
    return reply.code(status).send({ error: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message })
  }
}
