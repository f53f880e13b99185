// Errors on pages: rendered in the page's language from the error's code, never as JSON or English text.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { HttpError } from '../errors.ts'
import { html } from './html.ts'
import { layout, pageOf, sendPage } from './layout.ts'
import type { MessageKey } from './messages/en.ts'

const ERROR_KEYS = new Set(['NOT_OPEN', 'ALREADY_LINKED', 'NOT_LINKABLE', 'SALE_VOIDED', 'NOT_DUE', 'REASON_REQUIRED', 'CSRF'])

/** The message key for an error code on a page. */
export function errorKey (status: number, code: string | undefined): MessageKey {
  if (code && ERROR_KEYS.has(code)) return `error.${code}` as MessageKey
  if (code === 'OUT_OF_SCOPE') return 'error.outOfScope'
  if (status === 400) return 'error.invalid'
  if (status === 403) return 'error.forbidden'
  if (status === 404) return 'error.notFound'
  return 'error.generic'
}

export function pageError (err: FastifyError | HttpError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const p = pageOf(req)
  const status = (err as FastifyError).validation ? 400 : err.statusCode ?? 500
  if (status >= 500) req.log.error({ err }, 'page failed')
  const code = (err as FastifyError).validation ? 'BAD_REQUEST' : err.code
  return sendPage(reply, layout(p, p.t('error.title'), html`<h1>${p.t('error.title')}</h1><p class="error" role="alert" data-code="${code ?? ''}">${p.t(errorKey(status, code))}</p><p><a href="/">${p.t('nav.calendar')}</a></p>`), status >= 500 ? 500 : status)
}
