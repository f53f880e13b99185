// The enterprise app's calls against the DingTalk double: a cached token DingTalk no longer takes
// costs one fresh fetch and one more try, on the new API (HTTP 401) and the old one (errcode 42001).
import t, { type Test } from 'tap'
import { appToken, createApproval, dropToken, sendWorkNotice } from './dingtalk.ts'
import { Permanent } from '../sinks/http.ts'
import { doublesForwarding, startDoubles } from '../../fixtures/support/forwarding.ts'

const out = { allowHosts: ['127.0.0.1'], timeoutMs: 2000 }

async function app (t: Test) {
  const doubles = await startDoubles()
  t.teardown(() => doubles.close())
  const config = doublesForwarding(doubles).app!
  dropToken(config) // the cache is the process's: start each test without one
  return { dingtalk: doubles.dingtalk, config }
}

t.test('an approval whose cached token DingTalk refuses (HTTP 401) is created with a fresh token, once', async t => {
  const { dingtalk, config } = await app(t)
  const stale = await appToken(out, config)
  dingtalk.expireTokens()
  const instanceId = await createApproval(out, config, [{ name: '供應商 Supplier', value: 'SupB' }])
  t.equal(dingtalk.approvals.length, 1, 'one instance created')
  t.equal(dingtalk.approvals[0].instanceId, instanceId)
  t.equal(dingtalk.tokenFetches, 2, 'the refused token was fetched again, once')
  t.not(await appToken(out, config), stale, 'the fresh token is the one kept')
})

t.test('a work notice whose cached token DingTalk calls expired (errcode 42001) is sent with a fresh token, once', async t => {
  const { dingtalk, config } = await app(t)
  await appToken(out, config)
  dingtalk.expireTokens()
  await sendWorkNotice(out, config, ['manager01'], '盤點提醒 Stock-take', '#### 盤點提醒')
  t.equal(dingtalk.notices.length, 1)
  t.equal(dingtalk.tokenFetches, 2)
})

t.test('when DingTalk refuses even a fresh token the call fails to be retried later, not dead-lettered, and nothing is created', async t => {
  const { dingtalk, config } = await app(t)
  dingtalk.acceptTokens = false
  const err = await createApproval(out, config, []).catch(e => e as Error)
  t.match(err, { message: /DingTalk approval: DingTalk refused a freshly fetched access token/ })
  t.notOk(err instanceof Permanent, 'a retryable error')
  t.equal(dingtalk.approvals.length, 0)
  t.equal(dingtalk.tokenFetches, 2, 'one fetch, one fetch again, no loop')
  await t.rejects(sendWorkNotice(out, config, ['manager01'], 't', 'x'), /DingTalk work notice: DingTalk refused a freshly fetched access token/)
  t.equal(dingtalk.notices.length, 0)
})
