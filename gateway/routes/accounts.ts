// Accounts over HTTP:
//   POST /v1/sessions, DELETE /v1/sessions     sign in (JSON; sets the session cookie) and out
//   GET|POST /v1/users, POST /v1/users/:username/(password|disable|enable)   people (owners only)
//   GET|POST /v1/api-keys, POST /v1/api-keys/:id/revoke                     integration keys (owners only)
//   GET /v1/audit                                                           the audit trail
import type { FastifyInstance } from 'fastify'
import { createApiKey, createUser, listApiKeys, listUsers, revokeApiKey, setActive, setPassword } from '../auth/accounts.ts'
import { auditTrail } from '../auth/audit.ts'
import { ROLES } from '../auth/roles.ts'
import { sessionCookie, signIn, signOut, SESSION_COOKIE } from '../auth/sessions.ts'
import type { AppDeps } from '../deps.ts'
import { cookie } from '../plugins/auth.ts'
import { errorResponses } from '../schemas.ts'

const nullableStores = { type: ['array', 'null'], items: { type: 'string' } } as const
const userSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, username: { type: 'string' }, display_name: { type: 'string' }, role: { type: 'string' }, stores: nullableStores, active: { type: 'boolean' }, created_at: { type: 'string', format: 'date-time' } }
} as const
const keySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, name: { type: 'string' }, role: { type: 'string' }, stores: nullableStores, prefix: { type: 'string', description: 'the first characters of the key, to recognise it' },
    created_by: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, revoked_at: { type: ['string', 'null'], format: 'date-time' }, last_used_at: { type: ['string', 'null'], format: 'date-time' }
  }
} as const
const roleInput = { type: 'string', enum: [...ROLES] } as const
const storesInput = { type: 'array', items: { type: 'string', maxLength: 32 }, maxItems: 100 } as const
const password = { type: 'string', minLength: 10, maxLength: 200 } as const
const ok = { type: 'object', properties: { ok: { type: 'boolean' } } } as const

export async function accountRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  const secure = deps.config.env === 'production'
  const manage = { access: 'accounts:manage' as const }

  app.post<{ Body: { username: string, password: string } }>('/v1/sessions', {
    config: { access: 'public' }, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      summary: 'Sign in: sets the session cookie; changes then need the returned CSRF token (x-csrf-token)', tags: ['accounts'], security: [],
      body: { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 200 } }, required: ['username', 'password'], additionalProperties: false },
      response: { 201: { type: 'object', properties: { username: { type: 'string' }, role: { type: 'string' }, csrf: { type: 'string' } } }, ...errorResponses }
    }
  }, async (req, reply) => {
    const s = await signIn(deps.db, req.body.username, req.body.password, req.ip)
    return reply.code(201).header('set-cookie', sessionCookie(s.token, secure)).send({ username: s.username, role: s.role, csrf: s.csrf })
  })

  app.delete('/v1/sessions', { config: { access: 'public' }, handlerTimeout: t, schema: { summary: 'Sign out', tags: ['accounts'], security: [], response: { 200: ok } } }, async (req, reply) => {
    const sid = cookie(req, SESSION_COOKIE)
    if (sid) await signOut(deps.db, sid)
    return reply.header('set-cookie', sessionCookie('', secure, 0)).send({ ok: true })
  })

  app.get('/v1/users', { config: manage, handlerTimeout: t, schema: { summary: 'People who sign in', tags: ['accounts'], response: { 200: { type: 'object', properties: { items: { type: 'array', items: userSchema } } }, ...errorResponses } } },
    async () => ({ items: await listUsers(deps.db) }))

  app.post<{ Body: { username: string, display_name?: string, password: string, role: string, stores?: string[] } }>('/v1/users', {
    config: manage, handlerTimeout: t, bodyLimit: 8192,
    schema: {
      summary: 'Add a person (a store manager names the stores they see)', tags: ['accounts'],
      body: { type: 'object', additionalProperties: false, required: ['username', 'password', 'role'], properties: { username: { type: 'string', maxLength: 64 }, display_name: { type: 'string', maxLength: 100 }, password, role: roleInput, stores: storesInput } },
      response: { 201: userSchema, ...errorResponses }
    }
  }, async (req, reply) => {
    const b = req.body
    const user = await deps.db.withTransaction(c => createUser(c, { username: b.username, displayName: b.display_name, password: b.password, role: b.role, stores: b.stores }, req.principal!.actor))
    return reply.code(201).send(user)
  })

  app.post<{ Params: { username: string }, Body: { password: string } }>('/v1/users/:username/password', {
    config: manage, handlerTimeout: t, bodyLimit: 4096,
    schema: { summary: 'Set a new password (signs the person out everywhere)', tags: ['accounts'], params: { type: 'object', properties: { username: { type: 'string', maxLength: 64 } } }, body: { type: 'object', properties: { password }, required: ['password'], additionalProperties: false }, response: { 200: ok, ...errorResponses } }
  }, async req => {
    await deps.db.withTransaction(c => setPassword(c, req.params.username, req.body.password, req.principal!.actor))
    return { ok: true }
  })

  for (const [path, active] of [['disable', false], ['enable', true]] as const) {
    app.post<{ Params: { username: string } }>(`/v1/users/:username/${path}`, {
      config: manage, handlerTimeout: t, bodyLimit: 1024,
      schema: { summary: active ? 'Let a person sign in again' : 'Stop a person signing in (ends their sessions)', tags: ['accounts'], params: { type: 'object', properties: { username: { type: 'string', maxLength: 64 } } }, response: { 200: ok, ...errorResponses } }
    }, async req => {
      await deps.db.withTransaction(c => setActive(c, req.params.username, active, req.principal!.actor))
      return { ok: true }
    })
  }

  app.get('/v1/api-keys', { config: manage, handlerTimeout: t, schema: { summary: 'Integration keys (never the keys themselves)', tags: ['accounts'], response: { 200: { type: 'object', properties: { items: { type: 'array', items: keySchema } } }, ...errorResponses } } },
    async () => ({ items: await listApiKeys(deps.db) }))

  app.post<{ Body: { name: string, role: string, stores?: string[] } }>('/v1/api-keys', {
    config: manage, handlerTimeout: t, bodyLimit: 4096,
    schema: {
      summary: 'Make a key for an integration: the key is shown in this answer only', tags: ['accounts'],
      body: { type: 'object', additionalProperties: false, required: ['name', 'role'], properties: { name: { type: 'string', maxLength: 64 }, role: roleInput, stores: storesInput } },
      response: { 201: { ...keySchema, properties: { ...keySchema.properties, key: { type: 'string' } } }, ...errorResponses }
    }
  }, async (req, reply) => reply.code(201).send(await deps.db.withTransaction(c => createApiKey(c, req.body, req.principal!.actor))))

  app.post<{ Params: { id: number } }>('/v1/api-keys/:id/revoke', {
    config: manage, handlerTimeout: t, bodyLimit: 1024,
    schema: { summary: 'Revoke a key: it stops working at once', tags: ['accounts'], params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } }, response: { 200: ok, ...errorResponses } }
  }, async req => {
    await deps.db.withTransaction(c => revokeApiKey(c, req.params.id, req.principal!.actor))
    return { ok: true }
  })

  app.get<{ Querystring: { target?: string, limit: number } }>('/v1/audit', {
    config: { access: 'audit:read' }, handlerTimeout: t,
    schema: {
      summary: 'The audit trail, newest first: who did what to which record, when and why', tags: ['accounts'],
      querystring: { type: 'object', properties: { target: { type: 'string', maxLength: 400, description: 'a prefix: day:2026-11-20, user:amy, api_key:3' }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } } },
      response: {
        200: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string', format: 'date-time' }, actor: { type: 'string' }, action: { type: 'string' }, target: { type: 'string' }, reason: { type: ['string', 'null'] }, details: { type: 'object', additionalProperties: true } } } } } },
        ...errorResponses
      }
    }
  }, async req => ({ items: await auditTrail(deps.db, req.query.target ?? null, req.query.limit) }))
}
