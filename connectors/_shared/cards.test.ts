import t from 'tap'
import { cardBrand, cardOfRecord, lastFour, sameCard } from './cards.ts'

t.test('a scheme has one name whatever the till or the acquirer calls it', async t => {
  // what Adyen (paymentMethod variants), Stripe (card_brand), KPay and tills write, and the name kept
  const table: Array<[string, string]> = [['visa', 'visa'], ['VISA', 'visa'], ['visacredit', 'visa'], ['mc', 'mastercard'], ['MasterCard', 'mastercard'], ['mcdebit', 'mastercard'],
    ['cup', 'unionpay'], ['UnionPay', 'unionpay'], ['銀聯', 'unionpay'], ['amex', 'amex'], ['American Express', 'amex'], ['JCB', 'jcb'], ['diners', 'diners'], ['discover', 'discover']]
  for (const [raw, name] of table) t.equal(cardBrand(raw), name, raw)
  t.equal(cardBrand('  '), null)
  t.equal(cardBrand('octopus_card'), 'octopus', 'an unknown scheme keeps its first word')
})

t.test("a record's bank card: the scheme listed or shown by the masked number, and its last four; an Octopus number is no bank card", async t => {
  t.equal(lastFour('4***********1111'), '1111')
  t.equal(lastFour('****'), null)
  t.same(cardOfRecord({ cardMasked: '4***********1111' }), { brand: 'visa', last4: '1111' })
  t.same(cardOfRecord({ cardMasked: '5***********4444' }), { brand: 'mastercard', last4: '4444' })
  t.same(cardOfRecord({ cardBrand: 'amex', cardMasked: null }), { brand: 'amex', last4: null })
  t.equal(cardOfRecord({ cardMasked: '****4821' }), null, 'a masked Octopus number shows no scheme: its digits are not kept in the clear')
})

t.test('only a known difference rules a pairing out', async t => {
  const visa1111 = { brand: 'visa', last4: '1111', authCode: null }
  t.ok(sameCard(visa1111, 'visa', '1111'))
  t.ok(sameCard(visa1111, 'visa', null), 'the acquirer lists no digits')
  t.ok(sameCard(visa1111, null, null))
  t.ok(sameCard(null, 'mastercard', '4444'), 'the till sent no details')
  t.notOk(sameCard(visa1111, 'mastercard', null))
  t.notOk(sameCard(visa1111, 'visa', '2222'))
})
