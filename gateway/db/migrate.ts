// Forward-only plain-SQL migrations: files NNNN_name.sql applied in order, each in its own transaction,
// under an advisory lock so two processes starting together do not race. A database that has a
// migration this code does not know is newer than the code: we refuse to run against it.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'

const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations')
// pg_advisory_lock key: any constant unique to this application.
const LOCK_KEY = 8_524_100_001

export interface Migration { version: number, name: string, sql: string }

export async function loadMigrations (dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter(f => /^\d{4}_[a-z0-9_]+\.sql$/.test(f)).sort()
  const out: Migration[] = []
  for (const f of files) {
    const version = Number(f.slice(0, 4))
    if (out.some(m => m.version === version)) throw new Error(`two migrations share version ${version}`)
    out.push({ version, name: f.replace(/\.sql$/, ''), sql: await readFile(join(dir, f), 'utf8') })
  }
  return out
}

export class SchemaTooNewError extends Error {
  constructor (dbVersion: number, codeVersion: number) {
    super(`the database schema is at version ${dbVersion} but this code only knows up to ${codeVersion}; run a newer release of the gateway (we never migrate backwards)`)
    this.name = 'SchemaTooNewError'
  }
}

/** Applies pending migrations; returns the versions applied. */
export async function migrate (url: string, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? await loadMigrations()
  const client = new pg.Client({ connectionString: url, application_name: 'recon-migrate' })
  // a connection lost mid-migration rejects the statement in flight; unheard, it would also end the process
  client.on('error', () => {})
  await client.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY])
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    const applied = new Set(rows.map(r => r.version))
    const newest = Math.max(0, ...applied)
    const known = Math.max(0, ...all.map(m => m.version))
    if (newest > known) throw new SchemaTooNewError(newest, known)
    const done: number[] = []
    for (const m of all) {
      if (applied.has(m.version)) continue
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err })
      }
      done.push(m.version)
    }
    return done
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {})
    await client.end()
  }
}
