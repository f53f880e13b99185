// Builds the HTTP app (no listen): the fastify Testing guide's factory, driven by tests with inject().
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { PosConnector } from '../connectors/pos.ts'
import type { AppDeps } from './deps.ts'
import { errorHandler } from './errors.ts'
import { registerAuth } from './plugins/auth.ts'
import { healthRoutes } from './routes/health.ts'
import { importRoutes } from './routes/imports.ts'
import { posEventRoutes } from './routes/pos-events.ts'
import { readRoutes } from './routes/reads.ts'
import { reconciliationRoutes } from './routes/reconciliations.ts'
import { resolutionRoutes } from './routes/resolutions.ts'
import { inventoryRoutes } from './routes/inventory.ts'
import { replenishmentRoutes } from './routes/replenishment.ts'
import { dingtalkRoutes } from './routes/dingtalk.ts'
import { stockListRoutes } from './routes/stock-lists.ts'
import { settlementRoutes } from './routes/settlements.ts'
import { bankRoutes } from './routes/bank.ts'
import { claimRoutes } from './routes/claims.ts'
import { webhookRoutes } from './routes/webhooks.ts'
import { accountRoutes } from './routes/accounts.ts'
import { webRoutes } from './web/routes.ts'
import { clientErrorResponse, pageError, unroutedError, wantsPage } from './web/page-errors.ts'

export interface AppOptions { logger?: boolean | object, loggerInstance?: FastifyBaseLogger }

/**
 * Log redaction: credentials, cookies and every registered vendor's signature headers never reach the
 * log (one list, for the app and the server's logger). Bodies are never logged at all.
 */
export function redactPaths (vendors: Iterable<PosConnector>): string[] {
  const signatures = [...vendors].flatMap(v => v.signatureHeaders).map(h => `req.headers["${h.toLowerCase()}"]`)
  return ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'req.headers["x-csrf-token"]', ...new Set(signatures)]
}

export async function buildApp (deps: AppDeps, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { limits } = deps.config
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: opts.logger === undefined || opts.logger === false ? false : { ...(opts.logger === true ? {} : opts.logger), redact: redactPaths(deps.registry.pos.values()) } }),
    bodyLimit: 1024 * 1024,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: 10_000,
    return503OnClosing: true,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
    // requests that never reach a route (unparseable, a malformed address) are answered like the rest:
    // a page in the reader's language for a browser, JSON for the API
    clientErrorHandler: clientErrorResponse,
    frameworkErrors: (err, req, reply) => wantsPage(req) ? pageError(err, req, reply) : errorHandler(err, req, reply)
  })
  // Slow-header clients (slowloris) are cut off well before the request timeout.
  app.server.headersTimeout = 15_000
  app.setErrorHandler(errorHandler)
  app.setNotFoundHandler(unroutedError(404, 'NOT_FOUND', 'no such address'))
  // HTML forms post url-encoded bodies (the web app's sign-in and actions); the body limit still applies
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)))
  })
  registerAuth(app, { db: deps.db, apiKeys: deps.config.apiKeys })
  await app.register(swagger, {
    openapi: {
      info: { title: 'HK POS and payment reconciliation gateway', version: '0.1.0', description: 'Money is integer HKD cents; business days are HKT (YYYY-MM-DD).' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'API key of an integration or a role (owner, finance, store_manager, pos_vendor, auditor); people sign in at /login instead' } } },
      security: [{ apiKey: [] }]
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(healthRoutes, deps)
  await app.register(webhookRoutes, deps)
  await app.register(posEventRoutes, deps)
  await app.register(settlementRoutes, deps)
  await app.register(bankRoutes, deps)
  await app.register(claimRoutes, deps)
  await app.register(importRoutes, deps)
  await app.register(readRoutes, deps)
  await app.register(reconciliationRoutes, deps)
  await app.register(resolutionRoutes, deps)
  await app.register(inventoryRoutes, deps)
  await app.register(replenishmentRoutes, deps)
  await app.register(dingtalkRoutes, deps)
  await app.register(stockListRoutes, deps)
  await app.register(accountRoutes, deps)
  await app.register(webRoutes, deps)
  return app
}
