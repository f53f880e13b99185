import t from 'tap'
import { translator } from '../i18n.ts'
import { en } from '../messages/en.ts'
import { zhHK } from '../messages/zh-HK.ts'
import { qty, stockPage, type StockRow } from './stock.ts'

t.test('quantities as people count them: no needless decimals, a weighed one keeps its own', async t => {
  t.same(['3.000', '-1.000', '2.500', '0.125', '0.000', '12', null].map(qty), ['3', '-1', '2.5', '0.125', '0', '12', '—'])
})

t.test('stock below zero is flagged on its row, in either language', async t => {
  const row = (sku: string, onHand: string): StockRow => ({ sku, name: null, location_id: 'TST1', on_hand: onHand, verified: onHand, provisional: '0.000', min_level: null, reorder_point: null, low: false })
  for (const [lang, msgs] of [['en', en], ['zh-HK', zhHK]] as const) {
    const page = stockPage({ t: translator(lang), lang, principal: null, path: '/stock' }, [{ id: 'TST1', name: 'TST1' }], null, [row('A', '-3.000'), row('B', '4.000')]).text
    const rows = page.split('<tr').slice(2)
    t.match(rows[0], msgs['stock.negative'], `${lang}: the negative row says so`)
    t.match(rows[0], '<td class="num">-3</td>')
    t.notMatch(rows[1], msgs['stock.negative'], `${lang}: a positive row does not`)
    t.match(rows[1], '<td class="num">4</td>')
  }
})
