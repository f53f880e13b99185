// Alerts by e-mail over SMTP (nodemailer), beside or instead of the DingTalk robots. One alert is one
// message; its Message-ID is derived from the outbox key, so a message sent again after a crash (sent,
// then killed before it was marked delivered) carries the same id and a mail system can tell it is a
// repeat. The server must be on the outbound allowlist. SMTP's own answer decides what happens next:
// 4xx and a lost connection are retried, 5xx and refused credentials are dead-lettered. A message
// some recipients took is delivered: sending it again would reach those twice.
import { createHash } from 'node:crypto'
import type { Transporter } from 'nodemailer'
import { ConfigError } from '../config-error.ts'
import { alertTitle, textOf, type Alert } from './alerts.ts'
import { Permanent, type Outbound } from './http.ts'
import { checkOutboundHost, required } from './outbound.ts'
import type { OutboxRow } from './sinks.ts'

export interface EmailSinkConfig { id: string, kind: 'email', host: string, port: number, secure: boolean, user: string | null, pass: string | null, from: string, to: string[] }

const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/

export function parseEmailSink (raw: Record<string, unknown>, id: string, allowHosts: readonly string[]): EmailSinkConfig {
  const host = checkOutboundHost(required(raw.host, `sink ${id} host`), allowHosts, `sink ${id}`)
  const port = raw.port === undefined ? 587 : Number(raw.port)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`sink ${id}: port must be a TCP port`)
  const to = Array.isArray(raw.to) ? raw.to : [raw.to]
  if (to.length === 0 || !to.every(a => typeof a === 'string' && ADDRESS.test(a))) throw new ConfigError(`sink ${id}: "to" must list e-mail addresses`)
  const from = required(raw.from, `sink ${id} from`)
  if (!ADDRESS.test(from.replace(/^.*<([^>]+)>\s*$/, '$1'))) throw new ConfigError(`sink ${id}: "from" must be an e-mail address`)
  if ((raw.user === undefined) !== (raw.pass === undefined)) throw new ConfigError(`sink ${id}: give both "user" and "pass", or neither`)
  return {
    id, kind: 'email', host, port, secure: raw.secure === undefined ? port === 465 : raw.secure === true,
    user: raw.user === undefined ? null : required(raw.user, `sink ${id} user`), pass: raw.pass === undefined ? null : required(raw.pass, `sink ${id} pass`), from, to: to as string[]
  }
}

// one pooled connection per sink, made when first needed; nodemailer is loaded then too, not with the
// configuration that imports this module to check the sinks' settings (see http.ts)
const transports = new Map<string, Transporter>()

async function transportOf (out: Outbound, sink: EmailSinkConfig): Promise<Transporter> {
  const key = `${sink.id}|${sink.host}|${sink.port}`
  let t = transports.get(key)
  if (!t) {
    const { default: nodemailer } = await import('nodemailer')
    t = transports.get(key) ?? nodemailer.createTransport({
      host: sink.host, port: sink.port, secure: sink.secure, pool: true, maxConnections: 1,
      auth: sink.user ? { user: sink.user, pass: sink.pass ?? '' } : undefined,
      connectionTimeout: out.timeoutMs, greetingTimeout: out.timeoutMs, socketTimeout: out.timeoutMs,
      // a plain-text connection is upgraded when the server offers STARTTLS; loopback test servers may not
      requireTLS: false
    })
    transports.set(key, t)
  }
  return t
}

export async function sendEmail (out: Outbound, sink: EmailSinkConfig, row: OutboxRow): Promise<void> {
  checkOutboundHost(sink.host, out.allowHosts, `sink ${sink.id}`)
  const alert = row.payload as unknown as Alert
  const messageId = `<${createHash('sha256').update(row.key).digest('hex').slice(0, 32)}@recon-gateway>`
  try {
    await (await transportOf(out, sink)).sendMail({ from: sink.from, to: sink.to, subject: alertTitle(alert), text: textOf(alert), messageId, headers: { 'X-Recon-Key': row.key } })
  } catch (err) {
    const e = err as { responseCode?: number, code?: string, message?: string }
    const what = `sink ${sink.id}: ${e.responseCode ? `SMTP ${e.responseCode}` : e.code ?? 'error'} ${e.message ?? ''}`.trim()
    if ((e.responseCode !== undefined && e.responseCode >= 500) || e.code === 'EAUTH' || e.code === 'EENVELOPE') throw new Permanent(what)
    throw new Error(what)
  }
}
