// DingTalk senders: the group robot (signed; markdown or actionCard; @ by mobile or user id) and the
// enterprise app (an access token cached until shortly before it expires; work notices to people;
// OA approval instances). DingTalk answers HTTP 200 with an errcode: read it, never the status alone.
import { Defer, Permanent, postJson, type Outbound } from '../sinks/http.ts'
import { robotSign } from './dingtalk-crypto.ts'
import type { DingTalkAppConfig, RobotConfig } from '../config-forwarding.ts'

export type RobotMessage =
  | { msgtype: 'markdown', markdown: { title: string, text: string }, at?: { atMobiles?: string[], atUserIds?: string[], isAtAll?: boolean } }
  | { msgtype: 'actionCard', actionCard: { title: string, text: string, singleTitle: string, singleURL: string }, at?: { atMobiles?: string[], atUserIds?: string[] } }

/** Errcodes: throttled (wait), or refused for good (fix the configuration, then redrive). */
const THROTTLED = new Set([130101, 410100])
const REFUSED = new Set([310000, 300001, 400013, 300005])

function check (what: string, data: { errcode?: number, errmsg?: string } | undefined): void {
  const code = data?.errcode ?? -1
  if (code === 0) return
  if (THROTTLED.has(code)) throw new Defer(60, `${what}: throttled (${code} ${data?.errmsg ?? ''})`)
  if (REFUSED.has(code)) throw new Permanent(`${what}: refused (${code} ${data?.errmsg ?? ''})`)
  throw new Error(`${what}: errcode ${code} ${data?.errmsg ?? ''}`)
}

export async function sendRobot (out: Outbound, name: string, robot: RobotConfig, message: RobotMessage, now = Date.now()): Promise<void> {
  const url = new URL(robot.url)
  url.searchParams.set('timestamp', String(now))
  url.searchParams.set('sign', robotSign(robot.secret, now))
  const res = await postJson(out, url.toString(), message, {}, `DingTalk robot ${name}`)
  check(`DingTalk robot ${name}`, res.data)
}

interface Token { value: string, expiresAt: number }
const tokens = new Map<string, Token>()
/** Refreshed this long before DingTalk's expiry, so no call ever carries a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000

export async function appToken (out: Outbound, app: DingTalkAppConfig, now = Date.now()): Promise<string> {
  const cached = tokens.get(app.appKey)
  if (cached && cached.expiresAt - REFRESH_MARGIN_MS > now) return cached.value
  const res = await postJson(out, `${app.apiUrl}/v1.0/oauth2/accessToken`, { appKey: app.appKey, appSecret: app.appSecret }, {}, 'DingTalk access token')
  const { accessToken, expireIn } = res.data as { accessToken?: string, expireIn?: number }
  if (!accessToken || !expireIn) throw new Permanent('DingTalk access token: no accessToken in the answer')
  tokens.set(app.appKey, { value: accessToken, expiresAt: now + expireIn * 1000 })
  return accessToken
}

/** Forgets a cached token (DingTalk said it is no longer valid). */
export function dropToken (app: DingTalkAppConfig): void { tokens.delete(app.appKey) }

/** Errcodes of the old API (oapi) for a token it no longer takes: invalid, expired, unknown. */
const TOKEN_REFUSED = new Set([40014, 42001, 400101])

/**
 * One call with the app's token. A token DingTalk refuses before its time (revoked, the secret
 * rotated, another process fetched over it) is dropped and the call made once more with a fresh one,
 * so a stale cache costs one fetch, never a dead-lettered approval. `call` returns null when its
 * answer refused the token.
 */
async function withAppToken<T> (out: Outbound, app: DingTalkAppConfig, what: string, call: (token: string) => Promise<T | null>): Promise<T> {
  const first = await call(await appToken(out, app))
  if (first !== null) return first
  dropToken(app)
  const again = await call(await appToken(out, app))
  if (again !== null) return again
  dropToken(app)
  throw new Error(`${what}: DingTalk refused a freshly fetched access token`)
}

export async function sendWorkNotice (out: Outbound, app: DingTalkAppConfig, userIds: string[], title: string, text: string): Promise<void> {
  const what = 'DingTalk work notice'
  const data = await withAppToken(out, app, what, async token => {
    const res = await postJson(out, `${app.oapiUrl}/topapi/message/corpconversation/asyncsend_v2?access_token=${encodeURIComponent(token)}`,
      { agent_id: app.agentId, userid_list: userIds.join(','), msg: { msgtype: 'markdown', markdown: { title, text } } }, {}, what)
    return TOKEN_REFUSED.has(res.data?.errcode) ? null : (res.data ?? {})
  })
  check(what, data)
}

export async function createApproval (out: Outbound, app: DingTalkAppConfig, form: Array<{ name: string, value: string }>): Promise<string> {
  const what = 'DingTalk approval'
  const res = await withAppToken(out, app, what, async token => {
    try {
      return await postJson(out, `${app.apiUrl}/v1.0/workflow/processInstances`,
        { processCode: app.processCode, originatorUserId: app.originatorUserId, ...(app.deptId !== null ? { deptId: app.deptId } : {}), formComponentValues: form },
        { 'x-acs-dingtalk-access-token': token }, what)
    } catch (err) {
      // the api.dingtalk.com family refuses a token with HTTP 401 (InvalidAuthentication)
      if (err instanceof Permanent && err.status === 401) return null
      throw err
    }
  })
  const id = (res.data as { instanceId?: string }).instanceId
  if (!id) throw new Error(`DingTalk approval: no instanceId in the answer ${JSON.stringify(res.data).slice(0, 200)}`)
  return id
}
