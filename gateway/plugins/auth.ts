// Authentication and authorisation for every route. Deny by default: each route declares
// `config.access` — 'public', 'webhook' (authenticated by its own signature) or the one permission it
// needs — and registering a route without it fails at start-up (A2). A caller is either an API key
// (from the configuration, or an integration's key stored as a SHA-256 hash and revocable) or a signed-in
// person (a session cookie whose token is stored hashed; changes need the session's CSRF token). The
// role must hold the permission; a store manager's requests are further limited to its stores (scope.ts).
import { createHash, timingSafeEqual } from 'node:crypto'
import { parseCookie } from 'cookie'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ConfigKey } from '../config.ts'
import type { Db } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import { can, type Permission, type Role } from '../auth/roles.ts'
import { sessionFrom, SESSION_COOKIE } from '../auth/sessions.ts'

export type Access = 'public' | 'webhook' | Permission

export interface Principal {
  kind: 'key' | 'session'
  role: Role
  /** The stores a store manager may see; null: every store. */
  stores: string[] | null
  /** Who, for audit trails: `user:<name>` or `key:<name>`. */
  actor: string
  userId?: number
  displayName?: string
  csrf?: string
}

declare module 'fastify' {
  interface FastifyContextConfig { access?: Access, page?: boolean }
  interface FastifyRequest { principal?: Principal, role?: Role }
  /** Every route and what it needs (for the access matrix test and the docs). */
  interface FastifyInstance { routeAccess: Array<{ method: string, url: string, access: Access }> }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export function presentedKey (req: FastifyRequest): string | null {
  const auth = req.headers.authorization
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7).trim()
  const key = req.headers['x-api-key']
  return typeof key === 'string' ? key.trim() : null
}

/**
 * A cookie's value, parsed by `cookie` (jshttp, the parser under Express and @fastify/cookie), which
 * never throws: a malformed percent-escape (`lang=%E0%A4%A`) is kept as it came, and the caller finds
 * it is no value it knows. Hand parsing with decodeURIComponent threw, and every page answered 500.
 */
export function cookie (req: FastifyRequest, name: string): string | null {
  const header = req.headers.cookie
  return header ? parseCookie(header)[name] ?? null : null
}

async function fromKey (db: Db, known: Array<{ digest: Buffer, key: ConfigKey }>, key: string): Promise<Principal | null> {
  const d = digest(key)
  let found: ConfigKey | null = null
  // every configured key is compared, in constant time, whichever matches
  for (const k of known) if (timingSafeEqual(k.digest, d)) found = k.key
  if (found) return { kind: 'key', role: found.role, stores: found.stores, actor: `key:${found.role}` }
  const { rows } = await db.query<{ id: number, name: string, role: Role, stores: string[] | null }>('SELECT id, name, role, stores FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL', [d])
  if (!rows.length) return null
  await db.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`, [rows[0].id])
  return { kind: 'key', role: rows[0].role, stores: rows[0].stores, actor: `key:${rows[0].name}` }
}

/** A page sends a person who is not signed in to the sign-in page; anything else is an error (pages render it in their language). */
function refuse (req: FastifyRequest, reply: FastifyReply, status: 401 | 403, message: string): FastifyReply | never {
  if (status === 401 && req.routeOptions.config.page) return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303)
  throw new DomainError(status === 401 ? 'unauthenticated' : 'forbidden', status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', message)
}

export function registerAuth (app: FastifyInstance, deps: { db: Db, apiKeys: ConfigKey[] }): void {
  const known = deps.apiKeys.map(k => ({ digest: digest(k.key), key: k }))
  app.decorateRequest('principal', undefined)
  const routeAccess: FastifyInstance['routeAccess'] = []
  app.decorate('routeAccess', routeAccess)
  app.addHook('onRoute', route => {
    // the documentation UI's own routes are public
    if (route.url.startsWith('/docs')) { route.config = { ...route.config, access: 'public' }; route.handlerTimeout ??= 10_000; return }
    if (!route.config?.access) throw new Error(`route ${route.method} ${route.url} does not declare config.access`)
    // every route has a time limit: its own handlerTimeout, or (webhooks) the database timeouts
    if (!route.handlerTimeout && route.config.access !== 'webhook') throw new Error(`route ${route.method} ${route.url} does not set a handlerTimeout`)
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeAccess.push({ method, url: route.url, access: route.config.access })
  })
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config.access
    if (access === undefined || access === 'public' || access === 'webhook') return
    const key = presentedKey(req)
    const sid = key ? null : cookie(req, SESSION_COOKIE)
    const principal = key ? await fromKey(deps.db, known, key) : sid ? await sessionFrom(deps.db, sid) : null
    if (!principal) return refuse(req, reply, 401, key ? 'unknown API key' : 'sign in, or send an API key (Authorization: Bearer <key>)')
    if (!can(principal.role, access)) return refuse(req, reply, 403, `the ${principal.role} role may not use this route`)
    req.principal = principal
    req.role = principal.role
  })
  // a signed-in person's changes carry the session's CSRF token (checked once the body is parsed)
  app.addHook('preHandler', async req => {
    const p = req.principal
    if (!p || p.kind !== 'session' || req.method === 'GET' || req.method === 'HEAD') return
    const sent = String(req.headers['x-csrf-token'] ?? (req.body as { _csrf?: unknown } | undefined)?._csrf ?? '')
    const a = Buffer.from(sent)
    const b = Buffer.from(p.csrf ?? '')
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new DomainError('forbidden', 'CSRF', 'the form is stale or did not come from this site; reload the page and try again')
  })
}
