import t from 'tap'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { testConfig } from '../../fixtures/support/runtime.ts'
import { freshDb } from '../../fixtures/support/db.ts'
import { bankCommand } from './bank.ts'

t.test('recon bank import: a statement once, the same again is nothing new, an unbalanced one exits 1 with the figures', async t => {
  const db = await freshDb(t)
  const log = t.capture(console, 'log')
  const config = testConfig({ databaseUrl: db.url })
  const good = join(FIXTURES, 'bank/hsbc_mt940_20261124.sta')
  t.equal(await bankCommand(config, ['import', good, good]), 0)
  const text = log.args().map(a => a.join(' ')).join('\n')
  t.match(text, /✔ .*hsbc_mt940_20261124\.sta: imported as #\d+ — mt940, 1 statement\(s\) of 004-123456-001, 4 entries/)
  t.match(text, /= .*hsbc_mt940_20261124\.sta: already imported as #\d+; nothing new/)
  const bad = join(t.testdir({ 'bad.sta': (await import('node:fs')).readFileSync(good, 'utf8').replace('14661,60', '14661,70') }), 'bad.sta')
  t.equal(await bankCommand(config, ['import', bad]), 1)
  t.match(log.args().map(a => a.join(' ')).join('\n'), /✖ .*bad\.sta: refused \(INVALID_ROWS\)[\s\S]*closing balance says 14661\.70/)
  t.equal((await db.query('SELECT count(*)::int AS n FROM bank_entries')).rows[0].n, 4)
  t.equal(await bankCommand(config, ['export', good]), null, 'not a bank command: the caller prints the usage')
})
