// The `providers` section of RECON_CONFIG: what a deployment adds to the shipped connectors as data.
// Under a shipped provider's id it lists more mapping profiles (an acquirer's Octopus report); under a
// new id it defines a whole provider — a descriptor (connectors/contract.ts) and the profiles its
// files are read with — with no code:
//   "providers": {
//     "octopus": { "profiles": ["profiles/kpay-octopus.json"] },
//     "payme":   { "descriptor": { "names": { "en": "PayMe for Business", "zh-HK": "PayMe 商戶" }, "matchScope": "store",
//                                  "feeBand": { "min": 0.005, "max": 0.02 }, "settlementDays": 1 },
//                  "profiles": ["profiles/payme-v1.json"] }
//   }
// Profiles are file paths (relative to the configuration file) or written inline.
import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { builtInConnectors, type ConnectorOptions } from '../connectors/index.ts'
import type { ProviderDescriptor } from '../connectors/contract.ts'
import { parseProfile, type MappingProfile } from '../connectors/profile/profile.ts'
import { parseDescriptor, type Registry } from '../connectors/registry.ts'
import { ConfigError } from './config-error.ts'

export type FileProviders = Record<string, { descriptor?: unknown, profiles?: unknown[] }>

const SHIPPED = builtInConnectors().providers

function readProfile (entry: unknown, base: string, where: string): MappingProfile {
  let raw = entry
  if (typeof entry === 'string') {
    const path = isAbsolute(entry) ? entry : join(base, entry)
    try { raw = JSON.parse(readFileSync(path, 'utf8')) } catch (err) { throw new ConfigError(`${where}: ${path}: ${(err as Error).message}`) }
  }
  try { return parseProfile(raw) } catch (err) { throw new ConfigError(`${where}: ${(err as Error).message}`) }
}

/** The connector options a `providers` section asks for, each part checked and named by its path. */
export function connectorOptions (section: FileProviders | undefined, base: string): ConnectorOptions {
  const profiles: Record<string, MappingProfile[]> = {}
  const providers: ProviderDescriptor[] = []
  for (const [id, entry] of Object.entries(section ?? {})) {
    const where = `providers.${id}`
    for (const k of Object.keys(entry ?? {})) if (k !== 'descriptor' && k !== 'profiles') throw new ConfigError(`${where}.${k}: unknown key (a provider entry has "descriptor" and "profiles")`)
    if (SHIPPED.has(id) && entry.descriptor !== undefined) throw new ConfigError(`${where}.descriptor: ${id} is shipped with its own descriptor; list only its profiles`)
    if (!SHIPPED.has(id)) {
      if (entry.descriptor === undefined) throw new ConfigError(`${where}: no provider "${id}" is shipped (${[...SHIPPED.keys()].join(', ')}); a new one needs a "descriptor"`)
      try { providers.push(parseDescriptor(id, entry.descriptor)) } catch (err) { throw new ConfigError(`${where}.descriptor: ${(err as Error).message}`) }
    }
    if (entry.profiles !== undefined && !Array.isArray(entry.profiles)) throw new ConfigError(`${where}.profiles must be a list`)
    profiles[id] = (entry.profiles ?? []).map((p, i) => readProfile(p, base, `${where}.profiles[${i}]`))
  }
  return { profiles, providers }
}

/** The registry these options make, a problem with them (a provider without profiles, a method settled twice) as a ConfigError. */
export function registryFor (options: ConnectorOptions): Registry {
  try { return builtInConnectors(options) } catch (err) { throw new ConfigError(`providers: ${(err as Error).message}`) }
}
