// F8: properties of the matching engine over generated days with noise (missing, duplicated, altered
// and extra provider records, refunds, voids, identical amounts, rounding).
import t from 'tap'
import fc from 'fast-check'
import { at, DAY, settings } from '../fixtures/support/recon.ts'
import { reconcile } from './reconcile.ts'
import type { ReconInput, ReconPayment, ReconReport, ReconSale } from './types.ts'

// reliability.md F8: 10k generated days per property
const RUNS = Number(process.env.F8_RUNS ?? 10_000)
const AMOUNTS = [3800, 3800, 3800, 4400, 12850, 995]
const TIMES = ['09:00', '09:00:30', '09:05', '12:00', '12:00:10', '18:30', '23:55']

const saleArb = fc.record({
  method: fc.constantFrom('octopus', 'alipayhk', 'cash'),
  amount: fc.constantFrom(...AMOUNTS),
  time: fc.constantFrom(...TIMES),
  terminal: fc.constantFrom('T1', 'T2'),
  referenced: fc.boolean(),
  voided: fc.boolean(),
  // what the provider did with it
  fate: fc.constantFrom('paid', 'paid', 'paid', 'missing', 'twice', 'off', 'late'),
  refund: fc.boolean()
})

function build (specs: Array<typeof saleArb extends fc.Arbitrary<infer T> ? T : never>, ghosts: number): ReconInput {
  const sales: ReconSale[] = []
  const payments: ReconPayment[] = []
  specs.forEach((s, i) => {
    const id = `S${i}`
    const reference = s.referenced ? `${id}-1` : null
    sales.push({ key: `pos:${id}`, saleId: id, storeId: 'MK01', terminalId: s.terminal, kind: 'sale', refundOf: null, occurredAt: at(s.time), businessDate: DAY, voided: s.voided && s.method === 'alipayhk', lines: [{ lineNo: 1, sku: 'A', qty: 1, restock: true }], tenders: [{ tenderNo: 1, method: s.method, amount: s.amount, reference, providerTxnId: null }] })
    if (s.method === 'cash' || s.fate === 'missing') return
    const p: ReconPayment = {
      id: `p${i}`, provider: s.method, fileKind: 'settlement', type: 'payment', providerTxnId: `X${i}`, merchantRef: reference, originalRef: null, originalProviderTxnId: null,
      gross: s.fate === 'off' ? s.amount + 100 : s.amount, fee: Math.round(s.amount * 0.012), net: 0, paidAt: at(s.time) + (s.fate === 'late' ? 90_000 : 5_000),
      businessDate: DAY, settlementDate: '2026-11-23', batchId: null, storeId: 'MK01', deviceId: `D-${s.terminal}`
    }
    p.net = p.gross - p.fee
    payments.push(p)
    if (s.fate === 'twice') payments.push({ ...p, id: `p${i}b` })
    if (s.refund && !s.voided) {
      sales.push({ key: `pos:R${i}`, saleId: `R${i}`, storeId: 'MK01', terminalId: s.terminal, kind: 'refund', refundOf: `pos:${id}`, occurredAt: at('20:00'), businessDate: DAY, voided: false, lines: [{ lineNo: 1, sku: 'A', qty: 1, restock: true }], tenders: [{ tenderNo: 1, method: s.method, amount: -s.amount, reference: null, providerTxnId: null }] })
      payments.push({ ...p, id: `r${i}`, type: 'refund', providerTxnId: `XR${i}`, merchantRef: `RF${i}`, originalRef: reference, originalProviderTxnId: `X${i}`, gross: -s.amount, fee: 0, net: -s.amount, paidAt: at('20:00') })
    }
  })
  for (let g = 0; g < ghosts; g++) payments.push({ id: `g${g}`, provider: 'octopus', fileKind: 'settlement', type: 'payment', providerTxnId: null, merchantRef: null, originalRef: null, originalProviderTxnId: null, gross: 3800, fee: 57, net: 3743, paidAt: at('15:00') + g * 1000, businessDate: DAY, settlementDate: '2026-11-23', batchId: null, storeId: 'MK01', deviceId: 'D-T9' })
  return { date: DAY, sales, payments, settings: settings(), generatedAt: 'fixed' }
}

const dayArb = fc.tuple(fc.array(saleArb, { maxLength: 25 }), fc.integer({ min: 0, max: 3 })).map(([specs, ghosts]) => build(specs, ghosts))

function shuffle<T> (xs: T[], seed: number): T[] {
  const a = [...xs]
  let x = seed || 1
  for (let i = a.length - 1; i > 0; i--) { x = (x * 1103515245 + 12345) & 0x7fffffff; const j = x % (i + 1); [a[i], a[j]] = [a[j], a[i]] }
  return a
}

t.test('F8: the same day in any order gives the same report', async t => {
  fc.assert(fc.property(dayArb, fc.integer({ min: 1, max: 1e6 }), (day, seed) => {
    const a = reconcile(day)
    const b = reconcile({ ...day, sales: shuffle(day.sales, seed), payments: shuffle(day.payments, seed + 1) })
    return JSON.stringify(a) === JSON.stringify(b)
  }), { numRuns: RUNS })
  t.pass('held')
})

t.test('F8: records given to earlier runs are judged by the run they are in now', async t => {
  fc.assert(fc.property(dayArb, fc.integer({ min: 1, max: 1e6 }), (day, seed) => {
    // each half in a run of its own first, so that records of the two halves were numbered alike
    reconcile({ ...day, payments: day.payments.filter((_p, i) => i % 2 === 0) })
    reconcile({ ...day, payments: day.payments.filter((_p, i) => i % 2 === 1) })
    const again = reconcile({ ...day, payments: shuffle(day.payments, seed) })
    // records no run has seen (a spread would copy what a run keeps on a record)
    const fresh = reconcile({ ...day, payments: JSON.parse(JSON.stringify(day.payments)) })
    return JSON.stringify(again) === JSON.stringify(fresh)
  }), { numRuns: RUNS / 10 })
  t.pass('held')
})

t.test('F8: idempotent — running again on the same data changes nothing, and the input is not modified', async t => {
  fc.assert(fc.property(dayArb, day => {
    const before = JSON.stringify(day, (_k, v) => v instanceof Set ? [...v] : v)
    const a = JSON.stringify(reconcile(day))
    return a === JSON.stringify(reconcile(day)) && before === JSON.stringify(day, (_k, v) => v instanceof Set ? [...v] : v)
  }), { numRuns: RUNS })
  t.pass('held')
})

function checkNoDoubleUse (r: ReconReport): boolean {
  const used = r.matches.map(m => m.payment_id)
  const tenders = r.matches.map(m => `${m.sale_id}#${m.tender}`)
  const unmatched = new Set(r.exceptions.filter(e => e.code === 'UNEXPECTED_PAYMENT' || e.code === 'REFUND_WITHOUT_RETURN').map(e => e.payment_id))
  return new Set(used).size === used.length && new Set(tenders).size === tenders.length && used.every(id => !unmatched.has(id))
}

t.test('F8: no sale and no payment record is matched twice', async t => {
  fc.assert(fc.property(dayArb, day => checkNoDoubleUse(reconcile(day))), { numRuns: RUNS })
  t.pass('held')
})

t.test('F8: money is conserved — every record is matched, unmatched (an exception) or not a sale, per provider', async t => {
  fc.assert(fc.property(dayArb, day => {
    const r = reconcile(day)
    for (const [provider, p] of Object.entries(r.providers)) {
      const all = day.payments.filter(x => x.provider === provider).reduce((s, x) => s + x.gross, 0)
      if (p!.gross !== all || p!.matched_gross + p!.unmatched_gross + p!.other_gross !== p!.gross) return false
    }
    // and every non-cash tender of the day is matched or named in an exception
    const named = new Set([...r.matches.map(m => `${m.sale_id}#${m.tender}`), ...r.exceptions.filter(e => e.sale_id).map(e => `${e.sale_id}#${e.tender}`)])
    return day.sales.filter(s => !s.voided).every(s => s.tenders.every(x => x.method === 'cash' || named.has(`${s.saleId}#${x.tenderNo - 1}`)))
  }), { numRuns: RUNS })
  t.pass('held')
})

/** Each sale's movements as its lines ask for (a sale takes stock off the shelf, a refund puts it back). */
const postedAsLines = (s: ReconSale): ReconSale['movements'] => s.lines.map(l => ({ lineNo: l.lineNo, sku: l.sku, qty: s.kind === 'sale' ? -l.qty : l.qty }))
const withMovements = (day: ReconInput): ReconInput => ({ ...day, sales: day.sales.map(s => ({ ...s, movements: postedAsLines(s) })) })

/** The day with every sale's lines, movements and unreferenced tenders frozen, and equal ones shared, as the offline loader shares them. */
function frozenShared (day: ReconInput): ReconInput {
  const lists = new Map<string, unknown[]>()
  const share = <T>(key: string, list: T[]): T[] => {
    const known = lists.get(key) as T[] | undefined
    if (known) return known
    const frozen = Object.freeze(list.map(x => Object.freeze({ ...x }))) as T[]
    lists.set(key, frozen)
    return frozen
  }
  return {
    ...day,
    sales: day.sales.map(s => ({
      ...s,
      lines: share(`lines ${JSON.stringify(s.lines)}`, s.lines),
      tenders: s.tenders.some(t => t.reference !== null || t.providerTxnId !== null) ? s.tenders : share(`tenders ${JSON.stringify(s.tenders)}`, s.tenders),
      movements: share(`moves ${s.kind}`, postedAsLines(s)!)
    }))
  }
}

t.test('F8: the reconciler only reads a sale\'s lines, movements and tenders: frozen and shared between sales, the same report', async t => {
  fc.assert(fc.property(dayArb, day => {
    // a write to a frozen object throws here (modules are strict)
    return JSON.stringify(reconcile(frozenShared(day))) === JSON.stringify(reconcile(withMovements(day)))
  }), { numRuns: RUNS / 10 })
  t.pass('held')
})

t.test('F8: a summary is the report without the per-match list and the verified movement ids, every count the same', async t => {
  fc.assert(fc.property(dayArb, day => {
    for (const input of [day, withMovements(day)]) {
      const full = reconcile(input)
      if (JSON.stringify(reconcile(input, { summary: true })) !== JSON.stringify({ ...full, matches: [], verified_movements: {} })) return false
    }
    return true
  }), { numRuns: RUNS / 10 })
  t.pass('held')
})
