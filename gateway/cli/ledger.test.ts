import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freshDb } from '../../fixtures/support/db.ts'
import { testConfig } from '../../fixtures/support/runtime.ts'
import { ledgerCommand } from './ledger.ts'
import { main } from './main.ts'

function capture (t: { capture: Function }): () => string {
  const c = (t as any).capture(console, 'log')
  return () => c.args().map((a: unknown[]) => a.join(' ')).join('\n')
}

t.test('recon stock import, recon audit verify and recon outbox: exit codes and what they print', async t => {
  const db = await freshDb(t)
  const config = testConfig({ databaseUrl: db.url })
  const dir = t.testdir({})
  const file = (name: string, text: string) => { writeFileSync(join(dir, name), text); return join(dir, name) }
  const out = capture(t as any)
  t.equal(await ledgerCommand(config, 'stock', ['import', file('cat.csv', 'sku,name,supplier\nA,Tea,SupA\nB,Cup,SupB\n'), '--catalogue']), 0)
  t.equal(await ledgerCommand(config, 'stock', ['import', file('bad.csv', 'sku,location,qty\nA,MK01,-1\nC,MK01,2\n')]), 1)
  t.equal(await ledgerCommand(config, 'stock', ['import', file('ok.csv', 'sku,location,qty\nA,MK01,5\nB,WH1,7\n')]), 0)
  t.equal(await ledgerCommand(config, 'audit', ['verify']), 0)
  t.equal(await ledgerCommand(config, 'outbox', ['status']), 0)
  t.equal(await ledgerCommand(config, 'outbox', ['redrive', '--sink', 'http:erp']), 0)
  const text = out()
  t.match(text, /✔ .*cat.csv: 2 line\(s\) in the catalogue/)
  t.match(text, /✖ .*bad.csv: refused — 2 problem\(s\)[\s\S]*line 2 \(qty\): negative stock[\s\S]*line 3 \(sku\): unknown SKU C/)
  t.match(text, /✔ .*ok.csv: 2 line\(s\), 2 movement\(s\) posted/)
  t.match(text, /✔ 2 location chain\(s\), 2 movements: intact/)
  t.match(text, /0 dead-lettered deliveries put back/)
  await db.withTransaction(async c => { await c.query('SET LOCAL session_replication_role = replica'); await c.query(`UPDATE ledger_movements SET qty = 50 WHERE location_id = 'WH1'`) })
  t.equal(await ledgerCommand(config, 'audit', ['verify']), 1)
  t.match(out(), /✖ broken at WH1 #1 \(movement id \d+\): its content no longer matches its hash/)
  t.equal(await ledgerCommand(config, 'audit', ['nonsense']), null, 'an unknown subcommand is left to the usage message')
  t.equal(await main(['stock', 'import', '/no/such.csv']), 2)
})
