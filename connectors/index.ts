// Every connector the gateway ships, in one explicit list, with what a deployment adds as data: more
// mapping profiles for a provider, and whole providers (a descriptor and its profiles) that need no code.
import type { ProviderDescriptor } from './contract.ts'
import type { MappingProfile } from './profile/profile.ts'
import type { SettlementConnector } from './settlement.ts'
import { createProfileConnector } from './profile/connector.ts'
import { createRegistry, type Registry } from './registry.ts'
import { posCanonical } from './pos-canonical/index.ts'
import { loyverse } from './loyverse/index.ts'
import { shopifyPos } from './shopify-pos/index.ts'
import { alipayhk } from './alipayhk/index.ts'
import { createOctopusConnector, OCTOPUS } from './octopus/index.ts'
import { wechatpay } from './wechatpay/index.ts'
import { adyen } from './adyen/index.ts'
import { stripe } from './stripe/index.ts'
import { WALLETS, walletConnectors } from './wallets.ts'

export interface ConnectorOptions {
  /** Mapping profiles per provider id, beside the provider's own layouts. */
  profiles?: Record<string, readonly MappingProfile[]>
  /** Providers defined as data only: each reads its files through its profiles. */
  providers?: readonly ProviderDescriptor[]
}

export function builtInConnectors (o: ConnectorOptions = {}): Registry {
  const profiles = o.profiles ?? {}
  const own = new Set([alipayhk.id, OCTOPUS.id, wechatpay.id, adyen.id, stripe.id, ...WALLETS.map(w => w.descriptor.id), ...(o.providers ?? []).map(d => d.id)])
  const stray = Object.keys(profiles).filter(id => !own.has(id))
  if (stray.length) throw new Error(`mapping profiles for unknown provider(s) ${stray.join(', ')}`)
  const alipay = withProfiles(alipayhk, profiles)
  return createRegistry([
    posCanonical, loyverse, shopifyPos, alipay, createOctopusConnector(profiles[OCTOPUS.id]), withProfiles(wechatpay, profiles), withProfiles(adyen, profiles), withProfiles(stripe, profiles), ...walletConnectors(profiles),
    ...(o.providers ?? []).map(d => createProfileConnector(d, profiles[d.id] ?? []))
  ])
}

/** A provider with layouts in code, with the deployment's mapping profiles beside them. */
function withProfiles (c: SettlementConnector, profiles: Record<string, readonly MappingProfile[]>): SettlementConnector {
  return profiles[c.id]?.length ? createProfileConnector(c.descriptor, profiles[c.id], c) : c
}
