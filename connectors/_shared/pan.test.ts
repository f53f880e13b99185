import t from 'tap'
import { containsPan, findPan, luhnValid } from './pan.ts'

t.test('finds Luhn-valid card numbers, grouped or not', async t => {
  t.ok(luhnValid('4111111111111111'))
  t.notOk(luhnValid('4111111111111112'))
  t.ok(containsPan('card 4111111111111111 used'))
  t.ok(containsPan('4111 1111 1111 1111'))
  t.ok(containsPan('5500-0000-0000-0004'))
  t.ok(containsPan('"pan":"378282246310005"'), 'Amex, 15 digits')
  t.ok(containsPan('4111 1111 1111 1111 2026'), 'grouped PAN followed by another group')
})

t.test('leaves masked numbers, ids and dates alone', async t => {
  t.notOk(containsPan('411111******1111'))
  t.notOk(containsPan('****4821'))
  t.notOk(containsPan('2088000000000000'), 'AlipayHK partner id')
  t.notOk(containsPan('2024010522001400000000000001'), '28-digit provider id')
  t.notOk(containsPan('41111111111111110'), 'a PAN inside a longer digit run is an id')
  t.notOk(containsPan('2026-11-20 12:01:09,88.00'))
  t.notOk(containsPan('4111111111111112'), 'fails Luhn')
  t.equal(findPan('no numbers'), -1)
})
