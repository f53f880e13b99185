import t from 'tap'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { testConfig } from '../../fixtures/support/runtime.ts'
import { freshDb } from '../../fixtures/support/db.ts'
import { main } from './main.ts'
import { runImport } from './import.ts'
import { progressBar } from './progress.ts'

function capture (t: { intercept: Function, capture: Function }, stream: 'log' | 'error'): () => string {
  const c = (t as any).capture(console, stream)
  return () => c.args().map((a: unknown[]) => a.join(' ')).join('\n')
}

t.test('recon import: settlement files and POS NDJSON; exit 1 when one is refused', async t => {
  const db = await freshDb(t)
  const out = capture(t as any, 'log')
  const code = await runImport(testConfig({ databaseUrl: db.url }), {
    files: [join(FIXTURES, 'octopus/octopus_settlement_20261121.csv'), join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson'), join(FIXTURES, 'alipayhk/bad/2088000000000001_settle_20261122_B0002.csv'), join(FIXTURES, 'octopus/octopus_settlement_20261121.csv')],
    json: false
  })
  t.equal(code, 1)
  const text = out()
  t.match(text, /✔ .*octopus_settlement_20261121.csv: imported as #\d+ — octopus octopus-settlement-v1 settlement file, 6 rows/)
  t.match(text, /✔ .*events-2026-11-20.ndjson: 14 POS events, 14 new, 0 already received/)
  t.match(text, /✖ .*B0002.csv: refused \(INVALID_ROWS\)[\s\S]*line 3 \(Amount\): not a decimal amount/)
  t.match(text, /= .*octopus_settlement_20261121.csv: already imported as #\d+; nothing new/)
  t.equal((await db.query('SELECT count(*)::int AS n FROM payments')).rows[0].n, 6)
})

t.test('recon import --profile takes a profile file; --json prints the outcomes', async t => {
  const db = await freshDb(t)
  const out = capture(t as any, 'log')
  const code = await runImport(testConfig({ databaseUrl: db.url }), { files: [join(FIXTURES, 'octopus/acquirer/kpay_octopus_20261121.csv')], profile: join(FIXTURES, 'octopus/acquirer/kpay-octopus-v1.json'), json: true })
  t.equal(code, 0)
  t.match(JSON.parse(out()), [{ status: 'imported', layout: 'kpay-octopus-v1', records: 2 }])
})

t.test('usage errors exit 2 with the usage', async t => {
  const err = capture(t as any, 'error')
  t.equal(await main(['import']), 2)
  t.equal(await main(['import', '/no/such/file.csv']), 2)
  t.equal(await main(['import', join(FIXTURES, 'octopus/octopus_settlement_20261121.csv'), '--provider', 'visa']), 2)
  t.equal(await main(['frobnicate']), 2)
  t.match(err(), /name at least one file[\s\S]*no such file: \/no\/such\/file.csv[\s\S]*--provider must be one of alipayhk, octopus, wechatpay, adyen, stripe, payme, fps-collection, kpay[\s\S]*unknown command "frobnicate"/)
})

t.test('the progress line: in place on a terminal, a line per 10% in logs', async t => {
  const written: string[] = []
  let now = 0
  const out = { isTTY: false, write: (s: string) => { written.push(s); return true } } as unknown as NodeJS.WriteStream
  const bar = progressBar('file.csv', out, () => now)
  for (let done = 0; done <= 100; done += 5) { now += 100; bar.update(done * 1_048_576, 100 * 1_048_576, done * 1000) }
  bar.finish()
  t.equal(written.length, 11, '0%, 10% … 100%')
  t.match(written[10], /file.csv \[#{24}\] 100%  100,000 rows  100.0\/100.0 MB/)
  const tty: string[] = []
  const bar2 = progressBar('f', { isTTY: true, write: (s: string) => { tty.push(s); return true } } as unknown as NodeJS.WriteStream, () => now)
  now += 1000; bar2.update(50, 100, 10)
  bar2.finish()
  t.match(tty[0], /^\rf \[#{12}\.{12}\]  50%/)
  t.equal(tty.at(-1), '\n')
})
