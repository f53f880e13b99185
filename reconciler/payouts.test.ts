// Payouts against bank deposits. Every figure is set by hand in the test.
import t from 'tap'
import { matchPayouts, type Deposit, type Payout } from './payouts.ts'

const payout = (provider: string, batchId: string, amount: number, settlementDate = '2026-11-23', dueBy = '2026-11-24'): Payout =>
  ({ group: `b|${provider}|${batchId}`, rowsNet: amount, provider, batchId, key: batchId, reference: batchId, amount, settlementDate, dueBy, closeDay: '2026-11-22', storeId: null })
const credit = (id: string, valueDate: string, amount: number, text: string): Deposit => ({ id, account: '004-123456-001', valueDate, amount, text })
const PAYERS = { alipayhk: ['ALIPAY'], octopus: ['OCTOPUS CARDS'], wechatpay: ['WECHAT PAY'] }

t.test('a credit naming the batch id is its payout\'s; one of another amount is a mismatch, not a missing payout', async t => {
  const r = matchPayouts(
    [payout('alipayhk', 'B0001', 456321), payout('wechatpay', '100000001202611220001', 22339)],
    [credit('d1', '2026-11-23', 456321, 'ALIPAY HK SETTLEMENT B0001 20261123'), credit('d2', '2026-11-23', 22330, 'WECHAT PAY HK LTD BATCH 100000001202611220001')],
    { asOf: '2026-11-30', bankThrough: '2026-11-30' }, PAYERS)
  t.same(r.matched.map(m => [m.payout.batchId, m.deposit.id, m.by]), [['B0001', 'd1', 'reference']])
  t.same(r.mismatched.map(m => [m.payout.batchId, m.deposit.id, m.deposit.amount - m.payout.amount]), [['100000001202611220001', 'd2', -9]])
  t.same([r.missing, r.pending, r.unexpected], [[], [], []])
})

t.test('without a reference: the same amount on a value day within the cycle, the earliest first; a credit outside the cycle does not count', async t => {
  const r = matchPayouts(
    [payout('octopus', 'MPS1123', 88000, '2026-11-23', '2026-11-24'), payout('octopus', 'MPS1124', 88000, '2026-11-24', '2026-11-25')],
    [credit('late', '2026-11-26', 88000, 'OCTOPUS CARDS LTD'), credit('b', '2026-11-25', 88000, 'OCTOPUS CARDS LTD'), credit('a', '2026-11-24', 88000, 'OCTOPUS CARDS LTD')],
    { asOf: '2026-11-30', bankThrough: '2026-11-30' }, PAYERS)
  t.same(r.matched.map(m => [m.payout.batchId, m.deposit.id, m.by]), [['MPS1123', 'a', 'amount_date'], ['MPS1124', 'b', 'amount_date']])
  t.same(r.unexpected.map(d => d.id), ['late'], 'the credit of the 26th is past both cycles: it names Octopus and no payout claims it')
})

t.test('a payout with no credit is missing once its last day has passed, pending before; other credits are not ours', async t => {
  const payouts = [payout('alipayhk', 'B0002', 1000, '2026-11-23', '2026-11-24')]
  const deposits = [credit('cash', '2026-11-24', 50000, 'CASH DEPOSIT MK01'), credit('neg', '2026-11-24', -1000, 'ALIPAY B0002')]
  t.same(matchPayouts(payouts, deposits, { asOf: '2026-11-24', bankThrough: '2026-11-24' }, PAYERS).pending.map(p => p.batchId), ['B0002'], 'due by the 24th: on the 24th it is pending')
  const r = matchPayouts(payouts, deposits, { asOf: '2026-11-25', bankThrough: '2026-11-25' }, PAYERS)
  t.same(r.missing.map(p => p.batchId), ['B0002'])
  t.same(r.unexpected, [], 'a cash deposit names no provider; a debit is no payout')
})

t.test('a batch id is a whole token: B0001 is not found in B00012, and the longer id keeps its own credit', async t => {
  const r = matchPayouts([payout('alipayhk', 'B0001', 500), payout('alipayhk', 'B00012', 700)], [credit('x', '2026-11-23', 700, 'ALIPAY B00012'), credit('y', '2026-11-23', 500, 'ALIPAY B0001')], { asOf: '2026-11-30', bankThrough: '2026-11-30' }, PAYERS)
  t.same(r.matched.map(m => [m.payout.batchId, m.deposit.id]).sort(), [['B0001', 'y'], ['B00012', 'x']])
})
