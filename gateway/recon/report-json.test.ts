import t from 'tap'
import { PassThrough } from 'node:stream'
import { text } from 'node:stream/consumers'
import { reconcile, reconcileInStages } from '../../reconciler/reconcile.ts'
import { forStore, type DayReport } from '../../reconciler/report.ts'
import type { ReportDetail } from '../../reconciler/report-detail.ts'
import type { ReconInput, ReconReport } from '../../reconciler/types.ts'
import { payment, sale, settings, DAY } from '../../fixtures/support/recon.ts'
import { writeReportJson } from './report-json.ts'

t.test('the streamed report parses to exactly the report, long lists one element a line', async t => {
  const sales = Array.from({ length: 300 }, (_, i) => sale(`S${i}`, { tenders: [{ method: 'alipayhk', amount: 1000 + i, reference: `R${i}` }] }))
  const payments = sales.slice(0, 290).map((s, i) => payment({ provider: 'alipayhk', gross: 1000 + i, merchantRef: `R${i}`, providerTxnId: `A${i}` }))
  const report = reconcile({ date: DAY, sales, payments, settings: settings(), generatedAt: '2026-11-21T01:30:00Z' })
  const out = new PassThrough()
  const written = text(out)
  await writeReportJson(report, out)
  out.end()
  const json = await written
  t.same(JSON.parse(json), JSON.parse(JSON.stringify(report)))
  const lines = json.split('\n')
  t.ok(lines.some(l => l.startsWith('    {"sale_id":"S0"')), 'a match on its own line')
  t.equal(lines[1], `  "business_date": "${DAY}",`)
  t.ok(lines.length > 290 + 10 + 10, 'one line per match and exception')
})

t.test('text in any script, and pieces larger than a buffer, come out as JSON.stringify writes them', async t => {
  // 3-byte (旺角, 銅鑼灣) and 4-byte (🧾, a surrogate pair) characters across many 1 MB buffers, and one
  // value of 2 MB in a single piece
  const matches = Array.from({ length: 40_000 }, (_, i) => ({ sale_id: `旺角-${i}-🧾`, store_id: '銅鑼灣', detail: 'x'.repeat(i % 97) }))
  const report = { business_date: DAY, note: '收據 🧾'.repeat(300_000), matches } as never
  const out = new PassThrough()
  const written = text(out)
  await writeReportJson(report, out)
  out.end()
  const json = await written
  t.ok(Buffer.byteLength(json) > 4 * 2 ** 20, 'several buffers long')
  t.same(JSON.parse(json), JSON.parse(JSON.stringify(report)))
  const lines = json.split('\n')
  t.equal(lines[2], `  "note": ${JSON.stringify('收據 🧾'.repeat(300_000))},`, 'the long value whole, on its line')
  t.equal(lines[4], `    ${JSON.stringify(matches[0])},`)
})

/** The text writeReportJson gives. */
async function written (report: ReconReport, detail?: ReportDetail): Promise<string> {
  const out = new PassThrough()
  const text$ = text(out)
  await writeReportJson(report, out, detail)
  out.end()
  return await text$
}

function summaryAndDetail (input: ReconInput): DayReport {
  const stages = reconcileInStages(input, { summary: true })
  for (;;) { const at = stages.next(); if (at.done) return at.value }
}

t.test('a summary written with its detail is the full report, byte for byte: long lists and short', async t => {
  for (const n of [2100, 20]) { // 1,400 ids a store: more than one of the writer's batches of 1,024
    // each sale sells two lines: a store's verified ids pass 64 where its matches may not
    const sales = Array.from({ length: n }, (_, i) => sale(`S${i}`, { store: `MK0${i % 3}`, lines: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }], tenders: [{ method: 'alipayhk', amount: 1000 + i, reference: `R${i}` }] }))
    const payments = sales.slice(0, n - 7).map((s, i) => payment({ provider: 'alipayhk', gross: 1000 + i, merchantRef: `R${i}`, providerTxnId: `A${i}` }))
    const input: ReconInput = { date: DAY, sales, payments, settings: settings(), generatedAt: '2026-11-21T01:30:00Z' }
    const full = await written(reconcile(input))
    const { report, detail } = summaryAndDetail(input)
    t.equal(report.matches.length, 0, 'the summary holds no matches')
    t.equal(await written(report, detail), full, `${n} sales`)
    const one = reconcile(input)
    t.equal(await written(forStore(report, 'MK01'), detail.forStores(['MK01'])), await written(forStore(one, 'MK01')), `${n} sales, one store`)
  }
})
