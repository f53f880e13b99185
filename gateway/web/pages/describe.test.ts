import t from 'tap'
import { builtInConnectors } from '../../../connectors/index.ts'
import { registerProviderNames, translator } from '../i18n.ts'
import { describe } from './describe.ts'

registerProviderNames(builtInConnectors().providers.values())

t.test('a fee out of band is described with its rate and the band it broke, in either language', async t => {
  const e = { code: 'FEE_OUT_OF_BAND' as const, store_id: 'MK01', sale_id: 'S1', tender: 0, provider: 'octopus', expected: null, actual: 500, detail: '', gross: 10000, fee_band: { min: 0.005, max: 0.025 } }
  // by hand: 5.00 of 100.00 is 5.00%; the band 0.5%–2.5%
  t.equal(describe(translator('en'), e), 'The Octopus fee of HK$5.00 (5.00% of the payment) is outside the band of 0.50–2.50%.')
  t.equal(describe(translator('zh-HK'), e), '八達通 手續費 HK$5.00（佔款項 5.00%）超出設定範圍 0.50–2.50%。')
})

t.test('money taken back with no sale to explain it is described as taken back, without a minus sign', async t => {
  const e = { code: 'UNEXPECTED_PAYMENT' as const, store_id: null, sale_id: null, tender: null, provider: 'alipayhk', expected: null, actual: -6000, detail: '' }
  t.equal(describe(translator('en'), e), 'AlipayHK took back HK$60.00 that no sale accounts for.')
  t.match(describe(translator('en'), { ...e, actual: 10000 }), 'A payment of HK$100.00 from AlipayHK that no sale accounts for.')
})
