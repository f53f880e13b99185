import t from 'tap'
import { createRegistry } from './registry.ts'
import { builtInConnectors } from './index.ts'
import { posCanonical } from './pos-canonical/index.ts'
import { alipayhk } from './alipayhk/index.ts'

t.test('the built-in list registers each connector once, by kind', async t => {
  const r = builtInConnectors()
  t.same([...r.pos.keys()], ['pos-canonical', 'loyverse', 'shopify-pos'])
  t.same([...r.settlement.keys()], ['alipayhk', 'octopus', 'wechatpay', 'adyen', 'stripe', 'payme', 'fps-collection', 'kpay'])
})

t.test('a duplicate or malformed id is refused', async t => {
  t.throws(() => createRegistry([posCanonical, alipayhk, posCanonical]), /"pos-canonical" is registered twice/)
  t.throws(() => createRegistry([{ ...posCanonical, id: 'Bad Id' }]), /lower-case/)
})

t.test('providers are data: each settlement connector registers its descriptor, and the tender methods follow', async t => {
  const r = builtInConnectors()
  t.same([...r.providers.keys()], ['alipayhk', 'octopus', 'wechatpay', 'adyen', 'stripe', 'payme', 'fps-collection', 'kpay'])
  t.match(r.providers.get('octopus'), { names: { en: 'Octopus', 'zh-HK': '八達通' }, tenderMethods: ['octopus'], matchScope: 'device', devicesUploadLate: true, cashRounding: true, settlementDays: 1 })
  t.match(r.providers.get('alipayhk'), { tenderMethods: ['alipayhk'], matchScope: 'merchant', devicesUploadLate: false, cashRounding: false })
  t.same([...r.tenderMethods].sort(), ['alipayhk', 'card', 'cash', 'fps', 'octopus', 'other', 'payme', 'wechatpay'])
  t.equal(r.providerOfMethod.get('octopus'), 'octopus')
  t.equal(r.providerOfMethod.get('cash'), undefined, 'cash is settled by no provider file')
})

t.test('a new provider is registered by its descriptor alone, with its tender method', async t => {
  const wallet = { ...alipayhk, id: 'bauhinia-pay', descriptor: { ...alipayhk.descriptor, id: 'bauhinia-pay', names: { en: 'Bauhinia Pay', 'zh-HK': '紫荊支付' }, tenderMethods: ['bauhinia-pay'], matchScope: 'store' as const } }
  const r = createRegistry([posCanonical, alipayhk, wallet])
  t.ok(r.tenderMethods.has('bauhinia-pay'))
  t.equal(r.providerOfMethod.get('bauhinia-pay'), 'bauhinia-pay')
})

t.test('a descriptor that does not hold together is refused with the reason', async t => {
  const d = alipayhk.descriptor
  const withDescriptor = (over: object, id = 'x-pay') => ({ ...alipayhk, id, descriptor: { ...d, id, tenderMethods: ['x-pay'], ...over } })
  t.throws(() => createRegistry([withDescriptor({}, 'x-pay'), { ...alipayhk, id: 'y-pay', descriptor: { ...d, id: 'y-pay', tenderMethods: ['x-pay'] } }]), /"x-pay" is settled by both "x-pay" and "y-pay"/)
  t.throws(() => createRegistry([withDescriptor({ tenderMethods: ['cash'] })]), /"cash" is a till method/)
  t.throws(() => createRegistry([withDescriptor({ matchScope: 'planet' })]), /matchScope must be merchant, store or device/)
  t.throws(() => createRegistry([withDescriptor({ feeBand: { min: 0.03, max: 0.01 } })]), /feeBand/)
  t.throws(() => createRegistry([withDescriptor({ names: { en: 'X' } })]), /display names/)
  t.throws(() => createRegistry([{ ...alipayhk, id: 'z-pay' }]), /connector "z-pay" describes provider "alipayhk"/)
})

t.test('card is a method several acquirers may settle; cash and other settle through no provider', async t => {
  const r = builtInConnectors()
  t.same(r.settlersOf.get('card'), ['adyen', 'stripe', 'kpay'])
  t.equal(r.providerOfMethod.get('card'), undefined, 'no single provider owns card')
  t.same(r.settlersOf.get('wechatpay'), ['wechatpay'])
  const d = alipayhk.descriptor
  t.throws(() => createRegistry([{ ...alipayhk, id: 'x-pay', descriptor: { ...d, id: 'x-pay', tenderMethods: ['other'] } }]), /"other" is a till method no provider file settles/)
})
