// Outbound HTTP for every sink, in one place: the host must be on the allowlist (checked again at
// send time, not only at start-up), redirects are never followed, every call has a time limit that
// also covers a connection that never opens, and the answer is classified once: delivered, retry
// later (with the server's Retry-After when it gives one), or refused for good.
import type { AxiosInstance, AxiosResponse } from 'axios'
import { checkOutboundUrl } from './outbound.ts'

/** Try again after `seconds` (a 429 or 503 with Retry-After, a throttled API). */
export class Defer extends Error {
  readonly seconds: number
  constructor (seconds: number, message: string) {
    super(message)
    this.name = 'Defer'
    this.seconds = seconds
  }
}

/** Retrying cannot help (a 4xx: bad request, bad credentials): dead-letter now, redrive once fixed. */
export class Permanent extends Error {
  /** The HTTP status that refused the call, when one did. */
  readonly status?: number
  constructor (message: string, status?: number) {
    super(message)
    this.name = 'Permanent'
    this.status = status
  }
}

export interface Outbound { allowHosts: readonly string[], timeoutMs: number }

// Loaded on the first call, not with the module: the configuration imports this module to check the
// sinks' settings, and the offline run and the CLI, which never send, then loaded axios and its
// dependencies on every thread they start.
let client: Promise<AxiosInstance> | undefined
const httpClient = (): Promise<AxiosInstance> => client ??= import('axios').then(({ default: axios }) =>
  axios.create({ maxRedirects: 0, validateStatus: () => true, proxy: false, responseType: 'json', transitional: { clarifyTimeoutError: true } }))

/** Seconds from a Retry-After header (delay-seconds or an HTTP date); null when absent or unreadable. */
export function retryAfterSeconds (value: unknown, now = Date.now()): number | null {
  if (typeof value !== 'string' || value.trim() === '') return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000))
}

export async function postJson (out: Outbound, url: string, body: unknown, headers: Record<string, string> = {}, what = url): Promise<AxiosResponse> {
  checkOutboundUrl(url, out.allowHosts, what)
  const http = await httpClient()
  let res: AxiosResponse
  try {
    res = await http.post(url, body, { headers: { 'content-type': 'application/json', ...headers }, timeout: out.timeoutMs, signal: AbortSignal.timeout(out.timeoutMs) })
  } catch (err) {
    const e = err as { code?: string, message?: string }
    if (e.code === 'ERR_CANCELED' || e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT') throw new Error(`${what}: no answer, timed out after ${out.timeoutMs} ms`)
    throw new Error(`${what}: ${e.code ?? 'network error'} ${e.message ?? ''}`.trim())
  }
  if (res.status >= 300 && res.status < 400) throw new Permanent(`${what}: answered a redirect (${res.status}); redirects are not followed`)
  if (res.status === 429 || res.status === 503) {
    const wait = retryAfterSeconds(res.headers['retry-after'])
    if (wait !== null) throw new Defer(wait, `${what}: ${res.status}, Retry-After ${wait} s`)
    throw new Error(`${what}: ${res.status}`)
  }
  if (res.status >= 500 || res.status === 408) throw new Error(`${what}: ${res.status}`)
  if (res.status >= 400) throw new Permanent(`${what}: ${res.status} ${JSON.stringify(res.data).slice(0, 200)}`, res.status)
  return res
}
