// The stock movements read on a thread of their own: each attached to its sale in the file's order,
// those of sales not in the POS files counted apart, and a bad line named with its line.
import t from 'tap'
import { appendFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay, settlementFiles } from '../../fixtures/gen/day.ts'
import { testConfig } from '../../fixtures/support/runtime.ts'
import { loadOfflineInput, openOfflineInput } from './files.ts'

const DATE = '2026-11-20'
const AS_OF = '2026-11-24'

async function day (t: { testdir: () => string }, sales: number) {
  const dir = join(t.testdir(), 'day')
  const truth = await generateDay({ stores: 4, sales, seed: 5, date: DATE, anomalies: 2, tenders: 'all' }, dir)
  const config = testConfig({ stores: truth.stores.map(s => ({ id: s.id, name: s.id, cutoffMinutes: s.cutoff_minutes, aliases: {} })) })
  const files = { pos: [join(dir, 'pos-events.ndjson')], settlements: settlementFiles(dir), movements: join(dir, 'stock-movements.ndjson'), bank: [join(dir, 'bank-statement.sta')] }
  const load = (progress?: (m: string) => void) => loadOfflineInput(files, DATE, AS_OF, config, progress)
  return { dir, files, load, config }
}

/** The lines of an NDJSON file. */
const linesOf = (path: string): string[] => readFileSync(path, 'utf8').split('\n').filter(l => l !== '')

t.test('each movement is attached to its sale in the file\'s order; those of sales not in the POS files are counted apart', async t => {
  const { files, load } = await day(t, 300)
  const raw = linesOf(files.movements).map(l => JSON.parse(l) as { sale_id: string, line: number, sku: string, qty: number })
  const first = raw[0].sale_id
  // one more for the first sale, after the others (its movements are no longer one run), and one of a sale not in the POS files
  appendFileSync(files.movements, JSON.stringify({ sale_id: first, store_id: 'S01', line: 9, sku: 'EXTRA', qty: -2.5 }) + '\n' +
    JSON.stringify({ sale_id: 'S99-T1-9999999', store_id: 'S99', line: 1, sku: 'X', qty: -1 }) + '\n')
  // a sale the movements file says nothing of
  const sale = JSON.parse(linesOf(files.pos[0])[0])
  appendFileSync(files.pos[0], JSON.stringify({ ...sale, id: 'evt-unmoved', data: { ...sale.data, sale_id: 'UNMOVED-1' } }) + '\n')
  const told: string[] = []
  const input = await load(m => told.push(m))
  t.ok(told.includes(`stock-movements.ndjson: ${(raw.length + 2).toLocaleString('en')} stock movements, 1 of sales not in the POS files`), told.join('\n'))
  const expected = [...raw.filter(m => m.sale_id === first).map(m => ({ lineNo: m.line, sku: m.sku, qty: m.qty })), { lineNo: 9, sku: 'EXTRA', qty: -2.5 }]
  t.same(input.sales.find(s => s.saleId === first)?.movements, expected, 'the first sale\'s movements, as the file lists them')
  t.equal(input.sales.reduce((n, s) => n + s.movements!.length, 0), raw.length + 1, 'every other movement attached')
  t.same(input.sales.find(s => s.saleId === 'UNMOVED-1')?.movements, [], 'a sale without movements has none (not "unknown")')
})

t.test('a bad stock movement stops the run with its line, after the POS events are judged', async t => {
  const { files, load } = await day(t, 200)
  const read = linesOf(files.movements).length
  appendFileSync(files.movements, JSON.stringify({ sale_id: 'S01-T1-0000001', line: 1, qty: -1 }) + '\n' + 'nope\n')
  await t.rejects(load(), { code: 'INVALID_ROWS', message: `stock-movements.ndjson line ${read + 1}: a movement needs sale_id, line, sku and qty` })

  const { files: other, load: loadOther } = await day(t, 200)
  appendFileSync(other.movements, 'nope\n')
  await t.rejects(loadOther(), { code: 'INVALID_ROWS', message: `stock-movements.ndjson line ${read + 1}: not JSON` })
  appendFileSync(other.pos[0], '{"id": \n')
  await t.rejects(loadOther(), { message: `pos-events.ndjson line ${linesOf(other.pos[0]).length}: not JSON` }, 'the POS file\'s error comes first')
})

t.test('opened, the input\'s sales have their movements only once attached, when the matching needs them', async t => {
  const { files, config } = await day(t, 200)
  const told: string[] = []
  const { input, movements } = await openOfflineInput(files, DATE, AS_OF, config, m => told.push(m))
  t.equal(told.at(-1), 'matching', 'the POS events and the records are in')
  t.ok(input.sales.every(s => s.movements === undefined), 'no sale\'s stock known yet')
  await movements!.attach()
  t.equal(told.at(-1), `stock-movements.ndjson: ${linesOf(files.movements).length.toLocaleString('en')} stock movements`)
  t.equal(input.sales.reduce((n, s) => n + s.movements!.length, 0), linesOf(files.movements).length, 'each movement on its sale')
  await movements!.stop() // the thread has ended: nothing to stop
})
