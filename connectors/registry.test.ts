import t from 'tap'
import { createRegistry } from './registry.ts'
import { builtInConnectors } from './index.ts'
import { posCanonical } from './pos-canonical/index.ts'
import { alipayhk } from './alipayhk/index.ts'

t.test('the built-in list registers each connector once, by kind', async t => {
  const r = builtInConnectors()
  t.same([...r.pos.keys()], ['pos-canonical', 'loyverse', 'shopify-pos'])
  t.same([...r.settlement.keys()], ['alipayhk', 'octopus'])
})

t.test('a duplicate or malformed id is refused', async t => {
  t.throws(() => createRegistry([posCanonical, alipayhk, posCanonical]), /"pos-canonical" is registered twice/)
  t.throws(() => createRegistry([{ ...posCanonical, id: 'Bad Id' }]), /lower-case/)
})
