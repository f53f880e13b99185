// A generated day with every tender a shop takes — cash, Octopus, AlipayHK, WeChat Pay, cards through
// Adyen, PayMe and FPS — each with its provider's file, reconciled offline: every injected anomaly is
// found and nothing else (100% precision and recall), and every new provider's records are matched.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay, settlementFiles } from '../../fixtures/gen/day.ts'
import { main } from './main.ts'

const DATE = '2026-11-20'

t.test('every tender, every anomaly code, one generated day: found exactly', async t => {
  const root = t.testdir({})
  const dir = join(root, 'day')
  const truth = await generateDay({ stores: 4, sales: 3000, seed: 11, date: DATE, anomalies: 2, tenders: 'all' }, dir)
  const saved = { config: process.env.RECON_CONFIG, data: process.env.RECON_DATA_DIR }
  process.env.RECON_CONFIG = join(dir, 'stores.json')
  process.env.RECON_DATA_DIR = join(root, 'data')
  t.teardown(() => { process.env.RECON_CONFIG = saved.config; process.env.RECON_DATA_DIR = saved.data })
  const files = settlementFiles(dir)
  t.same(new Set(files.map(f => f.split('/').at(-2))), new Set(['alipayhk', 'octopus', 'wechatpay', 'adyen', 'payme', 'fps']), 'a file of every provider')
  const out = join(root, 'report.json')
  const log = t.capture(console, 'log')
  const err = t.capture(console, 'error')
  const code = await main(['reconcile', '--pos', join(dir, 'pos-events.ndjson'), '--settlement', ...files, '--movements', join(dir, 'stock-movements.ndjson'), '--date', DATE, '--as-of', '2026-11-30', '--out', out])
  t.equal(code, 0, err.args().flat().join(' '))
  log.args()
  const report = JSON.parse(readFileSync(out, 'utf8')) as { exceptions: Array<{ code: string, sale_id: string | null, reference?: string | null }>, matches: Array<{ provider: string }> }
  const key = (e: { code: string, sale_id?: string | null, reference?: string | null }) => `${e.code} ${e.sale_id ?? e.reference ?? ''}`
  const found = report.exceptions.map(key).sort()
  // a record no sale accounts for is known by its reference (a refund with no return: its own)
  const byReference = ['UNEXPECTED_PAYMENT', 'REFUND_WITHOUT_RETURN', 'BATCH_TOTAL_MISMATCH']
  const injected = truth.anomalies.map(a => `${a.code} ${(byReference.includes(a.code) ? null : a.sale_id) ?? a.reference ?? ''}`).sort()
  t.same(found.filter(f => !f.startsWith('BATCH_TOTAL_MISMATCH')), injected.filter(f => !f.startsWith('BATCH_TOTAL_MISMATCH')), 'each exception is an injected anomaly, and each anomaly is found')
  t.equal(found.filter(f => f.startsWith('BATCH_TOTAL_MISMATCH')).length, truth.counts.anomalies.BATCH_TOTAL_MISMATCH)
  t.same([...new Set(report.exceptions.map(e => e.code))].sort(), Object.entries(truth.counts.anomalies).filter(([, n]) => n > 0).map(([c]) => c).sort(), 'every code injected is reported, CHARGEBACK included')
  const matchedBy = new Set(report.matches.map(m => m.provider))
  for (const p of ['wechatpay', 'adyen', 'payme', 'fps-collection']) t.ok(matchedBy.has(p), `${p} records matched`)
})
