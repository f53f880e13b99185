// Claims on a provider over HTTP (the web app's forms post to the same functions):
//   POST /v1/reconciliations/:date/claims    open a claim on an open exception that fits one
//   GET  /v1/claims?status=                  the claims, newest first
//   POST /v1/claims/:id/send|credit|reject   move a claim on, with a note
// Each move is in the audit trail; crediting one resolves its exception and re-runs its day.
import type { FastifyInstance } from 'fastify'
import { CLAIM_STATUSES, type ClaimStatus } from '../../reconciler/claims.ts'
import { requireStores, storeScope } from '../auth/scope.ts'
import type { AppDeps } from '../deps.ts'
import { listClaims, moveClaim, openClaim, type ClaimMove } from '../recon/claims.ts'
import { standingReport } from '../recon/days.ts'
import { findException } from '../recon/detail.ts'
import { DomainError } from '../domain-error.ts'
import { dateParam, errorResponses } from '../schemas.ts'
import { claimSchema } from './resolution-schemas.ts'

const note = { type: 'string', minLength: 3, maxLength: 500, description: 'what was sent, agreed or refused: kept in the audit trail' } as const

export async function claimRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  app.post<{ Params: { date: string }, Body: { key: string, amount?: number, reference?: string | null, note: string } }>('/v1/reconciliations/:date/claims', {
    config: { access: 'exceptions:resolve' }, handlerTimeout: t, bodyLimit: 8192,
    schema: {
      summary: 'Claim money back from the provider for an exception (a duplicate listing, a chargeback, a missing or short payout, a fee above its band, money taken back)',
      tags: ['reconciliation'],
      params: { type: 'object', properties: { date: dateParam }, required: ['date'] },
      body: {
        type: 'object', additionalProperties: false, required: ['key', 'note'],
        properties: {
          key: { type: 'string', minLength: 1, maxLength: 400 }, note,
          amount: { type: 'integer', minimum: 1, description: 'cents; unset: the money at stake' },
          reference: { type: ['string', 'null'], maxLength: 128, description: 'what the credit will name; unset: the provider\'s id for the record or payout' }
        }
      },
      response: { 201: claimSchema, ...errorResponses }
    }
  }, async (req, reply) => {
    const found = findException(await standingReport(deps.db, req.params.date), req.body.key)
    requireStores(req, found?.e.store_id ?? null)
    const claim = await openClaim(deps.db, { date: req.params.date, key: req.body.key, amount: req.body.amount, reference: req.body.reference, note: req.body.note, actor: req.principal!.actor })
    return reply.code(201).send(claim)
  })

  app.get<{ Querystring: { status?: ClaimStatus, limit: number } }>('/v1/claims', {
    config: { access: 'reconciliation:read' }, handlerTimeout: t,
    schema: {
      summary: 'Claims on providers, newest first',
      tags: ['reconciliation'],
      querystring: { type: 'object', properties: { status: { type: 'string', enum: [...CLAIM_STATUSES] }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: claimSchema } } }, ...errorResponses }
    }
  }, async req => ({ items: await listClaims(deps.db, { status: req.query.status ?? null, stores: storeScope(req), limit: req.query.limit }) }))

  app.post<{ Params: { id: number, move: ClaimMove }, Body: { note: string } }>('/v1/claims/:id/:move', {
    config: { access: 'exceptions:resolve' }, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      summary: 'Move a claim on: send (open → sent), credit (open or sent → credited, by hand), reject (open or sent → rejected)',
      tags: ['reconciliation'],
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, move: { type: 'string', enum: ['send', 'credit', 'reject'] } }, required: ['id', 'move'] },
      body: { type: 'object', additionalProperties: false, required: ['note'], properties: { note } },
      response: { 200: claimSchema, ...errorResponses }
    }
  }, async req => {
    const { rows: [own] } = await deps.db.query<{ store_id: string | null }>('SELECT store_id FROM claims WHERE id = $1', [req.params.id])
    if (!own) throw new DomainError('not_found', 'NOT_FOUND', `no claim ${req.params.id}`)
    requireStores(req, own.store_id)
    return await moveClaim({ db: deps.db, cipher: deps.cipher, config: deps.config, boss: deps.boss }, { id: req.params.id, move: req.params.move, note: req.body.note, actor: req.principal!.actor })
  })
}
