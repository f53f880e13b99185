// A sale's stock: the movements the POS posted for it must equal its lines (a sale takes qty off the
// shelf, a return puts it back unless it is not restocked). Quantities are compared in thousandths
// (qty has at most 3 decimals), never as floats.
import type { ReconException, ReconMovement, ReconSale } from './types.ts'

const milli = (q: number): number => Math.round(q * 1000)

export function stockExceptions (sales: readonly ReconSale[], movements: readonly ReconMovement[] | undefined): ReconException[] {
  if (!movements) return []
  const posted = new Map<string, number>()
  const skuOf = new Map<string, string>()
  for (const mv of movements) {
    const k = `${mv.saleKey}#${mv.lineNo}`
    posted.set(k, (posted.get(k) ?? 0) + milli(mv.qty))
    skuOf.set(k, mv.sku)
  }
  const out: ReconException[] = []
  for (const sale of sales) {
    if (sale.voided) continue
    for (const line of sale.lines) {
      const k = `${sale.key}#${line.lineNo}`
      const expected = sale.kind === 'sale' ? -milli(line.qty) : line.restock ? milli(line.qty) : 0
      const actual = posted.get(k) ?? 0
      const sku = skuOf.get(k)
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
