// The kinds of external sink, registered as data: each with its settings' parser (forwarding.sinks[]
// in RECON_CONFIG), what it takes (stock movements, alerts or both), how many outbox rows one call
// carries, and its sender. Configuration and delivery dispatch through this table; adding a kind is
// adding an entry here, nothing else.
import { ConfigError } from '../config-error.ts'
import type { Outbound } from './http.ts'
import { parseEmailSink, sendEmail, type EmailSinkConfig } from './email.ts'
import { JIANDAOYUN_BATCH, parseHttpSink, parseJiandaoyunSink, sendHttp, sendJiandaoyun, type HttpSinkConfig, type JiandaoyunSinkConfig, type OutboxRow, type SinkMode } from './sinks.ts'

export type SinkConfig = HttpSinkConfig | JiandaoyunSinkConfig | EmailSinkConfig
export type SinkTopic = 'movement' | 'alert'

export interface SinkKind {
  kind: SinkConfig['kind']
  topics: readonly SinkTopic[]
  /** Outbox rows one call carries (1: a call per row). */
  batch: number
  /** The settings it reads (besides id and kind): any other key is refused. */
  keys: readonly string[]
  parse (raw: Record<string, unknown>, id: string, allowHosts: readonly string[]): SinkConfig
  send (out: Outbound, sink: SinkConfig, rows: OutboxRow[]): Promise<void>
}

export const SINK_KINDS: Record<string, SinkKind> = {
  http: { kind: 'http', topics: ['movement'], batch: 1, keys: ['url', 'secret', 'mode'], parse: parseHttpSink, send: (out, s, rows) => sendHttp(out, s as HttpSinkConfig, rows[0]) },
  jiandaoyun: { kind: 'jiandaoyun', topics: ['movement'], batch: JIANDAOYUN_BATCH, keys: ['url', 'apiKey', 'appId', 'entryId', 'fields', 'mode'], parse: parseJiandaoyunSink, send: (out, s, rows) => sendJiandaoyun(out, s as JiandaoyunSinkConfig, rows) },
  email: { kind: 'email', topics: ['alert'], batch: 1, keys: ['host', 'port', 'secure', 'user', 'pass', 'from', 'to'], parse: parseEmailSink, send: (out, s, rows) => sendEmail(out, s as EmailSinkConfig, rows[0]) }
}

/** One `forwarding.sinks[i]` entry, parsed by its kind. */
export function parseSink (raw: Record<string, unknown>, i: number, allowHosts: readonly string[]): SinkConfig {
  const id = raw.id
  if (typeof id !== 'string' || !/^[a-z0-9_-]{1,32}$/.test(id)) throw new ConfigError(`forwarding.sinks[${i}].id must be a short lower-case name`)
  const kind = SINK_KINDS[String(raw.kind)]
  if (!kind) throw new ConfigError(`sink ${id}: kind must be one of ${Object.keys(SINK_KINDS).join(', ')}`)
  const unknown = Object.keys(raw).filter(k => k !== 'id' && k !== 'kind' && !kind.keys.includes(k))
  if (unknown.length) throw new ConfigError(`forwarding.sinks[${i}] (${kind.kind} ${id}): unknown key(s) ${unknown.join(', ')} (a ${kind.kind} sink takes ${kind.keys.join(', ')})`)
  return kind.parse(raw, id, allowHosts)
}

/** The sink's outbox name: `<kind>:<id>`. */
export const sinkName = (s: Pick<SinkConfig, 'kind' | 'id'>): string => `${s.kind}:${s.id}`

/** The sinks that take stock movements, each with its mode. */
export function movementSinks (sinks: readonly SinkConfig[]): Array<{ name: string, mode: SinkMode }> {
  return sinks.flatMap(s => SINK_KINDS[s.kind].topics.includes('movement') && 'mode' in s ? [{ name: sinkName(s), mode: s.mode }] : [])
}
