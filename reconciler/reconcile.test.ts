import t from 'tap'
import { at, DAY, payment, sale, settings } from '../fixtures/support/recon.ts'
import { reconcile, reconcileInStages } from './reconcile.ts'
import type { ReconInput, ReconReport } from './types.ts'

const run = (over: Partial<ReconInput>): ReconReport => reconcile({ date: DAY, sales: [], payments: [], settings: settings(), generatedAt: '2026-11-21T01:30:00Z', ...over })
const codes = (r: ReconReport) => r.exceptions.map(e => e.code)

t.test('a clean day: references and amount/time both match, every sale verified', async t => {
  const r = run({
    sales: [
      sale('S1', { tenders: [{ method: 'octopus', amount: 8800, reference: 'S1-1' }] }),
      sale('S2', { time: '12:05', tenders: [{ method: 'alipayhk', amount: 12850, reference: 'S2-1' }] }),
      sale('S3', { time: '12:10', terminal: 'T2', tenders: [{ method: 'octopus', amount: 3800 }] }),
      sale('S4', { tenders: [{ method: 'cash', amount: 1000 }] })
    ],
    payments: [
      payment({ provider: 'octopus', gross: 8800, merchantRef: 'S1-1', fee: 132 }),
      payment({ provider: 'alipayhk', gross: 12850, merchantRef: 'S2-1', providerTxnId: 'A1', time: '12:05' }),
      payment({ provider: 'octopus', gross: 3800, deviceId: 'D2', time: '12:10:30', fee: 57 })
    ]
  })
  t.same(r.exceptions, [])
  t.same(r.matches.map(m => [m.sale_id, m.by, m.score ?? null]), [['S1', 'reference', null], ['S2', 'reference', null], ['S3', 'amount_time', 0.95]])
  t.match(r.stores, [{ store_id: 'MK01', sales: 4, tenders: { octopus: 12600, alipayhk: 12850, cash: 1000 }, verified_sales: 4, settled: { octopus: { gross: 12600, fee: 189 }, alipayhk: { gross: 12850 } } }])
  t.same(r.verified_movements, { MK01: ['pos:S1#1', 'pos:S2#1', 'pos:S3#1', 'pos:S4#1'] })
  t.same(r.provisional_movements, [])
})

t.test('MISSING_PAYMENT: a due non-cash tender with no provider record', async t => {
  const r = run({ sales: [sale('S1', { tenders: [{ method: 'alipayhk', amount: 500, reference: 'S1-1' }] })] })
  t.match(r.exceptions, [{ code: 'MISSING_PAYMENT', store_id: 'MK01', sale_id: 'S1', tender: 0, provider: 'alipayhk', expected: 500, actual: null, detail: /no alipayhk record for reference S1-1/ }])
  t.equal(r.stores[0].verified_sales, 0, 'its stock stays provisional')
})

t.test('PENDING_SETTLEMENT: not due yet (T+1 over a weekend), or the Octopus reader has not uploaded', async t => {
  const friday = sale('S1', { tenders: [{ method: 'alipayhk', amount: 500, reference: 'S1-1' }] })
  t.match(run({ sales: [friday], settings: settings({ asOf: '2026-11-21' }) }).exceptions, [{ code: 'PENDING_SETTLEMENT', detail: /settles 2026-11-20 on 2026-11-23/ }])
  // till T2's reader uploaded nothing for the day, while T1's did
  const r = run({
    sales: [sale('S1', { tenders: [{ method: 'octopus', amount: 800, reference: 'S1-1' }] }), sale('S2', { terminal: 'T2', tenders: [{ method: 'octopus', amount: 900, reference: 'S2-1' }] })],
    payments: [payment({ provider: 'octopus', gross: 800, merchantRef: 'S1-1', fee: 12 })]
  })
  t.match(r.exceptions, [{ code: 'PENDING_SETTLEMENT', sale_id: 'S2', detail: /reader of till T2 has not uploaded/ }])
  t.equal(r.exceptions.length, 1)
})

t.test('UNEXPECTED_PAYMENT: a provider payment no sale accounts for', async t => {
  const r = run({ payments: [payment({ provider: 'alipayhk', gross: 999, merchantRef: 'GHOST-1', providerTxnId: 'A9' })] })
  t.match(r.exceptions, [{ code: 'UNEXPECTED_PAYMENT', provider: 'alipayhk', actual: 999, reference: 'GHOST-1', provider_txn_id: 'A9', store_id: null }])
  t.match(r.stores, [{ store_id: 'UNASSIGNED', exceptions: { UNEXPECTED_PAYMENT: 1 } }])
})

t.test('AMOUNT_MISMATCH: paired by reference, amounts apart beyond rounding', async t => {
  const r = run({
    sales: [sale('S1', { tenders: [{ method: 'octopus', amount: 5000, reference: 'S1-1' }] }), sale('S2', { tenders: [{ method: 'octopus', amount: 4995, reference: 'S2-1' }] })],
    payments: [payment({ provider: 'octopus', gross: 5100, merchantRef: 'S1-1', fee: 77 }), payment({ provider: 'octopus', gross: 5000, merchantRef: 'S2-1', fee: 75 })]
  })
  t.match(r.exceptions, [{ code: 'AMOUNT_MISMATCH', sale_id: 'S1', expected: 5000, actual: 5100 }])
  t.equal(r.exceptions.length, 1, '5 cents of Octopus rounding is not a mismatch')
})

t.test('DUPLICATE_PAYMENT: one tender paid twice, or one transaction listed twice', async t => {
  const r = run({
    sales: [sale('S1', { tenders: [{ method: 'alipayhk', amount: 500, reference: 'S1-1' }] })],
    payments: [
      payment({ provider: 'alipayhk', gross: 500, merchantRef: 'S1-1', providerTxnId: 'A1' }),
      payment({ provider: 'alipayhk', gross: 500, merchantRef: 'S1-1', providerTxnId: 'A2', time: '12:01' }),
      payment({ provider: 'alipayhk', gross: 700, merchantRef: 'X-1', providerTxnId: 'A3', id: 'dup:1' }),
      payment({ provider: 'alipayhk', gross: 700, merchantRef: 'X-1', providerTxnId: 'A3', id: 'dup:2' })
    ]
  })
  t.match(r.exceptions.filter(e => e.code === 'DUPLICATE_PAYMENT'), [{ sale_id: null, payment_id: 'dup:2', detail: /listed twice/ }, { sale_id: 'S1', provider_txn_id: 'A2', detail: /paid more than once/ }].sort((a, b) => (a.sale_id ?? '') < (b.sale_id ?? '') ? -1 : 1))
  t.same(codes(r).sort(), ['DUPLICATE_PAYMENT', 'DUPLICATE_PAYMENT', 'UNEXPECTED_PAYMENT'], 'the first listing of X-1 is unexpected, its copy a duplicate')
})

t.test('an Octopus report without transaction ids: the same row twice is a duplicate, two cards tapping the same amount in one second are two payments', async t => {
  const tills = [sale('S1', { tenders: [{ method: 'octopus', amount: 500 }] }), sale('S2', { tenders: [{ method: 'octopus', amount: 500 }] })]
  const tap = (id: string, card: string) => payment({ provider: 'octopus', gross: 500, fee: 8, id, card, time: '12:00:03' })
  const two = run({ sales: tills, payments: [tap('p1', '****1111'), tap('p2', '****2222')] })
  t.same(two.exceptions, [])
  t.equal(two.matches.length, 2)
  const twice = run({ sales: tills.slice(0, 1), payments: [tap('p1', '****1111'), tap('p2', '****1111')] })
  t.match(twice.exceptions, [{ code: 'DUPLICATE_PAYMENT', payment_id: 'p2', sale_id: 'S1' }])
})

t.test('a transaction listed in the transaction file and again in the settlement file is one record', async t => {
  const r = run({
    sales: [sale('S1', { tenders: [{ method: 'alipayhk', amount: 500, reference: 'S1-1' }] })],
    payments: [payment({ provider: 'alipayhk', gross: 500, merchantRef: 'S1-1', providerTxnId: 'A1', fileKind: 'transaction' }), payment({ provider: 'alipayhk', gross: 500, merchantRef: 'S1-1', providerTxnId: 'A1' })]
  })
  t.same(r.exceptions, [])
  t.match(r.providers, { alipayhk: { records: 1, gross: 500, matched_gross: 500 } })
})

t.test('refunds: chained to their original, REFUND_WITHOUT_RETURN and RETURN_WITHOUT_REFUND', async t => {
  const original = sale('S1', { tenders: [{ method: 'alipayhk', amount: 2590, reference: 'S1-1' }], lines: [{ sku: 'A', qty: 2 }] })
  const returned = sale('R1', { kind: 'refund', refundOf: 'S1', time: '16:00', lines: [{ sku: 'A', qty: 1 }], tenders: [{ method: 'alipayhk', amount: -1295, reference: null }] })
  const paid = payment({ provider: 'alipayhk', gross: 2590, merchantRef: 'S1-1', providerTxnId: 'A1' })
  // the provider's refund record carries its own reference and names the original payment
  const refund = payment({ provider: 'alipayhk', type: 'refund', gross: -1295, fee: 0, merchantRef: 'RFD-77', originalRef: 'S1-1', providerTxnId: 'A2', time: '16:00' })
  const ok = run({ sales: [original, returned], payments: [paid, refund] })
  t.same(ok.exceptions, [])
  t.match(ok.matches.find(m => m.sale_id === 'R1'), { provider_txn_id: 'A2', by: 'reference' })
  t.match(run({ sales: [original], payments: [paid, refund] }).exceptions, [{ code: 'REFUND_WITHOUT_RETURN', actual: -1295, reference: 'RFD-77', store_id: null }])
  t.match(run({ sales: [original, returned], payments: [paid] }).exceptions, [{ code: 'RETURN_WITHOUT_REFUND', sale_id: 'R1', expected: -1295 }])
})

t.test('voids: a cancelled payment is fine, a settled one is VOID_BUT_SETTLED; a cancel of a standing sale is a missing payment', async t => {
  const voided = sale('S1', { voided: true, tenders: [{ method: 'alipayhk', amount: 12850, reference: 'S1-1' }] })
  const paid = payment({ provider: 'alipayhk', gross: 12850, merchantRef: 'S1-1', providerTxnId: 'A4' })
  const cancel = payment({ provider: 'alipayhk', type: 'cancel', gross: -12850, fee: -129, merchantRef: null, providerTxnId: 'A4', originalProviderTxnId: 'A4', time: '12:02' })
  t.same(run({ sales: [voided], payments: [paid, cancel] }).exceptions, [])
  t.match(run({ sales: [voided], payments: [paid] }).exceptions, [{ code: 'VOID_BUT_SETTLED', sale_id: 'S1', expected: 0, actual: 12850, provider_txn_id: 'A4' }])
  const standing = sale('S1', { tenders: [{ method: 'alipayhk', amount: 12850, reference: 'S1-1' }] })
  t.match(run({ sales: [standing], payments: [paid, cancel] }).exceptions, [{ code: 'MISSING_PAYMENT', actual: 0, detail: /cancelled this payment/ }])
  t.same(run({ sales: [voided] }).exceptions, [], 'voided before any payment: nothing expected')
})

t.test('a cancel found by the reference it shares with the payment, or with a tender whose payment is not listed', async t => {
  const voided = sale('S1', { voided: true, tenders: [{ method: 'alipayhk', amount: 12850, reference: 'S1-1' }] })
  const standing = sale('S1', { tenders: [{ method: 'alipayhk', amount: 12850, reference: 'S1-1' }] })
  const paid = payment({ provider: 'alipayhk', gross: 12850, merchantRef: 'S1-1', providerTxnId: 'A4' })
  // no provider id of the original: only our reference ties the cancel to what it undoes
  const cancel = payment({ provider: 'alipayhk', type: 'cancel', gross: -12850, fee: 0, merchantRef: 'S1-1', providerTxnId: null, originalProviderTxnId: null, time: '12:02' })
  t.same(run({ sales: [voided], payments: [paid, cancel] }).exceptions, [], 'the listed payment, cancelled')
  t.same(run({ sales: [voided], payments: [cancel] }).exceptions, [], 'the tender, cancelled before its payment was listed')
  t.match(run({ sales: [standing], payments: [cancel] }).exceptions, [{ code: 'MISSING_PAYMENT', sale_id: 'S1', actual: 0, detail: /cancelled this payment but the sale stands/ }])
  const other = payment({ provider: 'octopus', type: 'cancel', gross: -12850, fee: 0, merchantRef: 'S1-1', providerTxnId: null, originalProviderTxnId: null, time: '12:02' })
  t.same(run({ sales: [voided], payments: [paid, other] }).exceptions.map(e => `${e.code} ${e.provider}`), ['UNEXPECTED_PAYMENT octopus', 'VOID_BUT_SETTLED alipayhk'],
    'another provider\'s cancel of the same reference undoes nothing of alipayhk')
})

t.test('STOCK_MISMATCH: posted movements that do not equal the lines', async t => {
  const s = sale('S1', { lines: [{ sku: 'A', qty: 2 }, { sku: 'B', qty: 1 }], tenders: [{ method: 'cash', amount: 100 }] })
  const r = run({ sales: [s], movements: [{ saleKey: 'pos:S1', lineNo: 1, sku: 'A', qty: -1 }, { saleKey: 'pos:S1', lineNo: 2, sku: 'B', qty: -1, id: 7 }] })
  t.match(r.exceptions, [{ code: 'STOCK_MISMATCH', sale_id: 'S1', line: 1, sku: 'A', expected_qty: -2, actual_qty: -1 }])
  t.equal(r.stores[0].verified_sales, 0)
  t.same(r.provisional_movements.map(p => [p.movement, p.line, p.why]), [['pos:S1#1', 1, ['STOCK_MISMATCH']], ['7', 2, ['STOCK_MISMATCH']]], 'both lines of the sale stay provisional, with the reason')
  const fine = run({ sales: [s], movements: [{ saleKey: 'pos:S1', lineNo: 1, sku: 'A', qty: -2, id: 6 }, { saleKey: 'pos:S1', lineNo: 2, sku: 'B', qty: -1, id: 7 }] })
  t.same(fine.verified_movements, { MK01: ['6', '7'] })
  t.match(fine.stores, [{ verified_movements: 2, provisional_movements: 0 }])
})

t.test('FEE_OUT_OF_BAND: a fee rate outside the band (per store if configured)', async t => {
  const s = sale('S1', { tenders: [{ method: 'octopus', amount: 10000, reference: 'S1-1' }] })
  const p = payment({ provider: 'octopus', gross: 10000, merchantRef: 'S1-1', fee: 500 })
  const r = run({ sales: [s], payments: [p] })
  t.match(r.exceptions, [{ code: 'FEE_OUT_OF_BAND', sale_id: 'S1', actual: 500, gross: 10000, fee_band: { min: 0.005, max: 0.025 }, detail: /fee 5.00 is 5.00% of 100.00; the band is 0.50–2.50%/ }])
  t.same(r.verified_movements, { MK01: ['pos:S1#1'] }, 'a fee problem does not put the goods in doubt')
  t.same(run({ sales: [s], payments: [p], settings: settings({ storeFeeBands: { MK01: { octopus: { min: 0.01, max: 0.06 } } } }) }).exceptions, [])
})

t.test('BATCH_TOTAL_MISMATCH: a payout batch that disagrees with its rows', async t => {
  const r = run({ batchFindings: [{ provider: 'alipayhk', batchId: '5000000000002', expected: 15000, actual: 10000, detail: 'batch states 150.00, rows 100.00' }] })
  t.match(r.exceptions, [{ code: 'BATCH_TOTAL_MISMATCH', batch_id: '5000000000002', expected: 15000, actual: 10000 }])
})

t.test('add-value and adjustments are not sales and not errors; rounding lines are not mismatches', async t => {
  const r = run({
    sales: [sale('S1', { tenders: [{ method: 'octopus', amount: 5700 }] })],
    payments: [payment({ provider: 'octopus', type: 'add_value', gross: -10000, fee: 0 }), payment({ provider: 'octopus', gross: 5700, fee: 86, time: '12:00:20' })]
  })
  t.same(r.exceptions, [])
  t.match(r.providers, { octopus: { records: 2, gross: -4300, matched_gross: 5700, other_gross: -10000, unmatched_gross: 0 } })
})

t.test('identical amounts are assigned globally: the closest pairs, never first come first served', async t => {
  // two HK$38 sales a minute apart, two payments: first-fit would give the 12:00 sale the 12:00:50 payment
  const r = run({
    sales: [sale('S1', { time: '12:00', tenders: [{ method: 'octopus', amount: 3800 }] }), sale('S2', { time: '12:01', tenders: [{ method: 'octopus', amount: 3800 }] })],
    payments: [payment({ provider: 'octopus', gross: 3800, time: '12:00:50', fee: 57, id: 'p:late' }), payment({ provider: 'octopus', gross: 3800, time: '11:59:50', fee: 57, id: 'p:early' })]
  })
  t.same(r.matches.map(m => [m.sale_id, m.payment_id]), [['S1', 'p:early'], ['S2', 'p:late']])
})

t.test('a sale of the day before, settled today, is matched and not reported; the report is of the day only', async t => {
  const yesterday = sale('Y1', { day: '2026-11-19', tenders: [{ method: 'alipayhk', amount: 700, reference: 'Y1-1' }] })
  const r = run({ sales: [yesterday], payments: [payment({ provider: 'alipayhk', gross: 700, merchantRef: 'Y1-1', time: '00:10' })] })
  t.same(r.exceptions, [])
  t.same(r.matches, [])
  t.same(r.stores.map(s => s.store_id), ['MK01'], 'the settled money is shown under the sale\'s store')
  t.equal(at('00:10') < at('12:00'), true)
})

t.test('stress: 10,000 HK$38 sales in one hour on one reader, jittered provider times, zero cross-pairings', async t => {
  const start = at('12:00')
  const sales = Array.from({ length: 10_000 }, (_, i) => ({ ...sale(`S${String(i).padStart(5, '0')}`, { tenders: [{ method: 'octopus', amount: 3800 }] }), occurredAt: start + i * 360 }))
  // the reader's clock runs 1.2 s behind the till's, with up to 150 ms of jitter either way
  const payments = sales.map((s, i) => payment({ provider: 'octopus', gross: 3800, fee: 57, id: `p${String(i).padStart(5, '0')}`, paidAt: s.occurredAt - 1_200 + ((i * 7919) % 300) - 150 }))
  const r = run({ sales, payments })
  t.equal(r.matches.length, 10_000)
  t.equal(r.matches.filter(m => m.payment_id !== `p${m.sale_id.slice(1)}`).length, 0, 'every sale paired with its own payment')
  t.same(r.exceptions, [])
})

t.test('split tenders: Octopus + cash, and two AlipayHK payments on one sale; verified only when every non-cash part is paid', async t => {
  const mixed = sale('S1', { tenders: [{ method: 'octopus', amount: 5000, reference: 'S1-1' }, { method: 'cash', amount: 3800 }] })
  const twoAlipay = sale('S2', { time: '12:05', tenders: [{ method: 'alipayhk', amount: 3000, reference: 'S2-1' }, { method: 'alipayhk', amount: 2000, reference: 'S2-2' }] })
  // a Loyverse till knows no references: two Octopus taps for one bill, told apart by amount and time
  const taps = sale('S3', { time: '12:10', terminal: 'T2', tenders: [{ method: 'octopus', amount: 1000 }, { method: 'octopus', amount: 2000 }] })
  const payments = [
    payment({ provider: 'octopus', gross: 5000, merchantRef: 'S1-1', fee: 75 }),
    payment({ provider: 'alipayhk', gross: 3000, merchantRef: 'S2-1', providerTxnId: 'A1', time: '12:05' }),
    payment({ provider: 'alipayhk', gross: 2000, merchantRef: 'S2-2', providerTxnId: 'A2', time: '12:05:30' }),
    payment({ provider: 'octopus', gross: 2000, deviceId: 'D2', time: '12:10:40', fee: 30 }),
    payment({ provider: 'octopus', gross: 1000, deviceId: 'D2', time: '12:10:20', fee: 15 })
  ]
  const r = run({ sales: [mixed, twoAlipay, taps], payments })
  t.same(r.exceptions, [])
  t.same(r.matches.map(m => [m.sale_id, m.tender, m.by]), [['S1', 0, 'reference'], ['S2', 0, 'reference'], ['S2', 1, 'reference'], ['S3', 0, 'amount_time'], ['S3', 1, 'amount_time']])
  t.match(r.stores, [{ verified_sales: 3, tenders: { octopus: 8000, cash: 3800, alipayhk: 5000 } }])
  const half = run({ sales: [twoAlipay], payments: payments.slice(1, 2) })
  t.match(half.exceptions, [{ code: 'MISSING_PAYMENT', sale_id: 'S2', tender: 1, expected: 2000 }])
  t.same(half.provisional_movements.map(p => [p.sale_id, p.why]), [['S2', ['MISSING_PAYMENT']]], 'half paid: the stock stays provisional')
})

t.test('a record whose reference a tender carries is left to that reference, not paired by amount and time with another tender', async t => {
  // the refund tender names S1-1, and the provider lists S1-1 as a payment: no pairing by reference
  const refund = sale('R1', { kind: 'refund', tenders: [{ method: 'alipayhk', amount: -500, reference: 'S1-1' }] })
  const other = sale('S2', { tenders: [{ method: 'alipayhk', amount: 500 }] })
  const referenced = run({ sales: [refund, other], payments: [payment({ provider: 'alipayhk', gross: 500, merchantRef: 'S1-1', storeId: 'MK01' })] })
  t.same(referenced.matches, [])
  // the same record without the reference is S2's by amount and time
  const plain = run({ sales: [refund, other], payments: [payment({ provider: 'alipayhk', gross: 500, storeId: 'MK01' })] })
  t.match(plain.matches, [{ sale_id: 'S2', by: 'amount_time' }])
})

t.test('a run tells each stage as it begins, in order, and reports the same as one told nothing', async t => {
  const input: ReconInput = {
    date: DAY, settings: settings(), generatedAt: '2026-11-21T01:30:00Z',
    sales: [sale('S1', { tenders: [{ method: 'octopus', amount: 8800, reference: 'S1-1' }] }), sale('S2', { time: '12:10', terminal: 'T2', tenders: [{ method: 'octopus', amount: 3800 }] })],
    payments: [payment({ provider: 'octopus', gross: 8800, merchantRef: 'S1-1', fee: 132 }), payment({ provider: 'octopus', gross: 3800, deviceId: 'D2', time: '12:10:30', fee: 57 })]
  }
  const told: string[] = []
  const r = reconcile(input, { step: name => told.push(name) })
  t.same(told, ['by reference', 'by amount and time', 'exceptions', 'report'])
  t.same(r, reconcile(input))
  t.same(r.matches.map(m => m.by), ['reference', 'amount_time'])
})

t.test('stock movements given to the sales when the exceptions stage begins are judged as if given from the start', async t => {
  const lines = [{ sku: 'A', qty: 2 }]
  const input: ReconInput = {
    date: DAY, settings: settings(), generatedAt: '2026-11-21T01:30:00Z', payments: [],
    sales: [sale('S1', { lines, tenders: [{ method: 'cash', amount: 100 }] }), sale('S2', { lines, tenders: [{ method: 'cash', amount: 100 }] })]
  }
  const stages = reconcileInStages(input)
  const told: string[] = []
  let at = stages.next()
  for (; !at.done; at = stages.next()) {
    told.push(at.value)
    // the offline run's movements, read on a thread meanwhile: S1 took one off the shelf where its line sold two
    if (at.value === 'exceptions') for (const s of input.sales) s.movements = [{ lineNo: 1, sku: 'A', qty: s.saleId === 'S1' ? -1 : -2, id: s.saleId === 'S1' ? 11 : 12 }]
  }
  t.same(told, ['by reference', 'by amount and time', 'exceptions', 'report'])
  const { report } = at.value
  t.match(report.exceptions, [{ code: 'STOCK_MISMATCH', sale_id: 'S1', line: 1, sku: 'A', expected_qty: -2, actual_qty: -1 }])
  t.equal(report.exceptions.length, 1)
  t.same(report.verified_movements, { MK01: ['12'] }, 'S2\'s movement is verified by its id, given only at that stage')
  t.same(report, reconcile(input), 'the same report as with the movements given before the run')
})
