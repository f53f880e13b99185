// The sales' canonical order: by key. reconcile() sorts its input so; a loader that already holds its
// sales so hands them over in that order, and the sort finds them sorted.
import type { ReconSale } from './types.ts'

export const bySaleKey = (a: ReconSale, b: ReconSale): number => a.key < b.key ? -1 : a.key > b.key ? 1 : 0

/** The first place of a sale with key `key` in `sales` (in key order), found by halving; -1 when there is none. */
export function placeOfKey (sales: readonly ReconSale[], key: string): number {
  let lo = 0
  let hi = sales.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sales[mid].key < key) lo = mid + 1; else hi = mid
  }
  return lo < sales.length && sales[lo].key === key ? lo : -1
}
