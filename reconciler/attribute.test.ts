// A record no sale claims gets the store its data names: configured, else learnt from the day.
import t from 'tap'
import { payment, sale, settings } from '../fixtures/support/recon.ts'
import { reconcile } from './reconcile.ts'
import type { ReconInput, ReconReport } from './types.ts'

const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: '2026-11-20', sales: [], payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z', ...over })

// two shops, each with its own AlipayHK partner id (layout A), and a chain-wide one used by both
const SALES = [
  sale('M1', { store: 'MK01', tenders: [{ method: 'alipayhk', amount: 1000, reference: 'M1-1' }] }),
  sale('M2', { store: 'MK01', time: '12:10', tenders: [{ method: 'alipayhk', amount: 2000, reference: 'M2-1' }] }),
  sale('C1', { store: 'CWB1', tenders: [{ method: 'alipayhk', amount: 3000, reference: 'C1-1' }] }),
  sale('X1', { store: 'MK01', time: '13:00', tenders: [{ method: 'alipayhk', amount: 500, reference: 'X1-1' }] }),
  sale('X2', { store: 'CWB1', time: '13:00', tenders: [{ method: 'alipayhk', amount: 600, reference: 'X2-1' }] })
]
const PAID = [
  payment({ provider: 'alipayhk', gross: 1000, merchantRef: 'M1-1', providerTxnId: 'A1', account: '2088000000000001' }),
  payment({ provider: 'alipayhk', gross: 2000, merchantRef: 'M2-1', providerTxnId: 'A2', account: '2088000000000001', time: '12:10' }),
  payment({ provider: 'alipayhk', gross: 3000, merchantRef: 'C1-1', providerTxnId: 'A3', account: '銅鑼灣店' }),
  payment({ provider: 'alipayhk', gross: 500, merchantRef: 'X1-1', providerTxnId: 'A4', account: '2088000000000009', time: '13:00' }),
  payment({ provider: 'alipayhk', gross: 600, merchantRef: 'X2-1', providerTxnId: 'A5', account: '2088000000000009', time: '13:00' })
]

t.test('an unexpected payment, and a refund with no return, take the store of their account\'s matched records, marked inferred', async t => {
  const r = run({
    sales: SALES,
    payments: [...PAID,
      payment({ provider: 'alipayhk', gross: 4200, merchantRef: 'GHOST-1', providerTxnId: 'A9', account: '2088000000000001', time: '15:00' }),
      payment({ provider: 'alipayhk', type: 'refund', gross: -800, fee: 0, merchantRef: 'R-1', providerTxnId: 'A10', account: '銅鑼灣店', time: '16:00' })]
  })
  t.match(r.exceptions, [
    { code: 'REFUND_WITHOUT_RETURN', store_id: 'CWB1', store_inferred: true, store_evidence: "1 matched alipayhk record of account 銅鑼灣店 was CWB1's" },
    { code: 'UNEXPECTED_PAYMENT', store_id: 'MK01', reference: 'GHOST-1', store_inferred: true, store_evidence: "2 matched alipayhk records of account 2088000000000001 were MK01's" }
  ])
  t.match(r.stores.find(s => s.store_id === 'MK01'), { settled: { alipayhk: { gross: 1000 + 2000 + 500 + 4200 } } }, 'and count in that store\'s settled money')
})

t.test('an account the day saw at two stores attributes nothing; a configured code wins and is not inferred', async t => {
  const ghost = payment({ provider: 'alipayhk', gross: 4200, merchantRef: 'GHOST-1', providerTxnId: 'A9', account: '2088000000000009', time: '15:00' })
  const r = run({ sales: SALES, payments: [...PAID, ghost] })
  t.match(r.exceptions, [{ code: 'UNEXPECTED_PAYMENT', store_id: null }])
  t.notOk('store_inferred' in r.exceptions[0], 'nothing inferred')
  const configured = run({ sales: SALES, payments: [...PAID, ghost], settings: settings({ storeAliases: { alipayhk: { '2088000000000009': 'TST1' } } }) })
  t.match(configured.exceptions, [{ code: 'UNEXPECTED_PAYMENT', store_id: 'TST1' }])
  t.notOk('store_inferred' in configured.exceptions[0])
})

t.test('what one provider\'s matched records say attributes none of another provider\'s records', async t => {
  // WeChat Pay's unexpected record carries the account AlipayHK's matched records put at MK01
  const r = run({
    sales: SALES,
    payments: [...PAID,
      payment({ provider: 'alipayhk', gross: 4200, merchantRef: 'GHOST-1', providerTxnId: 'A9', account: '2088000000000001', time: '15:00' }),
      payment({ provider: 'wechatpay', gross: 700, merchantRef: 'GHOST-2', providerTxnId: 'W9', account: '2088000000000001', time: '15:30' })]
  })
  t.match(r.exceptions.find(e => e.reference === 'GHOST-1'), { code: 'UNEXPECTED_PAYMENT', store_id: 'MK01', store_inferred: true })
  const other = r.exceptions.find(e => e.reference === 'GHOST-2')
  t.match(other, { code: 'UNEXPECTED_PAYMENT', provider: 'wechatpay', store_id: null })
  t.notOk(other && 'store_inferred' in other, 'nothing inferred for it')
})
