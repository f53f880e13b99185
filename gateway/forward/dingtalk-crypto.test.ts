import t from 'tap'
import { callbackEnvelope, callbackSignature, decryptCallback, encryptCallback, robotSign, sameSignature } from './dingtalk-crypto.ts'

// DingTalk's own published example (open-dingtalk/DingTalk-Callback-Crypto): token, EncodingAESKey,
// owner key, and a signed, encrypted check_url event
const VECTOR = {
  token: 'mryue', aesKey: 'Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7', owner: 'ding6ccabc44d2c8d38b',
  signature: '03044561471240d4a14bb09372dfcfd4fd0e40cb', timestamp: '1608001896814', nonce: 'WL4PK6yA',
  encrypt: '0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKju4yhELOFchzNukR+t8SB/qk4ROMu3'
}

t.test('DingTalk\'s published callback vector: the signature matches and the message decrypts', async t => {
  t.equal(callbackSignature(VECTOR.token, VECTOR.timestamp, VECTOR.nonce, VECTOR.encrypt), VECTOR.signature)
  const message = decryptCallback(VECTOR.aesKey, VECTOR.owner, VECTOR.encrypt)
  t.match(JSON.parse(message), { EventType: 'check_url' })
  t.throws(() => decryptCallback(VECTOR.aesKey, 'another-app', VECTOR.encrypt), /another app/)
})

t.test('our envelopes round-trip, a flipped byte does not decrypt, signatures compare in constant time', async t => {
  const env = callbackEnvelope(VECTOR.token, VECTOR.aesKey, VECTOR.owner, '{"EventType":"bpms_instance_change"}', '1700000000000', 'abc')
  t.equal(env.msg_signature, callbackSignature(VECTOR.token, '1700000000000', 'abc', env.encrypt))
  t.equal(decryptCallback(VECTOR.aesKey, VECTOR.owner, env.encrypt), '{"EventType":"bpms_instance_change"}')
  t.equal(Buffer.from(env.encrypt, 'base64').length % 32, 0, 'PKCS#7 to 32-byte blocks')
  const bytes = Buffer.from(encryptCallback(VECTOR.aesKey, VECTOR.owner, 'x'.repeat(100)), 'base64')
  bytes[bytes.length - 1] ^= 0xff
  t.throws(() => decryptCallback(VECTOR.aesKey, VECTOR.owner, bytes.toString('base64')))
  t.ok(sameSignature('abc', 'abc'))
  t.notOk(sameSignature('abc', 'abd'))
  t.notOk(sameSignature('abc', 'abcd'), 'another length is simply unequal, never an exception')
})

t.test('robot signing: HMAC-SHA256 of "timestamp\\nsecret", base64', async t => {
  // the documented example form: the secret starts SEC…, the timestamp is in milliseconds
  const s = robotSign('SECtest', 1577263861000)
  t.match(s, /^[A-Za-z0-9+/]{43}=$/)
  t.not(robotSign('SECtest', 1577263861001), s)
})
