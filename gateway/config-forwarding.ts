// Forwarding settings, read with the rest of the configuration (config.ts): the external ledger sinks,
// the DingTalk robots and app, and the outbound allowlist. Every outbound URL must name a host on the
// allowlist (DingTalk's and Jiandaoyun's own hosts are on it by default); a URL that does not, or that
// is not https outside the allowlisted hosts, refuses the start (OWASP API7: no request to wherever a
// config typo or an attacker points).
import { ConfigError } from './config-error.ts'

export const MOVEMENT_FIELDS = ['movement_id', 'sku', 'location_id', 'qty', 'reason', 'occurred_at', 'source'] as const
export type MovementField = typeof MOVEMENT_FIELDS[number]

export interface HttpSinkConfig { id: string, kind: 'http', url: string, secret: string }
export interface JiandaoyunSinkConfig { id: string, kind: 'jiandaoyun', url: string, apiKey: string, appId: string, entryId: string, fields: Partial<Record<MovementField, string>> }
export type SinkConfig = HttpSinkConfig | JiandaoyunSinkConfig
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
  /** Which robot gets which alerts (null: none). */
  alerts: { lowStock: string | null, mismatch: string | null, ops: string | null }
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
  sinks?: Array<{ id?: string, kind?: string, url?: string, secret?: string, apiKey?: string, appId?: string, entryId?: string, fields?: Partial<Record<MovementField, string>> }>
  dingtalk?: {
    robots?: Record<string, Partial<RobotConfig>>
    alerts?: { lowStock?: string, mismatch?: string, ops?: string }
    app?: Partial<DingTalkAppConfig>
  }
}

const DEFAULT_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com', 'api.jiandaoyun.com']

export function checkOutboundUrl (url: string, allowHosts: readonly string[], what: string): URL {
  let u: URL
  try { u = new URL(url) } catch { throw new ConfigError(`${what}: "${url}" is not a URL`) }
  if (u.username || u.password) throw new ConfigError(`${what}: credentials do not belong in the URL`)
  if (!allowHosts.includes(u.hostname)) throw new ConfigError(`${what}: host ${u.hostname} is not on the outbound allowlist (forwarding.allowHosts)`)
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && !DEFAULT_HOSTS.includes(u.hostname))) throw new ConfigError(`${what}: must be https`)
  return u
}

function str (v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${what} is required`)
  return v
}

function sink (s: NonNullable<FileForwarding['sinks']>[number], i: number, allow: string[]): SinkConfig {
  const id = str(s.id, `forwarding.sinks[${i}].id`)
  if (!/^[a-z0-9_-]{1,32}$/.test(id)) throw new ConfigError(`forwarding.sinks[${i}].id must be a short lower-case name`)
  const url = checkOutboundUrl(str(s.url, `sink ${id} url`), allow, `sink ${id}`).toString()
  if (s.kind === 'http') {
    const secret = str(s.secret, `sink ${id} secret`)
    if (!/^whsec_[A-Za-z0-9+/=]{24,}$/.test(secret)) throw new ConfigError(`sink ${id}: secret must be whsec_<base64 of at least 18 bytes> (Standard Webhooks)`)
    return { id, kind: 'http', url, secret }
  }
  if (s.kind === 'jiandaoyun') {
    const fields = s.fields ?? {}
    for (const k of Object.keys(fields)) if (!MOVEMENT_FIELDS.includes(k as MovementField)) throw new ConfigError(`sink ${id}: unknown field ${k} (known: ${MOVEMENT_FIELDS.join(', ')})`)
    return { id, kind: 'jiandaoyun', url, apiKey: str(s.apiKey, `sink ${id} apiKey`), appId: str(s.appId, `sink ${id} appId`), entryId: str(s.entryId, `sink ${id} entryId`), fields }
  }
  throw new ConfigError(`sink ${id}: kind must be http or jiandaoyun`)
}

function app (a: Partial<DingTalkAppConfig>, allow: string[]): DingTalkAppConfig {
  const oapiUrl = checkOutboundUrl(a.oapiUrl ?? 'https://oapi.dingtalk.com', allow, 'dingtalk.app.oapiUrl').origin
  const apiUrl = checkOutboundUrl(a.apiUrl ?? 'https://api.dingtalk.com', allow, 'dingtalk.app.apiUrl').origin
  const aes = str(a.callbackAesKey, 'dingtalk.app.callbackAesKey')
  if (Buffer.from(aes + '=', 'base64').length !== 32) throw new ConfigError('dingtalk.app.callbackAesKey must be the 43-character EncodingAESKey')
  return {
    oapiUrl, apiUrl, appKey: str(a.appKey, 'dingtalk.app.appKey'), appSecret: str(a.appSecret, 'dingtalk.app.appSecret'), agentId: Number(a.agentId),
    processCode: str(a.processCode, 'dingtalk.app.processCode'), originatorUserId: str(a.originatorUserId, 'dingtalk.app.originatorUserId'),
    deptId: a.deptId === undefined ? null : Number(a.deptId), callbackToken: str(a.callbackToken, 'dingtalk.app.callbackToken'), callbackAesKey: aes
  }
}

export function forwardingConfig (f: FileForwarding = {}): ForwardingConfig {
  const allowHosts = [...new Set([...DEFAULT_HOSTS, ...f.allowHosts ?? []])]
  const robots: Record<string, RobotConfig> = {}
  for (const [name, r] of Object.entries(f.dingtalk?.robots ?? {})) {
    const url = checkOutboundUrl(str(r.url, `dingtalk.robots.${name}.url`), allowHosts, `DingTalk robot ${name}`)
    if (!url.searchParams.get('access_token')) throw new ConfigError(`DingTalk robot ${name}: the URL needs its access_token`)
    robots[name] = { url: url.toString(), secret: str(r.secret, `dingtalk.robots.${name}.secret`) }
  }
  const alert = (k: 'lowStock' | 'mismatch' | 'ops'): string | null => {
    const r = f.dingtalk?.alerts?.[k] ?? null
    if (r !== null && !robots[r]) throw new ConfigError(`dingtalk.alerts.${k}: no robot named ${r}`)
    return r
  }
  const whole = (v: number | undefined, fallback: number, lo: number, hi: number, what: string): number => {
    if (v === undefined) return fallback
    if (!Number.isInteger(v) || v < lo || v > hi) throw new ConfigError(`forwarding.${what} must be a whole number from ${lo} to ${hi}`)
    return v
  }
  const sinks = (f.sinks ?? []).map((s, i) => sink(s, i, allowHosts))
  if (new Set(sinks.map(s => s.id)).size !== sinks.length) throw new ConfigError('forwarding.sinks: two sinks share an id')
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
    alerts: { lowStock: alert('lowStock'), mismatch: alert('mismatch'), ops: alert('ops') },
    app: f.dingtalk?.app ? app(f.dingtalk.app, allowHosts) : null
  }
}
