// Where the gateway may send anything: every outbound URL or mail server must name a host on the
// allowlist (DingTalk's and Jiandaoyun's own hosts are on it by default), and HTTP must be https
// outside the allowlisted test hosts (OWASP API7: no request to wherever a typo or an attacker points).
// Checked when the configuration is read, and again at every send.
import { ConfigError } from '../config-error.ts'

export const DEFAULT_HOSTS = ['oapi.dingtalk.com', 'api.dingtalk.com', 'api.jiandaoyun.com']

export function checkOutboundUrl (url: string, allowHosts: readonly string[], what: string): URL {
  let u: URL
  try { u = new URL(url) } catch { throw new ConfigError(`${what}: "${url}" is not a URL`) }
  if (u.username || u.password) throw new ConfigError(`${what}: credentials do not belong in the URL`)
  if (!allowHosts.includes(u.hostname)) throw new ConfigError(`${what}: host ${u.hostname} is not on the outbound allowlist (forwarding.allowHosts)`)
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && !DEFAULT_HOSTS.includes(u.hostname))) throw new ConfigError(`${what}: must be https`)
  return u
}

export function checkOutboundHost (host: string, allowHosts: readonly string[], what: string): string {
  if (!allowHosts.includes(host)) throw new ConfigError(`${what}: host ${host} is not on the outbound allowlist (forwarding.allowHosts)`)
  return host
}

/** A required, non-empty string setting. */
export function required (v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new ConfigError(`${what} is required`)
  return v
}
