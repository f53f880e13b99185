// Signing in: Argon2id password hashes (@node-rs/argon2), sessions whose random token lives only in an
// HttpOnly cookie (the database keeps its SHA-256), a CSRF token per session, and failed attempts
// counted per account and per address so guessing is slowed to a few tries per quarter hour.
import { createHash, randomBytes } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'
import type { Db } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import type { Principal } from '../plugins/auth.ts'
import type { Role } from './roles.ts'

export const SESSION_COOKIE = 'sid'
export const SESSION_HOURS = 12
/** Failed sign-ins allowed per account (and per address) in the window before 429. */
export const LOGIN_LIMIT = { failures: 5, windowMinutes: 15, perAddress: 20 }

const tokenHash = (token: string): Buffer => createHash('sha256').update(token).digest()

// A hash of a random password, verified when the account does not exist, so that an unknown name
// takes as long to refuse as a wrong password (no account enumeration by timing).
let decoy: Promise<string> | null = null

export async function hashPassword (password: string): Promise<string> {
  if (password.length < 10) throw new DomainError('unprocessable', 'WEAK_PASSWORD', 'a password has at least 10 characters')
  if (password.length > 200) throw new DomainError('unprocessable', 'WEAK_PASSWORD', 'a password has at most 200 characters')
  return await hash(password)
}

export async function sessionFrom (db: Db, token: string): Promise<Principal | null> {
  if (token.length !== 43) return null
  const { rows } = await db.query<{ id: number, username: string, display_name: string, role: Role, stores: string[] | null, csrf: string }>(
    `UPDATE sessions s SET last_seen_at = now() FROM users u
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.id = s.user_id AND u.active
      RETURNING u.id, u.username, u.display_name, u.role, u.stores, s.csrf`, [tokenHash(token)])
  if (!rows.length) return null
  const u = rows[0]
  return { kind: 'session', role: u.role, stores: u.stores, actor: `user:${u.username}`, userId: u.id, displayName: u.display_name, csrf: u.csrf }
}

async function tooManyFailures (db: Db, username: string, ip: string): Promise<number | null> {
  const { rows } = await db.query<{ by_user: number, by_ip: number, oldest: Date }>(
    `SELECT count(*) FILTER (WHERE username = $1 AND NOT ok) AS by_user, count(*) FILTER (WHERE ip = $2 AND NOT ok) AS by_ip, min(at) AS oldest
       FROM login_attempts WHERE (username = $1 OR ip = $2) AND at > now() - make_interval(mins => $3)`,
    [username, ip, LOGIN_LIMIT.windowMinutes])
  const r = rows[0]
  if (r.by_user < LOGIN_LIMIT.failures && r.by_ip < LOGIN_LIMIT.perAddress) return null
  const retry = Math.ceil((r.oldest.getTime() + LOGIN_LIMIT.windowMinutes * 60_000 - Date.now()) / 1000)
  return Math.max(1, retry)
}

export interface SignedIn { token: string, csrf: string, username: string, role: string }

/** Checks a password and opens a session; a refusal never says whether the account exists. */
export async function signIn (db: Db, username: string, password: string, ip: string): Promise<SignedIn> {
  const name = username.trim().toLowerCase()
  const wait = await tooManyFailures(db, name, ip)
  if (wait !== null) {
    throw new DomainError('rate_limited', 'TOO_MANY_ATTEMPTS', `too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minutes`, { 'retry-after': String(wait) })
  }
  const { rows } = await db.query<{ id: number, username: string, role: Role, password_hash: string }>('SELECT id, username, role, password_hash FROM users WHERE username = $1 AND active', [name])
  decoy ??= hash(randomBytes(16).toString('hex'))
  const ok = await verify(rows[0]?.password_hash ?? await decoy, password).catch(() => false) && rows.length === 1
  await db.query('INSERT INTO login_attempts (username, ip, ok) VALUES ($1, $2, $3)', [name, ip, ok])
  if (!ok) throw new DomainError('unauthenticated', 'SIGN_IN_FAILED', 'wrong user name or password')
  const token = randomBytes(32).toString('base64url')
  const csrf = randomBytes(24).toString('base64url')
  await db.query(`INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [tokenHash(token), rows[0].id, csrf, SESSION_HOURS])
  // old attempts and expired sessions are no longer needed
  await db.query(`DELETE FROM login_attempts WHERE at < now() - interval '1 day'`)
  await db.query('DELETE FROM sessions WHERE expires_at < now()')
  return { token, csrf, username: rows[0].username, role: rows[0].role }
}

export async function signOut (db: Db, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash(token)])
}

/** The Set-Cookie value: HttpOnly (no script reads it), SameSite=Lax, Secure outside development. */
export function sessionCookie (token: string, secure: boolean, maxAgeSeconds = SESSION_HOURS * 3600): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`
}
