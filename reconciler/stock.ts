// A sale's stock: the movements the POS posted for it must equal its lines (a sale takes qty off the
// shelf, a return puts it back unless it is not restocked). Quantities are compared in thousandths
// (qty has at most 3 decimals), never as floats.
import type { ReconException, ReconMovement, ReconSale } from './types.ts'

const milli = (q: number): number => Math.round(q * 1000)

/** Posted movements per sale key (null when none were given: they are then taken to equal the lines). */
export type MovementIndex = ReadonlyMap<string, readonly ReconMovement[]> | null

export function indexMovements (movements: readonly ReconMovement[] | undefined): MovementIndex {
  if (!movements) return null
  const bySale = new Map<string, ReconMovement[]>()
  for (const mv of movements) {
    const list = bySale.get(mv.saleKey)
    if (list) list.push(mv); else bySale.set(mv.saleKey, [mv])
  }
  return bySale
}

/** The ids of the movements posted for a sale line (offline, without ids: `sale key#line`). */
export function movementIdsOf (index: MovementIndex, sale: ReconSale, lineNo: number): string[] {
  if (!index) return [`${sale.key}#${lineNo}`]
  const out: string[] = []
  for (const mv of index.get(sale.key) ?? []) if (mv.lineNo === lineNo) out.push(mv.id !== undefined ? String(mv.id) : `${sale.key}#${lineNo}`)
  return out
}

export function stockExceptions (sales: readonly ReconSale[], index: MovementIndex): ReconException[] {
  if (!index) return []
  const out: ReconException[] = []
  for (const sale of sales) {
    if (sale.voided) continue
    const posted = index.get(sale.key) ?? []
    for (const line of sale.lines) {
      const expected = sale.kind === 'sale' ? -milli(line.qty) : line.restock ? milli(line.qty) : 0
      let actual = 0
      let sku: string | undefined
      for (const mv of posted) if (mv.lineNo === line.lineNo) { actual += milli(mv.qty); sku = mv.sku }
      if (actual === expected && (sku === undefined || sku === line.sku)) continue
      out.push({
        code: 'STOCK_MISMATCH', store_id: sale.storeId, sale_id: sale.saleId, tender: null, provider: null, expected: null, actual: null,
        line: line.lineNo, sku: line.sku, expected_qty: expected / 1000, actual_qty: actual / 1000,
        detail: sku !== undefined && sku !== line.sku
          ? `line ${line.lineNo}: the movement is for SKU ${sku}, the line sells ${line.sku}`
          : `line ${line.lineNo} (SKU ${line.sku}): movements total ${actual / 1000}, the line needs ${expected / 1000}`
      })
    }
  }
  return out
}
