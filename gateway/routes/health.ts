import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'

const status = { type: 'object', properties: { status: { type: 'string' }, checks: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['status'] } as const

export async function healthRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', { config: { access: 'public' }, handlerTimeout: 5000, schema: { summary: 'The process is up', tags: ['health'], response: { 200: status } } }, async () => ({ status: 'ok' }))
  app.get('/readyz', {
    config: { access: 'public' },
    handlerTimeout: 5000,
    schema: { summary: 'The database and the job queue answer', tags: ['health'], response: { 200: status, 503: status } }
  }, async (_req, reply) => {
    const checks: Record<string, string> = {}
    try { await deps.db.ping(); checks.database = 'ok' } catch { checks.database = 'unreachable' }
    try { await deps.boss.getQueue('pos.normalize'); checks.queue = 'ok' } catch { checks.queue = 'unavailable' }
    const ok = Object.values(checks).every(v => v === 'ok')
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not ready', checks })
  })
}
