// Which POS vendors this gateway takes webhooks from, and their secrets. A vendor registered in the
// code is not thereby open: in production only the vendors listed (RECON_POS_VENDORS or `posVendors`)
// or, when none are listed, those given a secret take deliveries, and every listed vendor must have
// its secret, so a forgotten one stops the start instead of answering every delivery 401. Outside
// production every registered vendor is open and a missing secret is generated into
// <data dir>/dev-secrets.json, so `npm start` works with no setup.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PosConnector, WebhookSecret } from '../connectors/pos.ts'
import { ConfigError } from './config-error.ts'

type Env = Record<string, string | undefined>
export type FileWebhooks = Record<string, Array<{ secret: string, notBefore?: string, notAfter?: string }>>

/** The environment variable that holds a vendor's webhook secrets: RECON_WEBHOOK_SECRETS_SHOPIFY_POS. */
export function secretsVariable (vendor: string): string {
  return `RECON_WEBHOOK_SECRETS_${vendor.toUpperCase().replace(/-/g, '_')}`
}

export function parseTime (s: string | undefined, what: string): Date | undefined {
  if (!s) return undefined
  const d = new Date(s)
  if (Number.isNaN(d.getTime())) throw new ConfigError(`${what} is not a date-time: "${s}"`)
  return d
}

/** `secret[@notAfter] …` separated by spaces (first = newest). */
function secretsFromEnv (v: string, name: string): WebhookSecret[] {
  return v.split(/\s+/).filter(Boolean).map(s => {
    const [secret, notAfter] = s.split('@')
    return { secret, notAfter: parseTime(notAfter, `${name} not-after`) }
  })
}

/** The secrets configured for a vendor: its environment variable wins over the file. */
function configuredSecrets (env: Env, file: FileWebhooks | undefined, vendor: string): WebhookSecret[] {
  const name = secretsVariable(vendor)
  if (env[name]) return secretsFromEnv(env[name], name)
  return (file?.[vendor] ?? []).map(s => ({ secret: s.secret, notBefore: parseTime(s.notBefore, `${vendor} notBefore`), notAfter: parseTime(s.notAfter, `${vendor} notAfter`) }))
}

/** The vendors named by RECON_POS_VENDORS (`a,b`) or the file's `posVendors`; undefined when neither is set. */
function listedVendors (env: Env, file: string[] | undefined, registered: readonly PosConnector[]): PosConnector[] | undefined {
  const ids = env.RECON_POS_VENDORS ? env.RECON_POS_VENDORS.split(',').map(s => s.trim()).filter(Boolean) : file
  if (ids === undefined) return undefined
  const unknown = ids.filter(id => !registered.some(c => c.id === id))
  if (unknown.length) throw new ConfigError(`${env.RECON_POS_VENDORS ? 'RECON_POS_VENDORS' : 'posVendors'}: unknown POS vendor ${unknown.map(u => `"${u}"`).join(', ')} (registered: ${registered.map(c => c.id).join(', ')})`)
  return registered.filter(c => ids.includes(c.id))
}

export interface VendorSecrets {
  /** The vendors whose webhooks are taken, in registry order. */
  enabled: string[]
  secrets: Record<string, WebhookSecret[]>
}

/**
 * The enabled vendors and their secrets. `production` refuses a listed vendor without a secret, naming
 * every variable to set at once; elsewhere `generated(vendors)` supplies the missing ones.
 */
export function vendorSecrets (env: Env, production: boolean, file: { posVendors?: string[], webhooks?: FileWebhooks }, registered: readonly PosConnector[], generated: (missing: PosConnector[]) => Record<string, string>): VendorSecrets {
  const configured = new Map(registered.map(c => [c.id, configuredSecrets(env, file.webhooks, c.id)]))
  const listed = listedVendors(env, file.posVendors, registered)
  const enabled = listed ?? (production ? registered.filter(c => configured.get(c.id)!.length > 0) : [...registered])
  const missing = enabled.filter(c => configured.get(c.id)!.length === 0)
  if (production && missing.length) {
    throw new ConfigError(`webhook secrets are required in production for every enabled POS vendor: set ${missing.map(c => `${secretsVariable(c.id)} (or webhooks.${c.id} in RECON_CONFIG)`).join(', ')}, or leave the vendor out of RECON_POS_VENDORS`)
  }
  const made = missing.length ? generated(missing) : {}
  return {
    enabled: enabled.map(c => c.id),
    secrets: Object.fromEntries(enabled.map(c => [c.id, configured.get(c.id)!.length ? configured.get(c.id)! : [{ secret: made[c.id] }]]))
  }
}

/** A fresh secret in the vendor's format. */
function newSecret (c: PosConnector): string {
  return c.secretFormat === 'standard-webhooks' ? `whsec_${randomBytes(24).toString('base64')}` : randomBytes(24).toString('base64url')
}

export interface DevSecrets { apiKeys: Array<{ role: string, key: string }>, webhooks: Record<string, string>, pii: string }

/** Development secrets, read or made on first use only, so a configuration that sets all its own writes no file. */
export function lazyDevSecrets (dataDir: string): { values: (vendors?: readonly PosConnector[]) => DevSecrets, file: () => string | null } {
  let made: { file: string, values: DevSecrets } | null = null
  return { values: (vendors = []) => (made ??= devSecrets(dataDir, vendors)).values, file: () => made?.file ?? null }
}

/** Development secrets, made once and kept (0600); a vendor enabled since then gets its own added. */
function devSecrets (dataDir: string, vendors: readonly PosConnector[]): { file: string, values: DevSecrets } {
  const file = join(dataDir, 'dev-secrets.json')
  const fresh = !existsSync(file)
  const values: DevSecrets = fresh
    ? { apiKeys: (['finance', 'pos_vendor', 'owner'] as const).map(role => ({ role, key: `${role}_${randomBytes(18).toString('base64url')}` })), webhooks: {}, pii: randomBytes(32).toString('base64') }
    : JSON.parse(readFileSync(file, 'utf8'))
  const missing = vendors.filter(c => !values.webhooks[c.id])
  for (const c of missing) values.webhooks[c.id] = newSecret(c)
  if (fresh || missing.length) {
    mkdirSync(dataDir, { recursive: true })
    writeFileSync(file, JSON.stringify(values, null, 2) + '\n', { mode: 0o600 })
  }
  return { file, values }
}
