// Payouts built from settlement records and stated batches, and the day's report of them. The dates
// are worked out by hand on the 2026 calendar: 20 Nov is a Friday, 23 Nov a Monday, 25 and 26 Dec
// are holidays.
import t from 'tap'
import { buildPayouts, payoutReport, type PayoutRecords, type PayoutRule } from './payout-build.ts'
import type { Deposit } from './payouts.ts'

const HOLIDAYS = new Set(['2026-12-25', '2026-12-26'])
const DAY_1 = '2026-11-20'
const RULES: Record<string, PayoutRule> = {
  alipayhk: { settlementDays: 1, payoutDays: 1, bankNames: ['ALIPAY'] },
  octopus: { settlementDays: 1, payoutDays: 1, bankNames: ['OCTOPUS'] },
  wechatpay: { settlementDays: 2, payoutDays: 2, bankNames: ['WECHAT', 'TENPAY'] }
}
const rec = (provider: string, batchId: string | null, businessDate: string, net: number, settlementDate: string | null = null, storeId: string | null = 'MK01'): PayoutRecords =>
  ({ provider, batchId, businessDate, net, settlementDate, storeId })
const credit = (id: string, valueDate: string, amount: number, text: string): Deposit => ({ id, account: '004-123456-001', valueDate, amount, text })

t.test('records naming a batch are one payout, due a business day after it settled, on the report of its last day', async t => {
  const [p, ...rest] = buildPayouts([rec('alipayhk', '2026112300001', '2026-11-22', 1000, '2026-11-23'), rec('alipayhk', '2026112300001', '2026-11-21', 500, '2026-11-23', 'TST1')], [], RULES, HOLIDAYS)
  t.same(rest, [])
  t.same(p, { group: 'b|alipayhk|2026112300001', rowsNet: 1500, provider: 'alipayhk', batchId: '2026112300001', key: '2026112300001', reference: '2026112300001', amount: 1500, settlementDate: '2026-11-23', dueBy: '2026-11-24', closeDay: '2026-11-22', storeId: null })
})

t.test('records naming no batch are one payout per settlement day: Friday\'s and Saturday\'s both settle on Monday', async t => {
  const list = buildPayouts([rec('octopus', null, '2026-11-20', 8800), rec('octopus', null, '2026-11-21', 1200), rec('octopus', null, '2026-11-23', 300)], [], RULES, HOLIDAYS)
  t.same(list.map(p => [p.key, p.amount, p.closeDay, p.settlementDate, p.dueBy, p.reference]), [
    ['octopus:2026-11-23', 10000, '2026-11-21', '2026-11-23', '2026-11-24', null],
    ['octopus:2026-11-24', 300, '2026-11-23', '2026-11-24', '2026-11-25', null]
  ])
})

t.test('a stated batch pays its stated net; a batch covering trade days takes its provider\'s rows of those days', async t => {
  const list = buildPayouts(
    [rec('alipayhk', 'B0001X', '2026-11-22', 1500, '2026-11-23'), rec('wechatpay', null, '2026-11-20', 700), rec('wechatpay', null, '2026-11-21', 300)],
    [{ provider: 'alipayhk', batchId: 'B0001X', net: 1490, settledOn: '2026-11-23', covers: null }, { provider: 'wechatpay', batchId: 'WX1', net: 999, settledOn: '2026-11-23', covers: { from: '2026-11-20', to: '2026-11-21' } }],
    RULES, HOLIDAYS)
  t.same(list.map(p => [p.key, p.amount, p.closeDay, p.dueBy, p.reference]), [['B0001X', 1490, '2026-11-22', '2026-11-24', 'B0001X'], ['WX1', 999, '2026-11-21', '2026-11-25', null]],
    'WX1 is too short to be looked for in a narrative; due two business days after the 23rd')
})

t.test('holidays and weekends are skipped; a batch netting to nothing and a provider that pays nothing out make no payout', async t => {
  const list = buildPayouts([rec('alipayhk', 'XMAS01', '2026-12-23', 400, '2026-12-24'), rec('alipayhk', 'NEG001', '2026-12-23', -50, '2026-12-24'), rec('fps-collection', null, '2026-12-23', 800)], [], RULES, HOLIDAYS)
  t.same(list.map(p => [p.key, p.dueBy]), [['XMAS01', '2026-12-28']], '25 and 26 Dec are holidays, the 27th a Sunday')
})

t.test('the day\'s report: in the bank, a different amount, missing once the statements reach the due day, pending before, and an unclaimed provider credit', async t => {
  const payouts = buildPayouts([
    rec('alipayhk', 'B2026112301', '2026-11-22', 456321, '2026-11-23'),
    rec('alipayhk', 'B2026112302', '2026-11-22', 1000, '2026-11-23'),
    rec('octopus', null, '2026-11-22', 88000, '2026-11-24'),
    rec('octopus', null, '2026-11-21', 88000), // Saturday's: settles Monday the 23rd, closes on the 21st, so not listed on the 22nd
    rec('wechatpay', 'W2026112201', '2026-11-22', 22339, '2026-11-23')
  ], [], RULES, HOLIDAYS)
  const deposits = [
    credit('1', '2026-11-23', 456321, 'ALIPAY HK SETTLEMENT B2026112301'),
    credit('2', '2026-11-23', 88000, 'OCTOPUS CARDS LTD'),
    credit('3', '2026-11-24', 88000, 'OCTOPUS CARDS LTD'),
    credit('4', '2026-11-24', 22330, 'TENPAY W2026112201'),
    credit('5', '2026-11-22', 7700, 'TENPAY PAYMENT HK'),
    credit('6', '2026-11-22', 50000, 'CASH DEPOSIT')
  ]
  const r = payoutReport('2026-11-22', payouts, deposits, { asOf: '2026-12-03', bankThrough: '2026-11-30' }, RULES)
  t.same(r.lines.map(l => [l.provider, l.payout, l.status, l.bank?.entry ?? null, l.bank?.by ?? null]), [
    ['alipayhk', 'B2026112301', 'in_bank', '1', 'reference'],
    ['alipayhk', 'B2026112302', 'missing', null, null],
    ['octopus', 'octopus:2026-11-24', 'in_bank', '3', 'amount_date'],
    ['wechatpay', 'W2026112201', 'amount_mismatch', '4', 'reference']
  ], 'two Octopus payouts of HK$880.00: Saturday\'s took the credit of the 23rd, so Sunday\'s (settled the 24th) the one of the 24th')
  t.same(r.exceptions.map(e => [e.code, e.provider, e.batch_id, e.expected, e.actual, e.bank_entry ?? null]), [
    ['PAYOUT_AMOUNT_MISMATCH', 'wechatpay', 'W2026112201', 22339, 22330, '4'],
    ['PAYOUT_MISSING', 'alipayhk', 'B2026112302', 1000, 0, null],
    ['UNEXPECTED_DEPOSIT', 'wechatpay', null, null, 7700, '5']
  ])
  const early = payoutReport('2026-11-22', payouts, deposits, { asOf: '2026-12-03', bankThrough: '2026-11-23' }, RULES)
  t.same(early.lines.filter(l => l.status === 'pending').map(l => l.payout), ['B2026112302'], 'the statements end on the 23rd, before its due day: pending, not missing')
  t.notOk(early.exceptions.some(e => e.code === 'PAYOUT_MISSING'))
})

t.test('two providers\' batches of one number are told apart by the provider: their exceptions never share a key', async t => {
  const rules = { ...RULES, wechatpay: { settlementDays: 1, payoutDays: 1, bankNames: ['TENPAY'] } }
  const list = buildPayouts([rec('alipayhk', '1', DAY_1, 100, '2026-11-23'), rec('wechatpay', '1', DAY_1, 200, '2026-11-23')], [], rules, HOLIDAYS)
  t.same(list.map(p => [p.key, p.batchId]), [['alipayhk:1', '1'], ['wechatpay:1', '1']])
})
