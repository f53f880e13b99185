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

export async function sendWorkNotice (out: Outbound, app: DingTalkAppConfig, userIds: string[], title: string, text: string): Promise<void> {
  const token = await appToken(out, app)
  const res = await postJson(out, `${app.oapiUrl}/topapi/message/corpconversation/asyncsend_v2?access_token=${encodeURIComponent(token)}`,
    { agent_id: app.agentId, userid_list: userIds.join(','), msg: { msgtype: 'markdown', markdown: { title, text } } }, {}, 'DingTalk work notice')
  if (res.data?.errcode === 40014 || res.data?.errcode === 42001) dropToken(app)
  check('DingTalk work notice', res.data)
}

export async function createApproval (out: Outbound, app: DingTalkAppConfig, form: Array<{ name: string, value: string }>): Promise<string> {
  const token = await appToken(out, app)
  const res = await postJson(out, `${app.apiUrl}/v1.0/workflow/processInstances`,
    { processCode: app.processCode, originatorUserId: app.originatorUserId, ...(app.deptId !== null ? { deptId: app.deptId } : {}), formComponentValues: form },
    { 'x-acs-dingtalk-access-token': token }, 'DingTalk approval')
  const id = (res.data as { instanceId?: string }).instanceId
  if (!id) throw new Error(`DingTalk approval: no instanceId in the answer ${JSON.stringify(res.data).slice(0, 200)}`)
  return id
}
