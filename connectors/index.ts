// Every connector the gateway ships, in one explicit list.
import type { MappingProfile } from './octopus/profile.ts'
import { createRegistry, type Registry } from './registry.ts'
import { posCanonical } from './pos-canonical/index.ts'
import { loyverse } from './loyverse/index.ts'
import { shopifyPos } from './shopify-pos/index.ts'
import { alipayhk } from './alipayhk/index.ts'
import { createOctopusConnector } from './octopus/index.ts'

export function builtInConnectors (octopusProfiles: MappingProfile[] = []): Registry {
  return createRegistry([posCanonical, loyverse, shopifyPos, alipayhk, createOctopusConnector(octopusProfiles)])
}
