// Giving a record no store claims to a store: its exception then counts at that store, the move is in
// the audit trail; an unknown store or an exception that has a store is refused with nothing written.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { reconcileDay } from '../recon/run.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'

const DAY = '2026-11-20'

t.test('an AlipayHK record that names no store is given to MK01 and counted there', async t => {
  const rt = await testRuntime(t)
  const name = '2088000000000003_settle_20261121_5000000000001.csv'
  await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${name}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'alipayhk', name)) })
  const { report } = await reconcileDay(rt, { date: DAY, trigger: 'manual', asOf: '2026-11-27' })
  // WEB-000501: HK$500.00 paid online, no sale of ours and no store in the file
  const stray = report.exceptions.find(e => e.code === 'UNEXPECTED_PAYMENT' && e.reference === 'WEB-000501')!
  t.match(stray, { store_id: null, actual: 50000 })
  const key = exceptionKey(stray)
  const post = (body: object) => rt.app!.inject({ method: 'POST', url: `/v1/reconciliations/${DAY}/store-assignments`, headers: auth('finance'), payload: body })

  const unknown = await post({ key, store_id: 'XXX1', reason: 'the web shop is MK01\'s' })
  t.same([unknown.statusCode, unknown.json().error], [400, 'UNKNOWN_STORE'])
  t.equal((await rt.db.query('SELECT count(*)::int AS n FROM payment_store_assignments')).rows[0].n, 0, 'nothing written')

  const done = await post({ key, store_id: 'MK01', reason: 'the web shop is MK01\'s' })
  t.equal(done.statusCode, 200, done.body)
  const after = (await rt.app!.inject({ method: 'GET', url: `/v1/reconciliations/${DAY}`, headers: auth('finance') })).json()
  t.match(after.exceptions.filter((e: { reference?: string }) => e.reference === 'WEB-000501'), [{ code: 'UNEXPECTED_PAYMENT', store_id: 'MK01', actual: 50000 }])
  t.match(after.stores.find((s: { store_id: string }) => s.store_id === 'MK01'), { exceptions: { UNEXPECTED_PAYMENT: 1 } })
  const again = await post({ key, store_id: 'MK01', reason: 'again' })
  t.same([again.statusCode, again.json().error], [409, 'NOT_OPEN'], 'the unassigned exception is no longer there')
  const { rows } = await rt.db.query(`SELECT actor, details->>'store_id' AS store FROM audit_log WHERE action = 'payment.assign_store'`)
  t.same(rows, [{ actor: 'key:finance', store: 'MK01' }])
})
