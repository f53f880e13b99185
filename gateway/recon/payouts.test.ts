// Payouts against the bank, end to end: the provider's files and the bank's statement are uploaded as
// finance would, and the day's report says where each payout's money is. Figures are the fixtures',
// worked out by hand in fixtures/README.md and in the comments here.
import t, { type Test } from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import { signInAs } from '../../fixtures/support/web.ts'
import { en } from '../web/messages/en.ts'
import { zhHK } from '../web/messages/zh-HK.ts'
import { reconcileDay } from './run.ts'

type Rt = Awaited<ReturnType<typeof testRuntime>>
const upload = async (t: Test, rt: Rt, url: string, type: string, body: string | Buffer): Promise<number> => {
  const res = await rt.app!.inject({ method: 'POST', url, headers: { ...auth('finance'), 'content-type': type }, payload: body })
  t.equal(res.statusCode, 201, res.body)
  return res.json().import_id
}
const fixture = (path: string): Buffer => readFileSync(join(FIXTURES, path))
const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, '\'').replace(/\s+/g, ' ')
/** An HSBC HK business-banking download (the shipped profile's layout) of one account. */
const hsbcCsv = (rows: string[]): string => ['Account name,HK RETAIL CO LTD', 'Account number,004-123456-001', 'Currency,HKD', '', 'Date,Transaction details,Deposit amount,Withdrawal amount,Balance', ...rows].join('\r\n')

t.test('WeChat Pay: the settlement batch is found in the MT940 statement by its batch id; the AlipayHK credit no payout claims is an unexpected deposit on its day', async t => {
  const rt = await testRuntime(t)
  await upload(t, rt, '/v1/settlements?filename=1900000109_all_20261120.csv', 'text/csv', fixture('wechatpay/1900000109_all_20261120.csv'))
  await upload(t, rt, '/v1/settlements?filename=settlements_20261122.json', 'application/json', fixture('wechatpay/settlements_20261122.json'))
  await upload(t, rt, '/v1/bank-statements?filename=hsbc_mt940_20261124.sta', 'text/plain', fixture('bank/hsbc_mt940_20261124.sta'))

  const { report } = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  // the batch states net 224.74 − fee 1.35 = 223.39, settled on the 22nd (a Sunday): due by Tuesday the 24th
  t.match(report.payouts, [{ provider: 'wechatpay', payout: '100000001202611220001', amount: 22339, settlement_date: '2026-11-22', due_by: '2026-11-24', status: 'in_bank', bank: { value_date: '2026-11-23', amount: 22339, by: 'reference', account: '004-123456-001' } }])
  t.equal(report.payouts.length, 1)
  t.notOk(report.exceptions.some(e => e.code.startsWith('PAYOUT') || e.code === 'UNEXPECTED_DEPOSIT'))

  const { report: day23 } = await reconcileDay(rt, { date: '2026-11-23', trigger: 'manual', asOf: '2026-11-27' })
  t.match(day23.exceptions.filter(e => e.code === 'UNEXPECTED_DEPOSIT'), [{ provider: 'alipayhk', expected: null, actual: 456321, value_date: '2026-11-23', store_id: null }],
    'the HK$4,563.21 AlipayHK credit of the 23rd: no AlipayHK file is here to claim it')
  t.equal(day23.exceptions.filter(e => e.code === 'UNEXPECTED_DEPOSIT').length, 1, 'the reversal is a debit and the service charge names no provider')
})

t.test('AlipayHK: a settle batch the statements do not show is missing once they reach its due day; a later statement crediting another amount is a mismatch; the import re-opens the day', async t => {
  const rt = await testRuntime(t)
  await upload(t, rt, '/v1/settlements?filename=2088000000000003_settle_20261121_5000000000001.csv', 'text/csv', fixture('alipayhk/2088000000000003_settle_20261121_5000000000001.csv'))
  await upload(t, rt, '/v1/settlements?filename=2088000000000003_settlebatch_20261121.csv', 'text/csv', fixture('alipayhk/2088000000000003_settlebatch_20261121.csv'))

  const before = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  // stated: 852.40 − 8.52 = 843.88, settled Saturday the 21st: due by Monday the 23rd
  t.match(before.report.payouts, [{ provider: 'alipayhk', payout: '5000000000001', amount: 84388, settlement_date: '2026-11-21', due_by: '2026-11-23', status: 'pending' }],
    'no statement is here: nothing says the money did not come')
  t.notOk(before.report.exceptions.some(e => e.code === 'PAYOUT_MISSING'))

  await upload(t, rt, '/v1/bank-statements?filename=hsbc_20261124.csv', 'text/csv', hsbcCsv(['24/11/2026,SERVICE CHARGE,,25.00,"9,975.00"', '23/11/2026,CASH DEPOSIT MK01,"1,200.00",,"10,000.00"']))
  const { rows: [day] } = await rt.db.query<{ reopened_by: string | null, behind: boolean }>(`SELECT reopened_by, data_version > reconciled_version AS behind FROM recon_days WHERE business_date = '2026-11-20'`)
  t.match(day, { reopened_by: /^import:\d+$/, behind: true }, 'the statement re-opened the reconciled day its payouts belong to')

  const missing = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  t.match(missing.report.exceptions.filter(e => e.code === 'PAYOUT_MISSING'), [{ provider: 'alipayhk', batch_id: '5000000000001', expected: 84388, actual: 0, due_by: '2026-11-23' }])
  t.match(missing.report.payouts, [{ status: 'missing' }])

  await upload(t, rt, '/v1/bank-statements?filename=hsbc_20261125.csv', 'text/csv', hsbcCsv(['25/11/2026,ALIPAY PAYMENT SERVICES 5000000000001,843.80,,"10,818.80"', '24/11/2026,SERVICE CHARGE,,25.00,"9,975.00"', '23/11/2026,CASH DEPOSIT MK01,"1,200.00",,"10,000.00"']))
  const after = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  t.match(after.report.exceptions.filter(e => e.code.startsWith('PAYOUT')), [{ code: 'PAYOUT_AMOUNT_MISMATCH', provider: 'alipayhk', batch_id: '5000000000001', expected: 84388, actual: 84380, value_date: '2026-11-25' }],
    'found by its batch id although two days late and 8 cents short: the credit is its, the amount is wrong')
  t.match(after.report.payouts, [{ status: 'amount_mismatch', bank: { amount: 84380, by: 'reference' } }])

  const api = await rt.app!.inject({ method: 'GET', url: '/v1/reconciliations/2026-11-20', headers: auth('finance') })
  t.match(api.json().payouts, [{ payout: '5000000000001', status: 'amount_mismatch', bank: { value_date: '2026-11-25' } }], 'the API serves the payouts')
})

t.test('the day page lists the payout with its bank credit, in English and 繁體中文, and the missing one among the open exceptions', async t => {
  const rt = await testRuntime(t)
  await upload(t, rt, '/v1/settlements?filename=1900000109_all_20261120.csv', 'text/csv', fixture('wechatpay/1900000109_all_20261120.csv'))
  await upload(t, rt, '/v1/settlements?filename=settlements_20261122.json', 'application/json', fixture('wechatpay/settlements_20261122.json'))
  await upload(t, rt, '/v1/settlements?filename=2088000000000003_settlebatch_20261121.csv', 'text/csv', fixture('alipayhk/2088000000000003_settlebatch_20261121.csv'))
  await upload(t, rt, '/v1/settlements?filename=2088000000000003_settle_20261121_5000000000001.csv', 'text/csv', fixture('alipayhk/2088000000000003_settle_20261121_5000000000001.csv'))
  await upload(t, rt, '/v1/bank-statements?filename=hsbc_mt940_20261124.sta', 'text/plain', fixture('bank/hsbc_mt940_20261124.sta'))
  await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  const s = await signInAs(rt.app!, rt.db, 'finance')
  const page = async (lang: string): Promise<string> => (await rt.app!.inject({ method: 'GET', url: '/days/2026-11-20', headers: { cookie: `${s.cookie}; lang=${lang}` } })).body
  const enPage = text(await page('en'))
  t.match(enPage, `${en['day.payouts']}`)
  t.match(enPage, /WeChat Pay HK 100000001202611220001 — HK\$223\.39 2026-11-22 2026-11-24 In the bank 2026-11-23 · HK\$223\.39/)
  t.match(enPage, /AlipayHK 5000000000001 — HK\$843\.88 2026-11-21 2026-11-23 Not in the bank —/)
  t.match(enPage, 'The AlipayHK payout 5000000000001 of HK$843.88 was due in the bank by 2026-11-23; no credit for it is there.')
  const zh = text(await page('zh-HK'))
  t.match(zh, zhHK['day.payouts'])
  t.match(zh, `${zhHK['payout.in_bank']}`)
  t.match(zh, '支付寶香港 款項 5000000000001（HK$843.88）應於 2026-11-23 或之前存入銀行，但銀行未見入帳。')
})
