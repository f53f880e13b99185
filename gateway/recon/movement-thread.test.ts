// Attaching the stock movements to their sales: whatever order the file lists them in, each goes to
// the sale of its vendor and id, and only to it.
import t from 'tap'
import type { ReconSale } from '../../reconciler/types.ts'
import { attachMovements, type MovementColumns } from './movement-thread.ts'

const sale = (vendor: string, saleId: string): ReconSale => ({
  key: `${vendor}:${saleId}`, saleId, storeId: 'S01', terminalId: 'T1', kind: 'sale', refundOf: null, occurredAt: 0, businessDate: '2026-11-20', voided: false,
  lines: [], tenders: []
})

/** Columns as the movement thread sends them: one run per (vendor, sale id, qty) given, one movement each. */
function columns (runs: Array<[vendor: string, saleId: string, qty: number]>): MovementColumns {
  const vendors = [...new Set(runs.map(r => r[0]))]
  return {
    read: runs.length, vendors, runVendor: Int32Array.from(runs, r => vendors.indexOf(r[0])), runSaleIds: JSON.stringify(runs.map(r => r[1])),
    runCount: Int32Array.from(runs, () => 1), skus: ['SKU'], lineNo: Float64Array.from(runs, () => 1), sku: Int32Array.from(runs, () => 0), qty: Float64Array.from(runs, r => r[2])
  }
}

function attach (all: ReconSale[], runs: Array<[string, string, number]>): number {
  const byKey = new Map(all.map(s => [s.key, s]))
  return attachMovements(columns(runs), (vendor, saleId) => byKey.get(`${vendor}:${saleId}`), all)
}

const qtys = (s: ReconSale): number[] => s.movements!.map(m => m.qty)

t.test('the same sale id of two vendors: each movement goes to its own vendor\'s sale, though the other comes first in the POS files', async t => {
  const all = [sale('pos-canonical', 'X1'), sale('other-pos', 'X1')]
  t.equal(attach(all, [['other-pos', 'X1', -1], ['pos-canonical', 'X1', -2]]), 0)
  t.same(all.map(qtys), [[-2], [-1]])
})

t.test('movements listed in the reverse of the POS files\' order, and far from their sales, still reach them', async t => {
  const all = Array.from({ length: 40 }, (_, i) => sale('pos-canonical', `S-${i}`))
  const runs = all.map((s, i): [string, string, number] => ['pos-canonical', s.saleId, -(i + 1)]).reverse()
  t.equal(attach(all, runs), 0)
  t.same(all.map(qtys), all.map((_, i) => [-(i + 1)]))
})

t.test('sales that move no stock between those that do: the rest still reach theirs, and the unmoved have none', async t => {
  const all = Array.from({ length: 30 }, (_, i) => sale('pos-canonical', `S-${i}`))
  // sales 1–19 move nothing: more than the few looked at ahead
  const moved = [0, 20, 21, 29]
  t.equal(attach(all, [...moved.map((i): [string, string, number] => ['pos-canonical', `S-${i}`, -i - 1]), ['pos-canonical', 'NOT-IN-POS', -9]]), 1)
  t.same(all.map(qtys), all.map((_, i) => moved.includes(i) ? [-i - 1] : []))
})

t.test('quantities come back exactly as the file gave them: whole, fractional (a weighed SKU), -0 and beyond 32 bits', async t => {
  const given = [-1, -0.25, -0, 1.5, -(2 ** 40), 3]
  const all = given.map((_, i) => sale('pos-canonical', `W-${i}`))
  t.equal(attach(all, given.map((q, i): [string, string, number] => ['pos-canonical', `W-${i}`, q])), 0)
  const back = all.map(s => s.movements![0].qty)
  t.ok(back.every((q, i) => Object.is(q, given[i])), `${back.join(', ')} against ${given.join(', ')}`)
  t.same(all.map(s => s.movements![0].lineNo), given.map(() => 1))
})
