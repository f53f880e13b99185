// The generator's injected anomalies are all found, with the right code and ids, and nothing else is
// raised: precision and recall of 100% on a generated 100k-sale day.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { generateDay, CODES, type Anomaly } from '../../fixtures/gen/day.ts'
import { testConfig } from '../../fixtures/support/runtime.ts'
import { reconcile } from '../../reconciler/reconcile.ts'
import type { ReconException } from '../../reconciler/types.ts'
import { loadOfflineInput } from './files.ts'

const SALES = Number(process.env.GROUND_TRUTH_SALES ?? 100_000)

/** What locates an anomaly, per code: the same key is read off the truth and off an exception. */
function truthKey (a: Anomaly): string {
  switch (a.code) {
    case 'UNEXPECTED_PAYMENT': case 'REFUND_WITHOUT_RETURN': return `${a.code}|${a.reference}`
    case 'BATCH_TOTAL_MISMATCH': return `${a.code}|${a.provider_txn_id}`
    default: return `${a.code}|${a.sale_id}`
  }
}
function foundKey (e: ReconException): string {
  switch (e.code) {
    case 'UNEXPECTED_PAYMENT': case 'REFUND_WITHOUT_RETURN': return `${e.code}|${e.reference}`
    case 'BATCH_TOTAL_MISMATCH': return `${e.code}|${e.batch_id}`
    default: return `${e.code}|${e.sale_id}`
  }
}

t.test(`every injected anomaly of a ${SALES.toLocaleString('en')}-sale day is found with its code and ids, and nothing else`, async t => {
  const dir = join(t.testdir({}), 'day')
  const truth = await generateDay({ stores: 5, sales: SALES, seed: 42, date: '2026-11-20', anomalies: 5 }, dir)
  const stores = truth.stores.map(s => ({ id: s.id, name: s.id, cutoffMinutes: s.cutoff_minutes, aliases: {} }))
  const config = testConfig({ stores, limits: { ...testConfig().limits, uploadBytes: 2 ** 31 } })
  const settlements = ['alipayhk', 'octopus'].flatMap(sub => readdirSync(join(dir, sub)).map(f => join(dir, sub, f)))
  const input = await loadOfflineInput({ pos: [join(dir, 'pos-events.ndjson')], settlements, movements: join(dir, 'stock-movements.ndjson') }, '2026-11-20', '2026-11-24', config)
  const report = reconcile(input)
  const expected = new Set(truth.anomalies.map(truthKey))
  const found = new Set(report.exceptions.map(foundKey))
  const hits = [...found].filter(k => expected.has(k)).length
  const precision = hits / found.size
  const recall = hits / expected.size
  t.comment(`precision ${(precision * 100).toFixed(2)}%, recall ${(recall * 100).toFixed(2)}% (${hits} of ${expected.size} anomalies, ${found.size} exceptions)`)
  for (const code of CODES) {
    const want = truth.anomalies.filter(a => a.code === code).length
    const got = report.exceptions.filter(e => e.code === code).length
    t.equal(got, want, `${code}: ${got} found, ${want} injected`)
  }
  t.same([...found].filter(k => !expected.has(k)), [], 'no exception the generator did not inject')
  t.same([...expected].filter(k => !found.has(k)), [], 'every injected anomaly found')
  t.equal(precision, 1)
  t.equal(recall, 1)
  t.equal(report.exceptions.length, expected.size, 'one exception per anomaly')
})
