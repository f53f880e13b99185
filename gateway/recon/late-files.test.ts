// Files that did not come: MK01 took AlipayHK and Octopus on Friday 20 November 2026; both files are
// due by 10:00 HKT on the next business day (Monday the 23rd). Before that nothing is late; after it
// both are, finance gets one alert naming them, the calendar says so, and the file that comes stops
// being late (no second alert).
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { drainInbox } from '../../fixtures/support/day-db.ts'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'
import { auth, SECRETS, testRuntime } from '../../fixtures/support/runtime.ts'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import { tenderSale } from '../../fixtures/support/sales.ts'
import { signInAs } from '../../fixtures/support/web.ts'
import { dueAt, lateFiles } from '../../reconciler/late-files.ts'
import { watchLateFiles } from './late-files.ts'

const DATE = '2026-11-20'

t.test('due on the next business day at the provider\'s hour: a Friday\'s on Monday, Christmas Eve\'s after the holidays', async t => {
  const holidays = new Set(['2026-12-25', '2026-12-26'])
  t.equal(dueAt(DATE, { days: 1, at: '10:00' }, holidays).toISOString(), '2026-11-23T02:00:00.000Z', 'Monday 10:00 HKT')
  t.equal(dueAt('2026-12-24', { days: 1, at: '10:00' }, holidays).toISOString(), '2026-12-28T02:00:00.000Z', '25 and 26 December are holidays, the 27th a Sunday')
  const expected = [{ date: DATE, provider: 'alipayhk', storeId: 'MK01', terminalId: null }, { date: DATE, provider: 'octopus', storeId: 'MK01', terminalId: 'T2' }]
  const at = new Date('2026-11-23T02:00:00Z')
  t.same(lateFiles(expected, new Set(), { alipayhk: { days: 1, at: '10:00' }, octopus: { days: 1, at: '10:00' } }, at, holidays).map(l => [l.provider, l.terminalId]), [['alipayhk', null]],
    'at 10:00 the file is late; a reader is not looked for while its provider\'s file itself is missing')
  t.same(lateFiles(expected, new Set([`${DATE}|octopus`]), { alipayhk: { days: 1, at: '10:00' }, octopus: { days: 1, at: '10:00' } }, at, holidays).map(l => [l.provider, l.terminalId]), [['alipayhk', null], ['octopus', 'T2']])
})

t.test('past due: the missing files are kept, alerted once, shown on the calendar, and cleared when they come', async t => {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const rt = await testRuntime(t, { config: { forwarding: doublesForwarding(doubles) } })
  for (const body of [tenderSale(DATE, 'MK01-T1-000124', 'MK01', '12:15:00', '128.50', 'alipayhk', 'MK01-T1-000124-1'), tenderSale(DATE, 'MK01-T1-000125', 'MK01', '12:20:00', '38.00', 'octopus', null),
    tenderSale(DATE, 'TST1-T1-000001', 'TST1', '12:30:00', '20.00', 'cash', null)]) {
    const res = await rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], JSON.parse(body).id, body), payload: body })
    t.equal(res.statusCode, 202)
  }
  await drainInbox(rt)
  const deps = { db: rt.db, boss: rt.boss, config: rt.config }
  const alerts = async () => (await rt.db.query<{ payload: { kind: string, items: Array<{ provider: string, store_id: string, due_at: string }> } }>(`SELECT payload FROM outbox WHERE topic = 'alert' AND payload->>'kind' = 'late_files' ORDER BY id`)).rows.map(r => r.payload)

  t.same((await watchLateFiles(deps, new Date('2026-11-23T01:59:00Z'))).late, [], '09:59 on Monday: not due yet')
  const due = await watchLateFiles(deps, new Date('2026-11-23T02:01:00Z'))
  t.same(due.late.map(l => [l.provider, l.storeId]), [['alipayhk', 'MK01'], ['octopus', 'MK01']], 'TST1 took only cash: it expects no file')
  t.equal(due.alerted, 2)
  t.match(await alerts(), [{ kind: 'late_files', items: [{ provider: 'alipayhk', store_id: 'MK01', due_at: '2026-11-23 10:00 HKT' }, { provider: 'octopus', store_id: 'MK01' }] }])
  t.equal((await watchLateFiles(deps, new Date('2026-11-23T02:16:00Z'))).alerted, 0, 'the next watch alerts no one again')
  t.equal((await alerts()).length, 1, 'one alert in all')

  const s = await signInAs(rt.app!, rt.db, 'finance')
  const calendar = async () => (await rt.app!.inject({ method: 'GET', url: '/calendar?month=2026-11', headers: { cookie: `${s.cookie}; lang=en` } })).body
  t.match(await calendar(), /data-day="2026-11-20" data-store="MK01"[\s\S]*?data-late="alipayhk octopus">File late: AlipayHK, Octopus</)

  const name = '2088000000000001_settle_20261121_B0001.csv'
  const up = await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${name}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'alipayhk', name)) })
  t.equal(up.statusCode, 201)
  const after = await watchLateFiles(deps, new Date('2026-11-23T02:31:00Z'))
  t.same([after.late.map(l => l.provider), after.alerted], [['octopus'], 0], 'AlipayHK came; Octopus is still late and was alerted already')
  t.match(await calendar(), /data-late="octopus">File late: Octopus</)
  const { rows } = await rt.db.query(`SELECT provider FROM late_files WHERE arrived_at IS NOT NULL`)
  t.same(rows, [{ provider: 'alipayhk' }])
})
