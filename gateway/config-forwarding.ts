// Forwarding settings, read with the rest of the configuration (config.ts): the external ledger sinks,
// the DingTalk robots and app, and the outbound allowlist. Every outbound URL must name a host on the
// allowlist (DingTalk's and Jiandaoyun's own hosts are on it by default); a URL that does not, or that
// is not https outside the allowlisted hosts, refuses the start (OWASP API7: no request to wherever a
// config typo or an attacker points).
import { ConfigError } from './config-error.ts'
import { checkOutboundUrl, DEFAULT_HOSTS, required } from './sinks/outbound.ts'
import { parseSink, SINK_KINDS, type SinkConfig } from './sinks/sink-kinds.ts'

export { MOVEMENT_FIELDS, type MovementField } from './sinks/sinks.ts'
export type { SinkConfig }
export interface RobotConfig { url: string, secret: string }
export interface DingTalkAppConfig {
  oapiUrl: string
  apiUrl: string
  appKey: string
  appSecret: string
  agentId: number
  processCode: string
  originatorUserId: string
  deptId: number | null
  callbackToken: string
  callbackAesKey: string
  /** Also take events over DingTalk's Stream mode (an outbound WebSocket: no public callback URL needed). */
  stream: boolean
}

export interface ForwardingConfig {
  /** Where people open reports from a message (the gateway's public address). */
  publicUrl: string
  allowHosts: string[]
  timeoutMs: number
  /** Attempts per delivery before it is dead-lettered; Retry-After deferrals count separately. */
  retryLimit: number
  retryDelaySeconds: number
  maxDeferrals: number
  /** A delivery job still active after this long (its worker died) is retried. */
  jobExpireSeconds: number
  sinks: SinkConfig[]
  robots: Record<string, RobotConfig>
  /** Where each kind of alert goes: outbox sink names, `robot:<name>` or `<kind>:<id>` of a sink that takes alerts (e-mail). */
  alerts: Record<AlertRoute, string[]>
  app: DingTalkAppConfig | null
}

export interface FileForwarding {
  publicUrl?: string
  allowHosts?: string[]
  timeoutMs?: number
  retryLimit?: number
  retryDelaySeconds?: number
  maxDeferrals?: number
  jobExpireSeconds?: number
  sinks?: Array<Record<string, unknown>>
  /** Per kind of alert, where it goes: `robot:<name>`, `email:<sink id>` (a bare name is a robot). */
  alerts?: Partial<Record<AlertRoute, string | string[]>>
  dingtalk?: {
    robots?: Record<string, Partial<RobotConfig>>
    alerts?: { lowStock?: string, mismatch?: string, ops?: string }
    app?: Partial<DingTalkAppConfig>
  }
}

export { checkOutboundUrl }
const str = required

function app (a: Partial<DingTalkAppConfig>, allow: string[]): DingTalkAppConfig {
  const oapiUrl = checkOutboundUrl(a.oapiUrl ?? 'https://oapi.dingtalk.com', allow, 'dingtalk.app.oapiUrl').origin
  const apiUrl = checkOutboundUrl(a.apiUrl ?? 'https://api.dingtalk.com', allow, 'dingtalk.app.apiUrl').origin
  const aes = str(a.callbackAesKey, 'dingtalk.app.callbackAesKey')
  if (Buffer.from(aes + '=', 'base64').length !== 32) throw new ConfigError('dingtalk.app.callbackAesKey must be the 43-character EncodingAESKey')
  return {
    oapiUrl, apiUrl, appKey: str(a.appKey, 'dingtalk.app.appKey'), appSecret: str(a.appSecret, 'dingtalk.app.appSecret'), agentId: Number(a.agentId),
    processCode: str(a.processCode, 'dingtalk.app.processCode'), originatorUserId: str(a.originatorUserId, 'dingtalk.app.originatorUserId'),
    deptId: a.deptId === undefined ? null : Number(a.deptId), callbackToken: str(a.callbackToken, 'dingtalk.app.callbackToken'), callbackAesKey: aes, stream: a.stream === true
  }
}

export const ALERT_ROUTES = ['lowStock', 'mismatch', 'ops'] as const
export type AlertRoute = typeof ALERT_ROUTES[number]

/**
 * Where each kind of alert goes. `forwarding.alerts` names targets (`robot:stock`, `email:owners`);
 * `dingtalk.alerts`, the older form, names a robot. Every target must exist and take alerts.
 */
function alertRoutes (f: FileForwarding, robots: Record<string, RobotConfig>, sinks: SinkConfig[]): Record<AlertRoute, string[]> {
  const out = {} as Record<AlertRoute, string[]>
  for (const route of ALERT_ROUTES) {
    const given = f.alerts?.[route]
    const legacy = f.dingtalk?.alerts?.[route]
    const names = [...(given === undefined ? [] : Array.isArray(given) ? given : [given]), ...(legacy ? [legacy] : [])]
    out[route] = [...new Set(names.map(n => n.includes(':') ? n : `robot:${n}`))]
    for (const target of out[route]) {
      const [kind, id] = target.split(':')
      const ok = kind === 'robot' ? Boolean(robots[id]) : sinks.some(s => s.kind === kind && s.id === id && SINK_KINDS[kind].topics.includes('alert'))
      if (!ok) throw new ConfigError(`forwarding.alerts.${route}: ${target} is no DingTalk robot and no configured sink that takes alerts`)
    }
  }
  return out
}

export function forwardingConfig (f: FileForwarding = {}): ForwardingConfig {
  const allowHosts = [...new Set([...DEFAULT_HOSTS, ...f.allowHosts ?? []])]
  const robots: Record<string, RobotConfig> = {}
  for (const [name, r] of Object.entries(f.dingtalk?.robots ?? {})) {
    const url = checkOutboundUrl(str(r.url, `dingtalk.robots.${name}.url`), allowHosts, `DingTalk robot ${name}`)
    if (!url.searchParams.get('access_token')) throw new ConfigError(`DingTalk robot ${name}: the URL needs its access_token`)
    robots[name] = { url: url.toString(), secret: str(r.secret, `dingtalk.robots.${name}.secret`) }
  }
  const whole = (v: number | undefined, fallback: number, lo: number, hi: number, what: string): number => {
    if (v === undefined) return fallback
    if (!Number.isInteger(v) || v < lo || v > hi) throw new ConfigError(`forwarding.${what} must be a whole number from ${lo} to ${hi}`)
    return v
  }
  const sinks = (f.sinks ?? []).map((s, i) => parseSink(s, i, allowHosts))
  if (new Set(sinks.map(s => s.id)).size !== sinks.length) throw new ConfigError('forwarding.sinks: two sinks share an id')
  const alerts = alertRoutes(f, robots, sinks)
  return {
    publicUrl: f.publicUrl ?? 'http://127.0.0.1:3000',
    allowHosts,
    timeoutMs: whole(f.timeoutMs, 10_000, 100, 60_000, 'timeoutMs'),
    retryLimit: whole(f.retryLimit, 8, 0, 50, 'retryLimit'),
    retryDelaySeconds: whole(f.retryDelaySeconds, 5, 1, 3600, 'retryDelaySeconds'),
    maxDeferrals: whole(f.maxDeferrals, 20, 0, 1000, 'maxDeferrals'),
    jobExpireSeconds: whole(f.jobExpireSeconds, 300, 1, 3600, 'jobExpireSeconds'),
    sinks,
    robots,
    alerts,
    app: f.dingtalk?.app ? app(f.dingtalk.app, allowHosts) : null
  }
}
