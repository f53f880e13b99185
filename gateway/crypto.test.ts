import t from 'tap'
import { PiiCipher } from './crypto.ts'

const k1 = { id: 'k1', key: Buffer.alloc(32, 1) }
const k2 = { id: 'k2', key: Buffer.alloc(32, 2) }

t.test('P4: round trip; a flipped byte, another column or a swapped key id do not decrypt', async t => {
  const c = new PiiCipher([k1])
  const enc = c.encrypt('****4821', 'payments.card')
  t.equal(c.decryptText(enc, 'payments.card'), '****4821')
  t.notMatch(enc.toString('latin1'), '4821')
  const flipped = Buffer.from(enc)
  flipped[flipped.length - 20] ^= 1
  t.throws(() => c.decrypt(flipped, 'payments.card'), 'tampered ciphertext')
  t.throws(() => c.decrypt(enc, 'inbox_events.body'), 'bound to its column')
  const swapped = Buffer.from(enc)
  swapped.write('k2', 2)
  t.throws(() => new PiiCipher([k1, k2]).decrypt(swapped, 'payments.card'), 'key id is authenticated too')
})

t.test('rotation: the new key encrypts, old values still decrypt', async t => {
  const old = new PiiCipher([k1]).encrypt('****0042', 'payments.card')
  const rotated = new PiiCipher([k2, k1])
  t.equal(rotated.activeKeyId, 'k2')
  t.equal(rotated.decryptText(old, 'payments.card'), '****0042')
  t.throws(() => new PiiCipher([k2]).decrypt(old, 'payments.card'), /no key "k1"/)
})

t.test('P4: nonces never repeat across many encryptions', async t => {
  const c = new PiiCipher([k1])
  const seen = new Set<string>()
  for (let i = 0; i < 100_000; i++) seen.add(c.encrypt('x', 'c').subarray(4, 16).toString('hex'))
  t.equal(seen.size, 100_000)
})
