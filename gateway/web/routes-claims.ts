// The claims pages: the list by status, and the moves a claim makes from its exception's page (the
// same functions as the API; a refused move comes back with the reason, nothing changed).
import type { FastifyInstance } from 'fastify'
import { CLAIM_STATUSES, type ClaimStatus } from '../../reconciler/claims.ts'
import { requireStores, storeScope } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { listClaims, moveClaim, type ClaimMove } from '../recon/claims.ts'
import { qs } from './html.ts'
import { pageOf, sendPage } from './layout.ts'
import { claimsPage } from './pages/claims.ts'

export async function claimPageRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  app.get<{ Querystring: { status?: ClaimStatus } }>('/claims', {
    config: { access: 'reconciliation:read', page: true }, handlerTimeout: t,
    schema: { hide: true, querystring: { type: 'object', properties: { status: { type: 'string', enum: [...CLAIM_STATUSES] } } } }
  }, async (req, reply) => {
    const claims = await listClaims(deps.db, { status: req.query.status ?? null, stores: storeScope(req), limit: 500 })
    return sendPage(reply, claimsPage(pageOf(req), req.query.status ?? null, claims))
  })

  app.post<{ Params: { id: number, move: ClaimMove }, Body: { note: string } }>('/claims/:id/:move', {
    config: { access: 'exceptions:resolve', page: true }, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      hide: true,
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, move: { type: 'string', enum: ['send', 'credit', 'reject'] } }, required: ['id', 'move'] },
      body: { type: 'object', properties: { _csrf: { type: 'string', maxLength: 100 }, note: { type: 'string', maxLength: 500 } }, required: ['note'] }
    }
  }, async (req, reply) => {
    const { rows: [c] } = await deps.db.query<{ business_date: string, exception_key: string, store_id: string | null }>('SELECT business_date::text, exception_key, store_id FROM claims WHERE id = $1', [req.params.id])
    if (!c) throw new DomainError('not_found', 'NOT_FOUND', `no claim ${req.params.id}`)
    requireStores(req, c.store_id)
    const back = `/days/${c.business_date}/exceptions/${encodeURIComponent(c.exception_key)}`
    try {
      const note = req.body.note.trim()
      if (note.length < 3) throw new DomainError('invalid', 'REASON_REQUIRED', 'a note of at least 3 characters')
      await moveClaim({ db: deps.db, cipher: deps.cipher, config: deps.config, boss: deps.boss }, { id: req.params.id, move: req.params.move, note, actor: req.principal!.actor })
      return reply.redirect(`${back}${qs({ done: `claim-${req.params.move}` })}`, 303)
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      return reply.redirect(`${back}${qs({ error: err.code })}`, 303)
    }
  })
}
