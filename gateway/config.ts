// The only module that reads process.env. Everything is read and validated once at start-up into a
// frozen Config; modules receive it as an argument. Secrets (API keys, webhook secrets, the PII key)
// come from the environment or a JSON config file named by RECON_CONFIG — never from code. Outside
// production, missing secrets are generated once into <data dir>/dev-secrets.json so `npm start`
// works with no setup; in production (RECON_ENV=production) they are required.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { WebhookSecret } from '../connectors/pos.ts'
import { builtInConnectors, type ConnectorOptions } from '../connectors/index.ts'
import type { Registry } from '../connectors/registry.ts'
import type { FeeBand } from '../reconciler/types.ts'
import { defaultRecon, reconConfig, type FileReconciliation, type ReconConfig } from './config-recon.ts'
import { connectorOptions, registryFor, type FileProviders } from './config-providers.ts'
import { checkConfigShape } from './config-schema.ts'
import { ConfigError } from './config-error.ts'
import { lazyDevSecrets, vendorSecrets, type FileWebhooks } from './config-secrets.ts'
import { isScoped, parseRole, ROLES, type Role } from './auth/roles.ts'
import { forwardingConfig, type FileForwarding, type ForwardingConfig } from './config-forwarding.ts'
import type { RetentionSettings } from './retention/purge.ts'

export type { Role }
/** An API key from the configuration (a bootstrap key; integrations get keys of their own, hashed, in the database). */
export interface ConfigKey { role: Role, key: string, stores: string[] | null }

export interface StoreConfig {
  id: string
  name: string
  /** Minutes after midnight HKT when the trading day ends (0 = midnight). */
  cutoffMinutes: number
  /** Vendor store/location ids that mean this store, per connector. */
  aliases: Record<string, string[]>
}

export interface LocationConfig { id: string, name: string, kind: 'central' | 'store' | 'temporary' }

export interface Limits {
  webhookBodyBytes: number
  uploadBytes: number
  maxRecordBytes: number
  requestTimeoutMs: number
  routeTimeoutMs: number
  importTimeoutMs: number
  /** SIGTERM: how long in-flight requests and jobs get to finish before the process exits anyway. */
  shutdownTimeoutMs: number
}

export type { ReconConfig }

/** The reconciliation settings of the built-in providers with nothing configured (tests start from it). */
export const DEFAULT_RECON: ReconConfig = defaultRecon(builtInConnectors().providers.values())

export interface Config {
  env: 'development' | 'production' | 'test'
  databaseUrl: string | null
  dataDir: string
  host: string
  port: number
  apiKeys: ConfigKey[]
  /** The POS vendors whose webhooks are taken (RECON_POS_VENDORS; config-secrets.ts). */
  posVendors: string[]
  /** Each enabled vendor's secrets, newest first. */
  webhookSecrets: Record<string, WebhookSecret[]>
  piiKeys: Array<{ id: string, key: Buffer }>
  stores: StoreConfig[]
  /** Mapping profiles and whole providers the deployment adds (config-providers.ts). */
  connectors: ConnectorOptions
  limits: Limits
  recon: ReconConfig
  /** Locations beyond the stores (central warehouse, temporary stalls), registered at start. */
  locations: LocationConfig[]
  forwarding: ForwardingConfig
  /** How long personal data is kept (gateway/retention/purge.ts). */
  retention: RetentionSettings
  /** Where generated development secrets were written, if they were. */
  devSecretsFile: string | null
  /** pino level for the server's log (LOG_LEVEL). */
  logLevel: string
}

export { ConfigError }

export const DEFAULT_LIMITS: Limits = {
  webhookBodyBytes: 1024 * 1024,
  uploadBytes: 512 * 1024 * 1024,
  maxRecordBytes: 64 * 1024,
  requestTimeoutMs: 120_000,
  routeTimeoutMs: 15_000,
  importTimeoutMs: 15 * 60_000,
  shutdownTimeoutMs: 30_000
}

type Env = Record<string, string | undefined>

/**
 * Personal data is kept 90 days by default (PDPO DPP2: no longer than needed). Not less than 40: the
 * daily sweep re-runs days up to 35 days back, and a run needs the card numbers to tell two taps of one
 * amount apart.
 */
export const DEFAULT_PII_DAYS = 90
const MIN_PII_DAYS = 40

interface FileConfig {
  stores?: Record<string, { name?: string, cutoff?: string, aliases?: Record<string, string | string[]>, feeBands?: Record<string, FeeBand> }>
  reconciliation?: FileReconciliation
  webhooks?: FileWebhooks
  posVendors?: string[]
  apiKeys?: Array<{ role: string, key: string, stores?: string[] }>
  piiKeys?: Array<{ id: string, key: string }>
  providers?: FileProviders
  limits?: Partial<Limits>
  locations?: Record<string, { name?: string, kind?: string }>
  forwarding?: FileForwarding
  retention?: Partial<RetentionSettings>
}

function int (env: Env, name: string, fallback: number, min = 0): number {
  const v = env[name]
  if (v === undefined || v === '') return fallback
  if (!/^\d+$/.test(v) || Number(v) < min) throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${v}"`)
  return Number(v)
}

function cutoffMinutes (s: string | undefined, store: string): number {
  if (!s) return 0
  const m = /^(\d{1,2}):(\d{2})$/.exec(s)
  if (!m || Number(m[1]) > 11 || Number(m[2]) > 59) throw new ConfigError(`store ${store}: cutoff must be HH:mm between 00:00 and 11:59, got "${s}"`)
  return Number(m[1]) * 60 + Number(m[2])
}

/** `role:key,…`; a store manager's key names its stores: `store_manager@MK01+TST1:key`. */
function apiKeysFromEnv (v: string): Array<{ role: string, key: string, stores?: string[] }> {
  return v.split(',').filter(Boolean).map(pair => {
    const i = pair.indexOf(':')
    if (i < 0) throw new ConfigError('RECON_API_KEYS must be role:key pairs separated by commas')
    const [role, stores] = pair.slice(0, i).trim().split('@')
    return { role, key: pair.slice(i + 1).trim(), ...(stores ? { stores: stores.split('+').filter(Boolean) } : {}) }
  })
}

function readFileConfig (env: Env): { file: FileConfig, base: string } {
  const path = env.RECON_CONFIG
  if (!path) return { file: {}, base: process.cwd() }
  let file: unknown
  try {
    file = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new ConfigError(`RECON_CONFIG ${path}: ${(err as Error).message}`)
  }
  checkConfigShape(file, `RECON_CONFIG ${path}`)
  return { file: file as FileConfig, base: dirname(resolve(path)) }
}

export function loadConfig (env: Env = process.env): Config {
  const mode = env.RECON_ENV === 'production' ? 'production' : env.RECON_ENV === 'test' ? 'test' : 'development'
  const { file, base } = readFileConfig(env)
  const connectors = connectorOptions(file.providers, base)
  // the POS vendors, and the providers the configuration may name: the registry's
  const registry = registryFor(connectors)
  const vendors = [...registry.pos.values()]
  const dataDir = resolve(env.RECON_DATA_DIR || '.data')
  const stores: StoreConfig[] = Object.entries(file.stores ?? {}).map(([id, s]) => ({
    id,
    name: s.name ?? id,
    cutoffMinutes: cutoffMinutes(s.cutoff, id),
    aliases: Object.fromEntries(Object.entries(s.aliases ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]))
  }))
  let apiKeys: Array<{ role: string, key: string, stores?: string[] }> = env.RECON_API_KEYS ? apiKeysFromEnv(env.RECON_API_KEYS) : file.apiKeys ?? []
  const dev = lazyDevSecrets(dataDir)
  const pos = vendorSecrets(env, mode === 'production', file, vendors, missing => dev.values(missing).webhooks)
  let piiKeys = (env.RECON_PII_KEYS ? env.RECON_PII_KEYS.split(',').map(p => { const [id, key] = p.split(':'); return { id, key } }) : file.piiKeys ?? [])
  if (mode !== 'production') {
    if (apiKeys.length === 0) apiKeys = dev.values().apiKeys
    if (piiKeys.length === 0) piiKeys = [{ id: 'dev', key: dev.values().pii }]
  }
  if (piiKeys.length === 0) throw new ConfigError('RECON_PII_KEYS is required in production: id:base64-of-32-random-bytes')
  const keys = piiKeys.map(({ id, key }) => {
    const buf = Buffer.from(key ?? '', 'base64')
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || buf.length !== 32) throw new ConfigError(`PII key "${id}" must be id:base64 of exactly 32 bytes`)
    return { id, key: buf }
  })
  const keysChecked: ConfigKey[] = apiKeys.map(k => {
    const role = parseRole(k.role)
    if (!role) throw new ConfigError(`API key role "${k.role}" is not one of ${ROLES.join(', ')}`)
    if (k.key.length < 16) throw new ConfigError(`API key for ${k.role} is shorter than 16 characters`)
    if (isScoped(role) !== Array.isArray(k.stores)) throw new ConfigError(`API key for ${k.role}: ${isScoped(role) ? 'a store manager\'s key names its stores' : 'only a store manager\'s key names stores'}`)
    return { role, key: k.key, stores: k.stores ?? null }
  })
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    ...file.limits,
    uploadBytes: int(env, 'RECON_MAX_UPLOAD_BYTES', file.limits?.uploadBytes ?? DEFAULT_LIMITS.uploadBytes, 1),
    webhookBodyBytes: int(env, 'RECON_MAX_WEBHOOK_BYTES', file.limits?.webhookBodyBytes ?? DEFAULT_LIMITS.webhookBodyBytes, 1),
    shutdownTimeoutMs: int(env, 'RECON_SHUTDOWN_TIMEOUT_MS', file.limits?.shutdownTimeoutMs ?? DEFAULT_LIMITS.shutdownTimeoutMs, 1000)
  }
  return Object.freeze({
    // the providers the configuration may name: the registry's, with what the deployment adds
    recon: reconConfig(file.reconciliation ?? {}, file.stores ?? {}, registry.providers),
    locations: locationsConfig(file, stores),
    forwarding: forwardingConfig(file.forwarding),
    retention: retentionConfig(env, file),
    env: mode,
    databaseUrl: env.DATABASE_URL || null,
    dataDir,
    host: env.HOST || '127.0.0.1',
    port: int(env, 'PORT', 3000),
    apiKeys: keysChecked,
    posVendors: pos.enabled,
    webhookSecrets: pos.secrets,
    piiKeys: keys,
    stores,
    connectors,
    limits,
    devSecretsFile: dev.file(),
    logLevel: logLevel(env.LOG_LEVEL)
  })
}

function retentionConfig (env: Env, file: FileConfig): RetentionSettings {
  const days = int(env, 'RECON_PII_RETENTION_DAYS', file.retention?.personalDataDays ?? DEFAULT_PII_DAYS, MIN_PII_DAYS)
  if (!Number.isInteger(days) || days < MIN_PII_DAYS || days > 3650) throw new ConfigError(`retention.personalDataDays must be a whole number of days from ${MIN_PII_DAYS} to 3650, got ${days}`)
  return { personalDataDays: days }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
function logLevel (v: string | undefined): string {
  if (!v) return 'info'
  if (!LOG_LEVELS.includes(v)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${v}"`)
  return v
}

/** Every store is a location of kind store; others (a central warehouse, a pop-up stall) are listed. */
function locationsConfig (file: FileConfig, stores: StoreConfig[]): LocationConfig[] {
  const out: LocationConfig[] = stores.map(s => ({ id: s.id, name: s.name, kind: 'store' }))
  for (const [id, l] of Object.entries(file.locations ?? {})) {
    if (!['central', 'store', 'temporary'].includes(l.kind ?? '')) throw new ConfigError(`location ${id}: kind must be central, store or temporary`)
    if (out.some(o => o.id === id)) throw new ConfigError(`location ${id} is listed twice (stores are locations already)`)
    out.push({ id, name: l.name ?? id, kind: l.kind as LocationConfig['kind'] })
  }
  return out
}

/** The connectors this configuration runs with: the built-in ones, with the deployment's mapping profiles. */
export function registryOf (config: Pick<Config, 'connectors'>): Registry {
  return registryFor(config.connectors)
}

/** A store's trading-day cut-off; unknown stores end their day at midnight. */
export function storeCutoff (config: Pick<Config, 'stores'>, storeId: string | null): number {
  if (!storeId) return 0
  return config.stores.find(s => s.id === storeId)?.cutoffMinutes ?? 0
}

/** Maps a vendor's store/location id to our store id through the configured aliases. */
export function storeResolver (config: Pick<Config, 'stores'>, connector: string): (ref: string) => string {
  const map = new Map<string, string>()
  for (const s of config.stores) for (const a of s.aliases[connector] ?? []) map.set(a, s.id)
  return ref => map.get(ref) ?? ref
}
