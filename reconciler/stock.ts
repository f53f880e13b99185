// A sale's stock: the movements the POS posted for it must equal its lines (a sale takes qty off the
// shelf, a return puts it back unless it is not restocked). Quantities are compared in thousandths
// (qty has at most 3 decimals), never as floats.
import type { ReconException, ReconMovement, ReconSale, ReconSaleMovement } from './types.ts'

const milli = (q: number): number => Math.round(q * 1000)
const NONE: readonly ReconMovement[] = Object.freeze([])

/** A sale's posted movements, or undefined when they are not known (taken to equal the lines). */
export type MovementsOf = (sale: ReconSale) => readonly ReconMovement[] | undefined

/** Movements on the sales themselves, or, when the input lists them apart, looked up by sale key. */
export function movementsOf (listed: readonly ReconSaleMovement[] | undefined): MovementsOf {
  if (!listed) return sale => sale.movements
  const bySale = new Map<string, ReconMovement[]>()
  for (const mv of listed) {
    const list = bySale.get(mv.saleKey)
    if (list) list.push(mv); else bySale.set(mv.saleKey, [mv])
  }
  return sale => sale.movements ?? bySale.get(sale.key) ?? NONE
}

const SUFFIX = Array.from({ length: 64 }, (_, i) => `#${i}`)
const lineKey = (sale: ReconSale, lineNo: number): string => sale.key + (SUFFIX[lineNo] ?? `#${lineNo}`)

/** Each movement of a sale: its id (without one, `sale key#line`), line and SKU; unknown movements count as the lines. */
export function forEachMovement (posted: readonly ReconMovement[] | undefined, sale: ReconSale, fn: (id: string, line: number, sku: string) => void): void {
  if (!posted) {
    for (const line of sale.lines) fn(lineKey(sale, line.lineNo), line.lineNo, line.sku)
    return
  }
  for (const mv of posted) fn(mv.id !== undefined ? String(mv.id) : lineKey(sale, mv.lineNo), mv.lineNo, mv.sku)
}

/** How many movements forEachMovement would name. */
export function countMovements (posted: readonly ReconMovement[] | undefined, sale: ReconSale): number {
  return posted ? posted.length : sale.lines.length
}

export function stockExceptions (sales: readonly ReconSale[], movements: MovementsOf): ReconException[] {
  const out: ReconException[] = []
  for (const sale of sales) {
    const posted = movements(sale)
    if (sale.voided || !posted) continue
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
