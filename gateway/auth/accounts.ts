// People and integration keys. Passwords are kept only as Argon2id hashes and API keys only as SHA-256
// digests (a key is shown once, when made); every change is written to the audit trail with who made it.
import { createHash, randomBytes } from 'node:crypto'
import type { Sql } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import { audit } from './audit.ts'
import { isScoped, parseRole, ROLES, type Role } from './roles.ts'
import { hashPassword } from './sessions.ts'

export interface NewUser { username: string, displayName?: string, password: string, role: string, stores?: string[] | null }
export interface UserRow { id: number, username: string, display_name: string, role: Role, stores: string[] | null, active: boolean, created_at: Date }
export interface ApiKeyRow { id: number, name: string, role: Role, stores: string[] | null, prefix: string, created_by: string, created_at: Date, revoked_at: Date | null, last_used_at: Date | null }

/** The role, and the stores when (and only when) the role is limited to stores; the stores must exist. */
async function roleAndStores (sql: Sql, roleName: string, stores: string[] | null | undefined): Promise<{ role: Role, stores: string[] | null }> {
  const role = parseRole(roleName)
  if (!role) throw new DomainError('unprocessable', 'INVALID_ROLE', `role "${roleName}" is not one of ${ROLES.join(', ')}`)
  const list = stores?.length ? [...new Set(stores)] : null
  if (isScoped(role) && !list) throw new DomainError('unprocessable', 'STORES_REQUIRED', 'a store manager is limited to named stores: give at least one')
  if (!isScoped(role) && list) throw new DomainError('unprocessable', 'STORES_NOT_ALLOWED', `the ${role} role sees every store; only a store manager names stores`)
  if (list) {
    const { rows } = await sql.query('SELECT id FROM locations WHERE id = ANY($1::text[])', [list])
    const unknown = list.filter(s => !rows.some(r => r.id === s))
    if (unknown.length) throw new DomainError('unprocessable', 'UNKNOWN_STORE', `no store ${unknown.join(', ')}`)
  }
  return { role, stores: list }
}

export async function createUser (sql: Sql, u: NewUser, actor: string): Promise<UserRow> {
  const username = u.username.trim().toLowerCase()
  if (!/^[a-z0-9._-]{2,64}$/.test(username)) throw new DomainError('unprocessable', 'INVALID_USERNAME', 'a user name is 2–64 of a-z, 0-9, dot, dash, underscore')
  const { role, stores } = await roleAndStores(sql, u.role, u.stores)
  const hash = await hashPassword(u.password)
  const { rows } = await sql.query<UserRow>(
    `INSERT INTO users (username, display_name, password_hash, role, stores) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (username) DO NOTHING RETURNING id, username, display_name, role, stores, active, created_at`,
    [username, u.displayName?.trim() || username, hash, role, stores])
  if (!rows.length) throw new DomainError('conflict', 'USER_EXISTS', `user ${username} exists`)
  await audit(sql, { actor, action: 'user.create', target: `user:${username}`, details: { role, stores } })
  return rows[0]
}

export async function setPassword (sql: Sql, username: string, password: string, actor: string): Promise<void> {
  const hash = await hashPassword(password)
  const { rows } = await sql.query('UPDATE users SET password_hash = $2 WHERE username = $1 RETURNING id', [username, hash])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no user ${username}`)
  // a new password signs the account out everywhere
  await sql.query('DELETE FROM sessions WHERE user_id = $1', [rows[0].id])
  await audit(sql, { actor, action: 'user.password', target: `user:${username}` })
}

export async function setActive (sql: Sql, username: string, active: boolean, actor: string): Promise<void> {
  const { rows } = await sql.query('UPDATE users SET active = $2 WHERE username = $1 RETURNING id', [username, active])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no user ${username}`)
  if (!active) await sql.query('DELETE FROM sessions WHERE user_id = $1', [rows[0].id])
  await audit(sql, { actor, action: active ? 'user.enable' : 'user.disable', target: `user:${username}` })
}

export async function listUsers (sql: Sql): Promise<UserRow[]> {
  const { rows } = await sql.query<UserRow>('SELECT id, username, display_name, role, stores, active, created_at FROM users ORDER BY username')
  return rows
}

/** Makes a key for an integration; the key itself is returned this once and never stored. */
export async function createApiKey (sql: Sql, k: { name: string, role: string, stores?: string[] | null }, actor: string): Promise<ApiKeyRow & { key: string }> {
  const name = k.name.trim()
  if (!/^[\p{L}\p{N} ._-]{2,64}$/u.test(name)) throw new DomainError('unprocessable', 'INVALID_NAME', 'a key name is 2–64 letters, digits, spaces, dots, dashes')
  const { role, stores } = await roleAndStores(sql, k.role, k.stores)
  const key = `rk_${randomBytes(24).toString('base64url')}`
  const { rows } = await sql.query<ApiKeyRow>(
    `INSERT INTO api_keys (name, role, stores, key_hash, prefix, created_by) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, name, role, stores, prefix, created_by, created_at, revoked_at, last_used_at`,
    [name, role, stores, createHash('sha256').update(key).digest(), key.slice(0, 7), actor])
  await audit(sql, { actor, action: 'api_key.create', target: `api_key:${rows[0].id}`, details: { name, role, stores } })
  return { ...rows[0], key }
}

export async function revokeApiKey (sql: Sql, id: number, actor: string): Promise<void> {
  const { rows } = await sql.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING name', [id])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no active API key ${id}`)
  await audit(sql, { actor, action: 'api_key.revoke', target: `api_key:${id}`, details: { name: rows[0].name } })
}

export async function listApiKeys (sql: Sql): Promise<ApiKeyRow[]> {
  const { rows } = await sql.query<ApiKeyRow>('SELECT id, name, role, stores, prefix, created_by, created_at, revoked_at, last_used_at FROM api_keys ORDER BY id')
  return rows
}
