import t from 'tap'
import { PassThrough } from 'node:stream'
import { text } from 'node:stream/consumers'
import { reconcile } from '../../reconciler/reconcile.ts'
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
