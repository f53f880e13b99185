import t from 'tap'
import { SharedLines, SharedMovements, SharedTenders } from './shared-parts.ts'

t.test('equal lines of different sales are one object; a single line is one shared list', async t => {
  const shared = new SharedLines()
  const a = shared.list([{ lineNo: 1, sku: '10001', qty: 2, restock: false }])
  const b = shared.list([{ lineNo: 1, sku: '10001', qty: 2, restock: false }])
  t.equal(a, b, 'the list of one line is shared')
  t.same(a, [{ lineNo: 1, sku: '10001', qty: 2, restock: false }])
  const two = shared.list([{ lineNo: 1, sku: '10001', qty: 2, restock: false }, { lineNo: 2, sku: '10002', qty: 1, restock: true }])
  const again = shared.list([{ lineNo: 1, sku: '10001', qty: 2, restock: false }, { lineNo: 2, sku: '10002', qty: 1, restock: true }])
  t.not(two, again, 'a list of several lines is each sale\'s own')
  t.equal(two[0], a[0], 'its lines are the shared objects')
  t.equal(two[1], again[1])
  t.same(again, [{ lineNo: 1, sku: '10001', qty: 2, restock: false }, { lineNo: 2, sku: '10002', qty: 1, restock: true }])
})

t.test('lines that differ in any field stay apart, -0 from 0 too', async t => {
  const shared = new SharedLines()
  const base = { lineNo: 1, sku: '10001', qty: 1, restock: false }
  const variants = [base, { ...base, lineNo: 2 }, { ...base, sku: '10002' }, { ...base, qty: 1.5 }, { ...base, qty: 0 }, { ...base, qty: -0 }, { ...base, restock: true }]
  const got = variants.map(v => shared.list([v])[0])
  t.equal(new Set(got).size, variants.length, 'one object per distinct line')
  got.forEach((line, i) => t.same(line, variants[i]))
  t.ok(Object.is(got[5].qty, -0), '-0 kept')
  t.equal(shared.list([{ ...base }])[0], got[0], 'and the first found again')
})

t.test('equal movements are one object, found by their SKU\'s index; a single one is one shared list', async t => {
  const shared = new SharedMovements()
  const m = shared.movement(1, 0, '10001', -1)
  t.same(m, { lineNo: 1, sku: '10001', qty: -1 })
  t.equal(shared.movement(1, 0, '10001', -1), m)
  t.not(shared.movement(2, 0, '10001', -1), m, 'another line')
  t.not(shared.movement(1, 0, '10001', -2), m, 'another quantity')
  t.not(shared.movement(1, 1, '10002', -1), m, 'another SKU')
  t.ok(Object.is(shared.movement(1, 0, '10001', -0).qty, -0), '-0 kept apart from 0')
  const alone = shared.alone(1, 0, '10001', -1)
  t.same(alone, [m])
  t.equal(alone[0], m)
  t.equal(shared.alone(1, 0, '10001', -1), alone, 'the list of that one movement is shared')
})

t.test('a tender with no reference, provider id or card is one object per number, method and amount; the others are each sale\'s own', async t => {
  const shared = new SharedTenders()
  const cash = (amount: number, tenderNo = 1) => ({ tenderNo, method: 'cash', amount, reference: null, providerTxnId: null })
  const one = shared.list([cash(3800)])
  t.equal(shared.list([cash(3800)]), one, 'a sale of that one tender shares its list')
  t.same(one, [cash(3800)])
  t.not(shared.list([cash(3810)])[0], one[0], 'another amount')
  t.not(shared.list([cash(3800, 2)])[0], one[0], 'another tender number')
  t.not(shared.list([{ ...cash(3800), method: 'octopus' }])[0], one[0], 'another method')
  const referenced = [{ ...cash(3800), method: 'alipayhk', reference: 'S1-1' }]
  t.equal(shared.list(referenced), referenced, 'a referenced tender stays the sale\'s own')
  t.equal(shared.list([{ ...cash(3800), method: 'card', card: { brand: 'visa', last4: '4242', authCode: null } }])[0].card?.last4, '4242', 'a card tender keeps its card')
  const split = shared.list([cash(1000), { tenderNo: 2, method: 'alipayhk', amount: 2800, reference: 'S2-2', providerTxnId: null }])
  t.equal(split[0], shared.list([cash(1000)])[0], 'in a split payment the unreferenced tender is shared')
  t.equal(split[1].reference, 'S2-2')
})
