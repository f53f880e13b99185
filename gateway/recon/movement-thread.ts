// The POS's stock movements (NDJSON) read on a thread of their own while this one reads the POS events
// (threads.ts). They come back as columns: per run of a sale's consecutive movements its vendor, sale
// id and count, and per movement its line, sku and quantity, with each sku's text sent once (the
// movements of a day share a few thousand skus; here they share the strings too).
import { basename } from 'node:path'
import { InputError } from '../../connectors/errors.ts'
import type { ReconMovement, ReconSale } from '../../reconciler/types.ts'
import { eachJsonLine } from './lines.ts'
import { SharedMovements } from './shared-parts.ts'
import { serveThread, startAlongside, type Alongside } from './threads.ts'

export interface MovementColumns {
  read: number
  vendors: string[]
  /** Per run: its vendor (index into `vendors`), its sale id (as one JSON array) and its movements. */
  runVendor: Int32Array
  runSaleIds: string
  runCount: Int32Array
  skus: string[]
  /** Per movement. */
  lineNo: Float64Array
  sku: Int32Array
  qty: Float64Array
}

const KIND = 'movements'

export function readMovementsAlongside (path: string): Alongside<MovementColumns> {
  return startAlongside<MovementColumns>(new URL(import.meta.url), KIND, { path })
}

/** Grows a typed column as the movements come. */
class Column<A extends Float64Array | Int32Array> {
  data: A
  length = 0
  readonly make: (n: number) => A
  constructor (make: (n: number) => A) { this.make = make; this.data = make(1 << 16) }
  push (v: number): void {
    if (this.length === this.data.length) { const next = this.make(this.data.length * 2); next.set(this.data); this.data = next }
    this.data[this.length++] = v
  }
  done (): A { return this.data.slice(0, this.length) as A }
}

async function readColumns (path: string): Promise<MovementColumns> {
  const vendors = new Map<string, number>()
  const skus = new Map<string, number>()
  const saleIds: string[] = []
  const runVendor = new Column(n => new Int32Array(n))
  const runCount = new Column(n => new Int32Array(n))
  const lineNo = new Column(n => new Float64Array(n))
  const sku = new Column(n => new Int32Array(n))
  const qty = new Column(n => new Float64Array(n))
  const intern = (map: Map<string, number>, s: string): number => { let i = map.get(s); if (i === undefined) { i = map.size; map.set(s, i) } return i }
  let lastVendor = -1
  let lastSale = ''
  await eachJsonLine(path, (v, line) => {
    const m = v as { sale_id?: unknown, line?: unknown, sku?: unknown, qty?: unknown, vendor?: unknown }
    if (typeof m.sale_id !== 'string' || typeof m.line !== 'number' || typeof m.sku !== 'string' || typeof m.qty !== 'number') {
      throw new InputError('INVALID_ROWS', `${basename(path)} line ${line}: a movement needs sale_id, line, sku and qty`, [{ line, message: 'a movement needs sale_id, line, sku and qty' }])
    }
    const vendor = intern(vendors, typeof m.vendor === 'string' ? m.vendor : 'pos-canonical')
    if (vendor !== lastVendor || m.sale_id !== lastSale) {
      runVendor.push(vendor)
      saleIds.push(m.sale_id)
      runCount.push(0)
      lastVendor = vendor
      lastSale = m.sale_id
    }
    runCount.data[runCount.length - 1]++
    lineNo.push(m.line)
    sku.push(intern(skus, m.sku))
    qty.push(m.qty)
  })
  return {
    read: lineNo.length, vendors: [...vendors.keys()], runVendor: runVendor.done(), runSaleIds: JSON.stringify(saleIds), runCount: runCount.done(),
    skus: [...skus.keys()], lineNo: lineNo.done(), sku: sku.done(), qty: qty.done()
  }
}

const LOOK_AHEAD = 8

/** Whether `sale` is the vendor's sale `saleId` (its key is `vendor:saleId`), without building the key. */
function isSale (sale: ReconSale, vendor: string, saleId: string): boolean {
  return sale.saleId === saleId && sale.key.length === vendor.length + 1 + saleId.length && sale.key.startsWith(vendor)
}

/**
 * A line number or quantity as a small integer where it is whole (nearly always; -0 stays -0). Read from
 * a Float64Array it is a double, and V8 then keeps the field of every movement as a number object of its
 * own (3.3 million on a chain day), slower to read and to turn into ids.
 */
const whole = (x: number): number => Object.is(x | 0, x) ? x | 0 : x

/** The list of a sale with no movements, shared (read only). */
const NO_MOVEMENTS: ReconMovement[] = []

/**
 * Attaches the movements to their sales, in the file's order; from then on every sale's movements are
 * known (a sale with none has none). Returns how many belong to sales not in the POS files.
 */
export function attachMovements (c: MovementColumns, saleOf: (vendor: string, saleId: string) => ReconSale | undefined, all: readonly ReconSale[]): number {
  const saleIds = JSON.parse(c.runSaleIds) as string[]
  const shared = new SharedMovements()
  let elsewhere = 0
  let at = 0
  // a POS writes a sale's movements as it writes the sale: the next few sales after the last one found
  // (`all` is in the POS files' order; a sale may move no stock) are tried before a lookup, which cost
  // 0.6 s over a chain day's million runs
  let next = 0
  for (let r = 0; r < saleIds.length; r++) {
    const count = c.runCount[r]
    const vendor = c.vendors[c.runVendor[r]]
    let sale: ReconSale | undefined
    for (let k = next; k < next + LOOK_AHEAD && k < all.length; k++) if (isSale(all[k], vendor, saleIds[r])) { sale = all[k]; next = k + 1; break }
    sale ??= saleOf(vendor, saleIds[r])
    if (!sale) { elsewhere += count; at += count; continue }
    // an array of the run's length: one grown by push keeps room for 17 (V8's first growth), and a
    // chain day's million lists of one to three held about 120 MB more that way
    let run: ReconMovement[]
    if (count === 1) { run = shared.alone(whole(c.lineNo[at]), c.sku[at], c.skus[c.sku[at]], whole(c.qty[at])); at++ } else {
      run = new Array<ReconMovement>(count)
      for (let k = 0; k < count; k++, at++) run[k] = shared.movement(whole(c.lineNo[at]), c.sku[at], c.skus[c.sku[at]], whole(c.qty[at]))
    }
    // a sale's movements listed in more than one run (not next to each other in the file): in file order
    sale.movements = sale.movements ? sale.movements.concat(run) : run
  }
  for (const s of all) s.movements ??= NO_MOVEMENTS
  return elsewhere
}

await serveThread<{ path: string }, MovementColumns>(KIND, async ({ path }) => {
  const value = await readColumns(path)
  return { value, transfer: [value.runVendor.buffer, value.runCount.buffer, value.lineNo.buffer, value.sku.buffer, value.qty.buffer] as ArrayBuffer[] }
})
