// Store scope: a store manager sees and changes its own stores only. A store's id is also the id of its
// ledger location, so the same list limits sales, reports, stock, counts, transfers and orders. Every
// route that touches a store's data asks here; another store's record is answered 403, never shown.
import type { FastifyRequest } from 'fastify'
import { DomainError } from '../domain-error.ts'

/** The stores the caller may see; null: every store. */
export function storeScope (req: FastifyRequest): readonly string[] | null {
  return req.principal?.stores ?? null
}

export function inScope (req: FastifyRequest, storeId: string | null): boolean {
  const scope = storeScope(req)
  return scope === null || (storeId !== null && scope.includes(storeId))
}

/** Refuses the request when any of the stores (or locations) is outside the caller's scope. */
export function requireStores (req: FastifyRequest, ...ids: Array<string | null>): void {
  const outside = ids.filter(id => !inScope(req, id))
  if (outside.length) throw new DomainError('forbidden', 'OUT_OF_SCOPE', `this account is limited to ${storeScope(req)!.join(', ')}; ${outside.map(String).join(', ')} is not among them`)
}

/**
 * The store filter of a list: the store asked for (checked against the scope), else the caller's
 * stores, else null (every store).
 */
export function storeFilter (req: FastifyRequest, asked: string | undefined): string[] | null {
  if (asked !== undefined) {
    requireStores(req, asked)
    return [asked]
  }
  const scope = storeScope(req)
  return scope === null ? null : [...scope]
}

/** The configured stores the caller may see, with their names (every store for a chain-wide account). */
export function storesInScope (req: FastifyRequest, stores: ReadonlyArray<{ id: string, name: string }>): Array<{ id: string, name: string }> {
  const scope = storeScope(req)
  return stores.filter(s => !scope || scope.includes(s.id)).map(s => ({ id: s.id, name: s.name }))
}
