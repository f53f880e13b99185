// FPS tenders the bank alone records: its credits pay them by the reference they carry, else by the one
// amount of the day; what pays no sale is unexpected. Amounts and texts are set by hand.
import t from 'tap'
import { DAY, payment, sale, settings } from '../fixtures/support/recon.ts'
import { reconcile } from './reconcile.ts'
import type { Deposit } from './payouts.ts'
import type { PayoutInput, ReconInput, ReconReport } from './types.ts'

const credit = (id: string, valueDate: string, amount: number, text: string): Deposit => ({ id, account: '012-875-1-234567', valueDate, amount, text })
const bank = (deposits: Deposit[], bankThrough = '2026-11-23'): PayoutInput => ({ records: [], stated: [], deposits, bankThrough })
const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: DAY, sales: [], payments: [], settings: settings({ asOf: '2026-11-27' }), generatedAt: '2026-11-24T01:30:00Z', ...over })

const SALES = [
  sale('S1', { time: '12:00', tenders: [{ method: 'fps', amount: 8800, reference: 'MK01-T1-000123-1' }] }),
  sale('S2', { time: '13:00', tenders: [{ method: 'fps', amount: 4500 }] }),
  sale('S3', { time: '14:00', tenders: [{ method: 'fps', amount: 3000 }] }),
  sale('S4', { time: '15:00', tenders: [{ method: 'fps', amount: 3000 }] }),
  sale('S5', { time: '23:58', tenders: [{ method: 'fps', amount: 1200 }] })
]

t.test('an FPS credit pays the sale whose reference it carries, or the only sale of its amount that day (or the evening before); two sales of one amount are left to a person', async t => {
  const r = run({
    sales: SALES,
    payouts: bank([
      credit('1', DAY, 8800, 'FPS CREDIT CHAN T M REF MK01-T1-000123-1'),
      credit('2', DAY, 4500, 'FPS CREDIT LEE S Y'),
      credit('3', DAY, 3000, 'FPS CREDIT WONG K'),
      credit('4', DAY, 3000, 'FPS CREDIT HO M'),
      credit('5', '2026-11-21', 1200, '轉數快 入帳'),
      credit('6', DAY, 9900, 'FASTER PAYMENT CHEUNG'),
      credit('7', DAY, 50000, 'CASH DEPOSIT')
    ])
  })
  t.same(r.matches.map(m => [m.sale_id, m.provider, m.payment_id, m.by]), [
    ['S1', 'fps-collection', 'bank-1', 'reference'],
    ['S2', 'fps-collection', 'bank-2', 'amount_date'],
    ['S5', 'fps-collection', 'bank-5', 'amount_date']
  ], 'S3 and S4 are both HK$30.00 with two HK$30.00 credits: no pairing is surer than another')
  t.same(r.exceptions.map(e => [e.code, e.sale_id, e.payment_id ?? null, e.expected, e.actual]), [
    ['MISSING_PAYMENT', 'S3', null, 3000, null],
    ['MISSING_PAYMENT', 'S4', null, 3000, null],
    ['UNEXPECTED_PAYMENT', null, 'bank-3', null, 3000],
    ['UNEXPECTED_PAYMENT', null, 'bank-4', null, 3000],
    ['UNEXPECTED_PAYMENT', null, 'bank-6', null, 9900]
  ], 'the cash deposit names no provider and is not ours; credit 5 is the next day\'s, paying S5 of 23:58')
  // the day's credits: 88.00 + 45.00 + 30.00 + 30.00 + 99.00; the unpaired ones are MK01's by the account its paired ones came to
  t.match(r.stores.find(s => s.store_id === 'MK01')?.settled, { 'fps-collection': { gross: 29200, fee: 0 } })
  t.ok(r.exceptions.filter(e => e.code === 'UNEXPECTED_PAYMENT').every(e => e.store_id === 'MK01' && e.store_inferred))
})

t.test('the bank is not read for FPS until its statements reach the next day, nor when an FPS collection file is loaded', async t => {
  const early = run({ sales: SALES.slice(0, 1), payouts: bank([credit('1', DAY, 8800, 'FPS CREDIT REF MK01-T1-000123-1')], DAY) })
  t.same([early.matches, early.exceptions], [[], []], 'the statements end on the day itself: FPS tenders are the till\'s own until they reach the 21st')
  const filed = run({
    sales: SALES.slice(0, 1),
    payments: [payment({ provider: 'fps-collection', gross: 8800, fee: 0, merchantRef: 'MK01-T1-000123-1', providerTxnId: 'FPS0001' })],
    payouts: bank([credit('1', DAY, 8800, 'FPS CREDIT REF MK01-T1-000123-1')])
  })
  t.same(filed.matches.map(m => m.payment_id), [filed.matches[0].payment_id])
  t.notOk(filed.matches[0].payment_id.startsWith('bank-'), 'the file\'s record pays the sale')
  t.same(filed.exceptions, [], 'and the bank\'s credit is not read as a second record')
})

t.test('a credit naming a provider that pays out through FPS is that provider\'s, not a till\'s receipt', async t => {
  const r = run({ sales: [sale('S1', { tenders: [{ method: 'fps', amount: 88000 }] })], payouts: bank([credit('1', DAY, 88000, 'FPS CREDIT OCTOPUS CARDS LTD')]) })
  t.same(r.matches, [])
  t.match(r.exceptions, [{ code: 'UNEXPECTED_DEPOSIT', provider: 'octopus', actual: 88000 }])
  t.equal(r.exceptions.length, 1, 'and with no receipt the FPS tender is the till\'s own')
})
