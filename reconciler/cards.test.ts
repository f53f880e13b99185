// Cards: one till method that several acquirers may settle, and chargebacks.
import t from 'tap'
import { DAY, payment, sale, settings } from '../fixtures/support/recon.ts'
import { Disputes } from './classify.ts'
import { Matching } from './match.ts'
import { reconcile } from './reconcile.ts'
import type { ReconInput, ReconReport } from './types.ts'

const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: DAY, sales: [], payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z', ...over })

t.test('a card tender goes to the acquirer whose records hold it: Adyen at one store, Stripe at another, no cross-pairing', async t => {
  const r = run({
    sales: [
      sale('C1', { store: 'CWB1', tenders: [{ method: 'card', amount: 20000, reference: 'C1-1' }] }),
      sale('T1', { store: 'TST1', tenders: [{ method: 'card', amount: 8800, reference: 'T1-1' }] }),
      sale('T2', { store: 'TST1', tenders: [{ method: 'card', amount: 4550, reference: 'T2-1' }] })
    ],
    payments: [
      payment({ provider: 'adyen', gross: 20000, fee: 360, merchantRef: 'C1-1', providerTxnId: 'P1' }),
      payment({ provider: 'stripe', gross: 8800, fee: 534, merchantRef: 'T1-1', providerTxnId: 'pi_1' })
    ]
  })
  t.same(r.matches.map(m => [m.sale_id, m.provider, m.by]), [['C1', 'adyen', 'reference'], ['T1', 'stripe', 'reference']])
  // T2 is not in either file: it is missing from the only acquirer with records at its store
  t.match(r.exceptions, [{ code: 'MISSING_PAYMENT', sale_id: 'T2', provider: 'stripe', expected: 4550 }])
  t.equal(r.exceptions.length, 1)
})

t.test('a reference both acquirers list does not decide a card tender: the store\'s other tenders do; one acquirer listing it twice still decides', async t => {
  const r = run({
    sales: [
      sale('C1', { store: 'CWB1', tenders: [{ method: 'card', amount: 20000, reference: 'C1-1' }] }),
      sale('T2', { store: 'TST1', tenders: [{ method: 'card', amount: 3000, reference: 'SHARED-1' }] }),
      sale('T3', { store: 'TST1', tenders: [{ method: 'card', amount: 1200, reference: 'T3-1' }] })
    ],
    payments: [
      payment({ provider: 'adyen', gross: 20000, fee: 360, merchantRef: 'C1-1', providerTxnId: 'P1' }),
      payment({ provider: 'adyen', gross: 3000, fee: 54, merchantRef: 'SHARED-1', providerTxnId: 'P2' }),
      payment({ provider: 'stripe', gross: 3000, fee: 117, merchantRef: 'SHARED-1', providerTxnId: 'pi_2' }),
      payment({ provider: 'stripe', gross: 1200, fee: 65, merchantRef: 'T3-1', providerTxnId: 'pi_3' }),
      payment({ provider: 'stripe', gross: 1200, fee: 65, merchantRef: 'T3-1', providerTxnId: 'pi_4' })
    ]
  })
  // T2 at TST1, whose other card tender Stripe's records decide, goes to Stripe although Adyen is listed first
  t.same(r.matches.map(m => [m.sale_id, m.provider, m.provider_txn_id]), [['C1', 'adyen', 'P1'], ['T2', 'stripe', 'pi_2'], ['T3', 'stripe', 'pi_3']])
  t.same(r.exceptions.map(e => [e.code, e.provider, e.provider_txn_id]).sort(), [['DUPLICATE_PAYMENT', 'stripe', 'pi_4'], ['UNEXPECTED_PAYMENT', 'adyen', 'P2']])
})

t.test('CHARGEBACK: linked to the disputed sale by its reference or the acquirer\'s payment id; a reversal closes it', async t => {
  const sales = [
    sale('C1', { store: 'CWB1', tenders: [{ method: 'card', amount: 12000, reference: 'C1-1' }] }),
    sale('C2', { store: 'CWB1', time: '13:00', tenders: [{ method: 'card', amount: 8000, reference: 'C2-1' }] })
  ]
  const paid = [
    payment({ provider: 'adyen', gross: 12000, fee: 200, merchantRef: 'C1-1', providerTxnId: 'P1' }),
    payment({ provider: 'adyen', gross: 8000, fee: 150, merchantRef: 'C2-1', providerTxnId: 'P2', time: '13:00' })
  ]
  const cb1 = payment({ provider: 'adyen', type: 'chargeback', gross: -12000, fee: 0, originalRef: 'C1-1', originalProviderTxnId: 'P1', providerTxnId: 'CB1', time: '18:00' })
  const cb2 = payment({ provider: 'adyen', type: 'chargeback', gross: -8000, fee: 0, originalProviderTxnId: 'P2', providerTxnId: 'CB2', time: '18:10' })
  const r = run({ sales, payments: [...paid, cb1, cb2] })
  t.match(r.exceptions, [
    { code: 'CHARGEBACK', store_id: 'CWB1', sale_id: 'C1', tender: 0, provider: 'adyen', actual: -12000, reference: 'C1-1', detail: /adyen took back 120\.00 of the payment with reference C1-1/ },
    { code: 'CHARGEBACK', store_id: 'CWB1', sale_id: 'C2', tender: 0, actual: -8000, detail: /of payment P2/ }
  ])
  t.equal(r.exceptions.length, 2, 'the sales themselves were paid: nothing else')
  const won = payment({ provider: 'adyen', type: 'chargeback_reversal', gross: 12000, fee: 0, originalRef: 'C1-1', originalProviderTxnId: 'P1', providerTxnId: 'CBR1', time: '19:00' })
  const after = run({ sales, payments: [...paid, cb1, cb2, won] })
  t.same(after.exceptions.map(e => [e.code, e.sale_id]), [['CHARGEBACK', 'C2']], 'the dispute won is closed; the other stays')
  // by hand: settled gross 120 + 80 − 120 − 80 + 120 = 120.00
  t.match(after.stores.find(s => s.store_id === 'CWB1')?.settled, { adyen: { gross: 12000 } })
})

t.test('card tenders of a chain that has connected no acquirer are the till\'s own; a declared acquirer makes them due', async t => {
  const sales = [sale('C1', { store: 'CWB1', tenders: [{ method: 'card', amount: 20000, reference: 'C1-1' }] })]
  t.same(run({ sales }).exceptions, [], 'no acquirer records in the input: nothing to check the card against')
  t.match(run({ sales, settings: settings({ tenderProviders: { card: ['adyen'] } }) }).exceptions, [{ code: 'MISSING_PAYMENT', sale_id: 'C1', provider: 'adyen' }], 'declared: the missing file is noticed')
  t.same(run({ sales, settings: settings({ tenderProviders: { card: ['stripe'] } }), payments: [payment({ provider: 'adyen', gross: 20000, fee: 360, merchantRef: 'C1-1' })] }).matches.map(m => m.provider), [],
    'an acquirer the chain does not use settles none of its card tenders')
})

t.test('card details tell two card sales of the same amount apart where time alone would cross them', async t => {
  // two HK$120 card sales 20 s apart with no reference (a stand-alone terminal); the acquirer lists the
  // Mastercard 5 s after the first sale and the Visa 5 s after the second: nearest in time would pair
  // the Visa sale with the Mastercard record
  const sales = [
    sale('V', { store: 'CWB1', time: '12:00:00', tenders: [{ method: 'card', amount: 12000, card: { brand: 'visa', last4: '1111', authCode: 'A1B2C3' } }] }),
    sale('M', { store: 'CWB1', time: '12:00:20', tenders: [{ method: 'card', amount: 12000, card: { brand: 'mastercard', last4: '4444', authCode: null } }] })
  ]
  const mc = payment({ id: 'mc', provider: 'adyen', gross: 12000, fee: 216, providerTxnId: 'P-MC', cardBrand: 'mastercard', time: '12:00:05' })
  const visa = payment({ id: 'visa', provider: 'adyen', gross: 12000, fee: 216, providerTxnId: 'P-V', cardBrand: 'visa', time: '12:00:25' })
  const r = run({ sales, payments: [mc, visa] })
  t.same(r.matches.map(m => [m.sale_id, m.payment_id]), [['M', 'mc'], ['V', 'visa']], 'each sale with the record of its own scheme')
  t.same(r.exceptions, [])
  // the last four digits decide where the scheme cannot: two Visa cards
  const kpay = (id: string, last4: string, time: string) => payment({ id, provider: 'kpay', gross: 12000, fee: 180, providerTxnId: `KP-${id}`, storeId: 'CWB1', cardBrand: 'visa', cardLast4: last4, time })
  const twoVisas = [
    sale('A', { store: 'CWB1', time: '12:00:00', tenders: [{ method: 'card', amount: 12000, card: { brand: 'visa', last4: '1111', authCode: null } }] }),
    sale('B', { store: 'CWB1', time: '12:00:20', tenders: [{ method: 'card', amount: 12000, card: { brand: 'visa', last4: '2222', authCode: null } }] })
  ]
  const byLast4 = run({ sales: twoVisas, payments: [kpay('k2', '2222', '12:00:05'), kpay('k1', '1111', '12:00:25')] })
  t.same(byLast4.matches.map(m => [m.sale_id, m.payment_id]), [['A', 'k1'], ['B', 'k2']])
  // a record of another card is never paired, however near: the sale is missing, the record unexpected
  const other = run({ sales: [twoVisas[0]], payments: [kpay('k9', '9999', '12:00:02')] })
  t.same(other.matches, [])
  t.same(other.exceptions.map(e => e.code).sort(), ['MISSING_PAYMENT', 'UNEXPECTED_PAYMENT'])
})

t.test('KPay card tenders without a reference are paired on their own terminal once the day\'s references show which till it serves', async t => {
  const kp = (id: string, device: string, gross: number, time: string, ref: string | null = null) => payment({ id, provider: 'kpay', gross, fee: Math.round(gross * 0.015), providerTxnId: `KP-${id}`, merchantRef: ref, storeId: 'TST1', deviceId: device, time })
  const sales = [
    // referenced sales teach the terminals: till T1 uses KP-T01, till T2 KP-T02
    sale('R1', { store: 'TST1', terminal: 'T1', time: '11:00:00', tenders: [{ method: 'card', amount: 30000, reference: 'R1-1' }] }),
    sale('R2', { store: 'TST1', terminal: 'T2', time: '11:05:00', tenders: [{ method: 'card', amount: 12000, reference: 'R2-1' }] }),
    // two HK$50 card sales 10 s apart on the two tills, no reference, no card details
    sale('A', { store: 'TST1', terminal: 'T1', time: '12:00:00', tenders: [{ method: 'card', amount: 5000 }] }),
    sale('B', { store: 'TST1', terminal: 'T2', time: '12:00:10', tenders: [{ method: 'card', amount: 5000 }] })
  ]
  // KP-T02's record 3 s after A, KP-T01's 2 s after B: by time alone within the store they would cross
  const payments = [kp('r1', 'KP-T01', 30000, '11:00:04', 'R1-1'), kp('r2', 'KP-T02', 12000, '11:05:04', 'R2-1'), kp('t2', 'KP-T02', 5000, '12:00:03'), kp('t1', 'KP-T01', 5000, '12:00:12')]
  const r = run({ sales, payments })
  t.same(r.matches.filter(m => m.sale_id === 'A' || m.sale_id === 'B').map(m => [m.sale_id, m.payment_id]), [['A', 't1'], ['B', 't2']], 'each sale with its own terminal\'s record')
  t.same(r.exceptions, [])
})

t.test('disputes index what their chargebacks name, and find a dispute the input did not list as before', async t => {
  const sales = [
    sale('C1', { store: 'CWB1', tenders: [{ method: 'card', amount: 12000, reference: 'C1-1' }] }),
    sale('C2', { store: 'CWB1', time: '13:00', tenders: [{ method: 'card', amount: 8000, reference: 'C2-1' }] })
  ]
  const p2 = payment({ provider: 'adyen', gross: 8000, fee: 150, merchantRef: 'C2-1', providerTxnId: 'P2', time: '13:00' })
  const listed = payment({ provider: 'adyen', type: 'chargeback', gross: -12000, fee: 0, originalRef: 'C1-1', providerTxnId: 'CB1', time: '18:00' })
  const m = new Matching(sales, settings().providers, [p2, listed])
  const disputes = new Disputes(m, [p2, listed], p => p === p2 ? { saleId: 'C2', storeId: 'CWB1', tender: 0 } : null)
  t.same(disputes.saleOf(listed), { saleId: 'C1', storeId: 'CWB1', tender: 0 }, 'by the reference the chargeback names')
  const unlisted = payment({ provider: 'adyen', type: 'chargeback', gross: -8000, fee: 0, originalProviderTxnId: 'P2', providerTxnId: 'CB2', time: '18:10' })
  t.same(disputes.saleOf(unlisted), { saleId: 'C2', storeId: 'CWB1', tender: 0 }, 'by the payment id, though no listed chargeback named it')
  t.equal(disputes.saleOf(p2), null, 'a payment is no dispute')
})
