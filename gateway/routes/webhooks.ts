// POST /v1/webhooks/:connector — the POS vendors' door. The signature is checked on the raw bytes
// before anything parses them; a card number anywhere refuses the delivery; the payload is normalised
// (pure) so a malformed one is answered 422 at once; then it is stored raw and encrypted, with its
// normalisation job, and answered 202. The same event id again: 200 (nothing new); with another body:
// 409 and a security log line.
import { INBOX_BODY_CONTEXT } from '../crypto.ts'
import { hash } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { containsPan } from '../../connectors/_shared/pan.ts'
import { InputError, PAN_MESSAGE } from '../../connectors/errors.ts'
import { header } from '../../connectors/pos.ts'
import { storeResolver } from '../config.ts'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { errorResponses } from '../schemas.ts'

const ack = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate', 'ignored'] },
    event_id: { type: 'string' },
    inbox_id: { type: 'integer' },
    events: { type: 'integer', description: 'sales, refunds and voids in the delivery' }
  },
  required: ['status']
} as const

export async function webhookRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const limit = deps.config.limits.webhookBodyBytes
  // Keep the raw bytes: the signature is over them, and re-serialised JSON would not verify.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body))
  const knownStores = new Set(deps.config.stores.map(s => s.id))
  const enabled = new Set(deps.config.posVendors)
  const resolvers = new Map([...deps.registry.pos.keys()].map(id => [id, storeResolver(deps.config, id)]))

  app.post<{ Params: { connector: string } }>('/v1/webhooks/:connector', {
    config: { access: 'webhook' },
    bodyLimit: limit,
    // No fastify handlerTimeout here: it costs an AbortController and a DOMException per request on
    // the hottest route. Receiving is bounded by the server's requestTimeout, the work by the pool's
    // connection timeout and statement_timeout (gateway/db/pool.ts).
    schema: {
      summary: 'Receive a POS webhook (sale, refund, void)',
      description: `Signed per vendor, checked on the raw bytes before anything is parsed: ${[...deps.registry.pos.values()].map(v => `${v.id} (${v.signatureHeaders.join(', ')})`).join('; ')}.`,
      tags: ['webhooks'],
      params: { type: 'object', properties: { connector: { type: 'string', enum: [...deps.registry.pos.keys()] } }, required: ['connector'] },
      response: { 200: ack, 202: ack, ...errorResponses }
    }
  }, async (req, reply) => {
    const connector = deps.registry.pos.get(req.params.connector)!
    // registered in the code but not enabled here (RECON_POS_VENDORS): no secret to check against
    if (!enabled.has(connector.id)) throw new DomainError('not_found', 'VENDOR_NOT_ENABLED', `POS vendor ${connector.id} is not enabled on this gateway (enabled: ${[...enabled].join(', ') || 'none'})`)
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const receivedAt = new Date()
    const verdict = connector.verify({ headers: req.headers, rawBody: raw, receivedAt }, deps.config.webhookSecrets[connector.id] ?? [])
    if (!verdict.ok) {
      req.log.warn({ security: true, connector: connector.id, reason: verdict.reason }, 'webhook signature refused')
      throw new DomainError('unauthenticated', 'BAD_SIGNATURE', verdict.reason)
    }
    if (containsPan(raw.toString('utf8'))) {
      req.log.warn({ security: true, connector: connector.id, eventId: verdict.eventId }, 'webhook carried a card number; refused and not stored')
      throw new InputError('CARD_NUMBER_FOUND', PAN_MESSAGE, [{ line: 0, message: PAN_MESSAGE }])
    }
    const events = connector.normalize(raw, req.headers, { eventId: verdict.eventId, receivedAt, resolveStore: resolvers.get(connector.id)!, tenderMethods: deps.registry.tenderMethods })
    if (events.length === 0) return reply.code(200).send({ status: 'ignored', event_id: verdict.eventId, events: 0 })
    if (knownStores.size) {
      const unknown = [...new Set(events.map(e => e.storeId).filter(s => s && !knownStores.has(s)))]
      if (unknown.length) throw new InputError('INVALID_PAYLOAD', `unknown store ${unknown.join(', ')} (configured: ${[...knownStores].join(', ')})`, unknown.map(s => ({ line: 0, column: 'store_id', message: `unknown store ${s}` })))
    }
    const kept: Record<string, string> = {}
    for (const h of connector.keepHeaders ?? []) { const v = header(req.headers, h); if (v !== undefined) kept[h] = v }
    const result = await deps.inbox.add({
      connector: connector.id,
      eventId: verdict.eventId,
      sha256: hash('sha256', raw, 'buffer'),
      bodyEnc: deps.cipher.encrypt(raw, INBOX_BODY_CONTEXT),
      keyId: deps.cipher.activeKeyId,
      headers: kept
    })
    if (result.status === 'conflict') {
      req.log.warn({ security: true, connector: connector.id, eventId: verdict.eventId, inboxId: result.inboxId }, 'webhook id reused with a different body; refused')
      throw new DomainError('conflict', 'EVENT_ID_CONFLICT', `event ${verdict.eventId} was already received with a different body`)
    }
    if (result.status === 'duplicate') reply.header('idempotency-hit', 'true')
    return reply.code(result.status === 'accepted' ? 202 : 200).send({ status: result.status, event_id: verdict.eventId, inbox_id: result.inboxId, events: events.length })
  })
}
