// Claims on a provider through the API: opened only on an open exception that fits one (nothing
// written otherwise), followed from open to sent, closed by the bank credit that names it or by hand,
// every move in the audit trail, and a credited claim resolving its exception.
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { reconcileDay } from '../recon/run.ts'

type Rt = Awaited<ReturnType<typeof testRuntime>>
const hsbcCsv = (rows: string[]): string => ['Account name,HK RETAIL CO LTD', 'Account number,004-123456-001', 'Currency,HKD', '', 'Date,Transaction details,Deposit amount,Withdrawal amount,Balance', ...rows].join('\r\n')
const DAY = '2026-11-20'
const MISSING = 'PAYOUT_MISSING|||||5000000000001|'

/** AlipayHK's settle batch 5000000000001 (stated 852.40 − 8.52 = 843.88, due by 23 Nov), and a statement to the 24th without it. */
async function missingPayout (t: Test): Promise<Rt> {
  const rt = await testRuntime(t)
  for (const name of ['2088000000000003_settle_20261121_5000000000001.csv', '2088000000000003_settlebatch_20261121.csv']) {
    const res = await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${name}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: readFileSync(join(FIXTURES, 'alipayhk', name)) })
    t.equal(res.statusCode, 201)
  }
  await bank(rt, 'hsbc_20261124.csv', ['24/11/2026,SERVICE CHARGE,,25.00,"9,975.00"', '23/11/2026,CASH DEPOSIT MK01,"1,200.00",,"10,000.00"'])
  await reconcileDay(rt, { date: DAY, trigger: 'manual', asOf: '2026-11-27' })
  return rt
}
async function bank (rt: Rt, filename: string, rows: string[]) {
  return (await rt.app!.inject({ method: 'POST', url: `/v1/bank-statements?filename=${filename}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: hsbcCsv(rows) })).json()
}
const claim = (rt: Rt, body: object) => rt.app!.inject({ method: 'POST', url: `/v1/reconciliations/${DAY}/claims`, headers: auth('finance'), payload: body })
const move = (rt: Rt, id: number, m: string, note: string) => rt.app!.inject({ method: 'POST', url: `/v1/claims/${id}/${m}`, headers: auth('finance'), payload: { note } })
const count = async (rt: Rt): Promise<number> => (await rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM claims')).rows[0].n

t.test('a claim is opened only where one fits: an unknown exception and money that came in are refused, nothing written', async t => {
  const rt = await missingPayout(t)
  const unknown = await claim(rt, { key: 'PAYOUT_MISSING|||||NOPE|', note: 'asked AlipayHK' })
  t.same([unknown.statusCode, unknown.json().error], [409, 'NOT_OPEN'])
  // the batch's rows pay no sale of ours: money came in, none was taken
  const { rows: [stray] } = await rt.db.query<{ key: string }>(`SELECT key FROM recon_exceptions WHERE business_date = $1 AND code = 'UNEXPECTED_PAYMENT' LIMIT 1`, [DAY])
  const refused = await claim(rt, { key: stray.key, note: 'asked AlipayHK' })
  t.same([refused.statusCode, refused.json().error], [422, 'NOT_CLAIMABLE'])
  const bad = await claim(rt, { key: MISSING, note: 'x' })
  t.equal(bad.statusCode, 400, 'a note of one letter says nothing')
  t.equal(await count(rt), 0, 'nothing was written')
})

t.test('open → sent → credited by the statement that names the batch; the audit trail has every move', async t => {
  const rt = await missingPayout(t)
  const opened = await claim(rt, { key: MISSING, note: 'emailed AlipayHK merchant support' })
  t.equal(opened.statusCode, 201, opened.body)
  t.match(opened.json(), { status: 'open', code: 'PAYOUT_MISSING', provider: 'alipayhk', amount: 84388, reference: '5000000000001', opened_by: 'key:finance' })
  const id = opened.json().id
  t.same((await claim(rt, { key: MISSING, note: 'again' })).json().error, 'ALREADY_CLAIMED')
  t.match((await move(rt, id, 'send', 'case HK-2211 opened with AlipayHK')).json(), { status: 'sent' })
  const twice = await move(rt, id, 'send', 'again')
  t.same([twice.statusCode, twice.json().error], [409, 'CLAIM_STATE'])

  // the next statement carries the batch's credit: the claim closes with the import that brought it
  const imported = await bank(rt, 'hsbc_20261126.csv', ['26/11/2026,ALIPAY PAYMENT SERVICES 5000000000001,843.88,,"10,818.88"', '24/11/2026,SERVICE CHARGE,,25.00,"9,975.00"'])
  const { rows: [row] } = await rt.db.query('SELECT status, closed_by, credit_source FROM claims WHERE id = $1', [id])
  t.match(row, { status: 'credited', closed_by: 'system:import', credit_source: new RegExp(`^import:${imported.import_id}:\\d+$`) })
  const listed = (await rt.app!.inject({ method: 'GET', url: '/v1/claims?status=credited', headers: auth('auditor') })).json()
  t.same(listed.items.map((c: { id: number }) => c.id), [id])
  const { rows: trail } = await rt.db.query<{ action: string, actor: string }>(`SELECT action, actor FROM audit_log WHERE action LIKE 'claim.%' ORDER BY id`)
  t.same(trail.map(a => [a.action, a.actor]), [['claim.open', 'key:finance'], ['claim.send', 'key:finance'], ['claim.credit', 'system:import']])
})

t.test('a short payout claimed and credited by hand: its exception is resolved as claimed back', async t => {
  const rt = await missingPayout(t)
  await bank(rt, 'hsbc_20261125.csv', ['25/11/2026,ALIPAY PAYMENT SERVICES 5000000000001,843.80,,"10,818.80"', '24/11/2026,SERVICE CHARGE,,25.00,"9,975.00"'])
  await reconcileDay(rt, { date: DAY, trigger: 'manual', asOf: '2026-11-27' })
  const { rows: [entry] } = await rt.db.query<{ id: string }>(`SELECT id::text FROM bank_entries WHERE amount = 84380`)
  // the exception names the bank entry the short credit is
  const opened = await claim(rt, { key: `PAYOUT_AMOUNT_MISMATCH|||||5000000000001||${entry.id}`, note: 'the bank credited 8 cents short' })
  t.match(opened.json(), { status: 'open', amount: 8 }, 'by default the 8 cents missing')
  const credited = await move(rt, opened.json().id, 'credit', 'AlipayHK added HK$0.08 to the next batch')
  t.match(credited.json(), { status: 'credited', credit_source: 'manual', closed_by: 'key:finance' })
  const report = (await rt.app!.inject({ method: 'GET', url: `/v1/reconciliations/${DAY}`, headers: auth('finance') })).json()
  t.notOk(report.exceptions.some((e: { code: string }) => e.code === 'PAYOUT_AMOUNT_MISMATCH'), 'no longer open')
  t.match(report.resolved.filter((e: { code: string }) => e.code === 'PAYOUT_AMOUNT_MISMATCH'), [{ resolution: { action: 'claim', category: null, actor: 'key:finance', reason: /credited: AlipayHK added/ } }])
  const rejected = await move(rt, opened.json().id, 'reject', 'too late')
  t.same([rejected.statusCode, rejected.json().error], [409, 'CLAIM_STATE'], 'a credited claim stays credited')
})
