// Locations: central warehouses, stores and temporary stalls, the places stock is held.
import type { Sql } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'

export type LocationKind = 'central' | 'store' | 'temporary'
export interface Location { id: string, name: string, kind: LocationKind, active: boolean }

/** Locations in id order, limited to `scope` when given; `activeOnly` leaves out retired ones. */
export async function listLocations (sql: Sql, scope: readonly string[] | null, activeOnly = false): Promise<Location[]> {
  const { rows } = await sql.query<Location>(
    'SELECT id, name, kind, active FROM locations WHERE ($1::text[] IS NULL OR id = ANY($1)) AND (active OR NOT $2) ORDER BY id', [scope, activeOnly])
  return rows
}

/** Adds a location; 409 when its id is taken. */
export async function addLocation (sql: Sql, l: { id: string, name: string, kind: LocationKind }): Promise<Location> {
  const { rows } = await sql.query<Location>('INSERT INTO locations (id, name, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id, name, kind, active', [l.id, l.name, l.kind])
  if (!rows.length) throw new DomainError('conflict', 'LOCATION_EXISTS', `location ${l.id} exists`)
  return rows[0]
}

/** Refuses (422) ids that are not active locations. */
export async function requireLocations (sql: Sql, ids: string[]): Promise<void> {
  const { rows } = await sql.query<{ id: string }>('SELECT id FROM locations WHERE id = ANY($1::text[]) AND active', [ids])
  const known = new Set(rows.map(r => r.id))
  const missing = ids.filter(id => !known.has(id))
  if (missing.length) throw new DomainError('unprocessable', 'UNKNOWN_LOCATION', `no active location ${missing.join(', ')}`)
}

/** Refuses (404) an id that is no location at all (a retired one is still a location). */
export async function requireLocation (sql: Sql, id: string): Promise<void> {
  const { rows } = await sql.query('SELECT 1 FROM locations WHERE id = $1', [id])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no location ${id}`)
}
