// DingTalk's Stream mode: the gateway opens an outbound WebSocket to DingTalk and events come down it,
// so a shop behind NAT needs no public callback URL (reference/dingtalk.md §0; the open-dingtalk
// stream SDKs). The HTTP callback stays; both feed the same handler (dingtalk-events.ts), which acts
// on each event once.
//   1. POST {apiUrl}/v1.0/gateway/connections/open {clientId, clientSecret, subscriptions} → {endpoint, ticket}
//   2. WebSocket to endpoint?ticket=…; frames {specVersion, type: SYSTEM | EVENT | CALLBACK, headers, data (a JSON string)}
//   3. every frame is acknowledged {code, headers: {messageId, contentType}, message, data}: an EVENT only
//      once it is committed, so one that could not be stored is sent again; SYSTEM ping is echoed;
//      SYSTEM disconnect closes the socket, and a new connection is opened (as after any loss), with backoff.
import type { DingTalkAppConfig } from '../config-forwarding.ts'
import type { Db } from '../db/pool.ts'
import { postJson } from '../sinks/http.ts'
import { applyDingTalkEvent, type DingTalkEvent } from './dingtalk-events.ts'

export interface StreamDeps {
  app: DingTalkAppConfig
  db: Db
  allowHosts: readonly string[]
  timeoutMs: number
  log?: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
}

export interface StreamClient {
  /** Whether a connection is open now. */
  readonly connected: boolean
  stop (): Promise<void>
}

interface Frame { type?: string, headers?: Record<string, string>, data?: string }

const MAX_BACKOFF_MS = 30_000

/** The endpoint DingTalk named must be DingTalk's own, or a host on the allowlist (a test double). */
function checkEndpoint (endpoint: string, allowHosts: readonly string[]): URL {
  const u = new URL(endpoint)
  const dingtalk = u.hostname === 'dingtalk.com' || u.hostname.endsWith('.dingtalk.com')
  if (!(dingtalk && u.protocol === 'wss:') && !allowHosts.includes(u.hostname)) throw new Error(`the stream endpoint ${u.host} is neither DingTalk's nor on the outbound allowlist`)
  return u
}

async function openConnection (d: StreamDeps): Promise<string> {
  const res = await postJson({ allowHosts: d.allowHosts, timeoutMs: d.timeoutMs }, `${d.app.apiUrl}/v1.0/gateway/connections/open`,
    { clientId: d.app.appKey, clientSecret: d.app.appSecret, subscriptions: [{ type: 'EVENT', topic: '*' }], ua: 'hk-recon-gateway' }, {}, 'DingTalk stream')
  const { endpoint, ticket } = (res.data ?? {}) as { endpoint?: string, ticket?: string }
  if (!endpoint || !ticket) throw new Error('DingTalk stream: the answer names no endpoint and ticket')
  const u = checkEndpoint(endpoint, d.allowHosts)
  u.searchParams.set('ticket', ticket)
  return u.toString()
}

function ack (ws: WebSocket, frame: Frame, code: number, message: string): void {
  ws.send(JSON.stringify({ code, headers: { messageId: frame.headers?.messageId ?? '', contentType: 'application/json' }, message, data: frame.data ?? '{}' }))
}

/** Acts on one frame and answers it; true when DingTalk asked us to reconnect. */
async function onFrame (d: StreamDeps, ws: WebSocket, frame: Frame): Promise<boolean> {
  const topic = frame.headers?.topic
  if (frame.type === 'SYSTEM') {
    if (topic === 'disconnect') return true
    ack(ws, frame, 200, 'OK') // ping, and any other system message: echoed
    return false
  }
  if (frame.type !== 'EVENT') { ack(ws, frame, 404, 'not subscribed'); return false }
  const data = JSON.parse(frame.data ?? '{}') as Omit<DingTalkEvent, 'EventType'>
  const acted = await applyDingTalkEvent(d.db, { ...data, EventType: frame.headers?.eventType ?? topic ?? '' }, 'stream')
  d.log?.info({ eventType: frame.headers?.eventType, eventId: frame.headers?.eventId, acted }, 'dingtalk stream event')
  ack(ws, frame, 200, 'OK')
  return false
}

/** One connection, until it closes; its frames are handled one at a time, in order. */
async function session (d: StreamDeps, url: string, onOpen: (ws: WebSocket) => void): Promise<void> {
  const ws = new WebSocket(url)
  let chain = Promise.resolve()
  await new Promise<void>(resolve => {
    ws.addEventListener('open', () => onOpen(ws))
    ws.addEventListener('message', ev => {
      chain = chain.then(async () => {
        try {
          if (await onFrame(d, ws, JSON.parse(String(ev.data)) as Frame)) ws.close()
        } catch (err) {
          // not acknowledged: DingTalk sends it again
          d.log?.warn({ reason: (err as Error).message }, 'dingtalk stream frame not handled')
        }
      })
    })
    ws.addEventListener('close', () => resolve())
    ws.addEventListener('error', () => resolve())
  })
  await chain
}

export function startDingTalkStream (d: StreamDeps): StreamClient {
  let stopped = false
  let open: WebSocket | null = null
  let wake: (() => void) | null = null
  const loop = (async () => {
    for (let failures = 0; !stopped;) {
      try {
        const url = await openConnection(d)
        await session(d, url, ws => { open = ws; failures = 0; d.log?.info({}, 'dingtalk stream connected') })
      } catch (err) {
        d.log?.warn({ reason: (err as Error).message }, 'dingtalk stream: could not connect')
      }
      open = null
      if (stopped) break
      const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** failures++)
      await new Promise<void>(resolve => { wake = resolve; setTimeout(resolve, wait).unref() })
    }
  })()
  return {
    get connected () { return open !== null },
    async stop () {
      stopped = true
      open?.close()
      wake?.()
      await loop
    }
  }
}
