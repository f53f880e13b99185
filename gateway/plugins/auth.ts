// API keys per role (finance, pos, admin) until full RBAC arrives. Deny by default: every route must
// declare `config.access` ('public', 'webhook' — authenticated by its signature — or a list of
// roles), and registering a route without it fails at start-up. Keys are compared as SHA-256 digests
// with timingSafeEqual, against every configured key.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Role } from '../config.ts'
import { HttpError } from '../errors.ts'

export type Access = 'public' | 'webhook' | Role[]

declare module 'fastify' {
  interface FastifyContextConfig { access?: Access }
  interface FastifyRequest { role?: Role }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export function presentedKey (req: FastifyRequest): string | null {
  const auth = req.headers.authorization
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim()
  const key = req.headers['x-api-key']
  return typeof key === 'string' ? key.trim() : null
}

export function registerAuth (app: FastifyInstance, keys: Array<{ role: Role, key: string }>): void {
  const known = keys.map(k => ({ role: k.role, digest: digest(k.key) }))
  app.addHook('onRoute', route => {
    // the documentation UI's own routes are public
    if (route.url.startsWith('/docs')) { route.config = { ...route.config, access: 'public' }; route.handlerTimeout ??= 10_000; return }
    if (!route.config?.access) throw new Error(`route ${route.method} ${route.url} does not declare config.access`)
    // every route has a time limit: its own handlerTimeout, or (webhooks) the database timeouts
    if (!route.handlerTimeout && route.config.access !== 'webhook') throw new Error(`route ${route.method} ${route.url} does not set a handlerTimeout`)
  })
  app.addHook('onRequest', async req => {
    const access = req.routeOptions.config.access
    if (access === undefined || access === 'public' || access === 'webhook') return
    const key = presentedKey(req)
    if (!key) throw new HttpError(401, 'UNAUTHENTICATED', 'an API key is required (Authorization: Bearer <key>)')
    const d = digest(key)
    let role: Role | undefined
    for (const k of known) if (timingSafeEqual(k.digest, d)) role = k.role
    if (!role) throw new HttpError(401, 'UNAUTHENTICATED', 'unknown API key')
    if (!access.includes(role)) throw new HttpError(403, 'FORBIDDEN', `the ${role} role may not use this route`)
    req.role = role
  })
}
