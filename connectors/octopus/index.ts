// The Octopus settlement connector: the default profile plus any profiles the deployment adds.
import type { SettlementConnector } from '../settlement.ts'
import { LayoutError, firstContentLine } from '../settlement.ts'
import { normaliseHeader } from '../_shared/fields.ts'
import { sniffDelimiter, splitHeader } from '../_shared/header.ts'
import { parseProfile, type MappingProfile } from './profile.ts'
import { profileMapper } from './mapper.ts'
import defaultProfileJson from './profiles/octopus-settlement-v1.json' with { type: 'json' }

export const DEFAULT_OCTOPUS_PROFILE: MappingProfile = parseProfile(defaultProfileJson)

export function createOctopusConnector (extraProfiles: MappingProfile[] = []): SettlementConnector {
  const profiles = new Map<string, MappingProfile>()
  for (const p of [DEFAULT_OCTOPUS_PROFILE, ...extraProfiles]) {
    if (profiles.has(p.id)) throw new Error(`Octopus mapping profile "${p.id}" is registered twice`)
    profiles.set(p.id, p)
  }
  return {
    id: 'octopus',
    kind: 'settlement',
    // HK legacy files are Big5-HKSCS far more often than GBK.
    legacyEncodings: ctx => (ctx.profile ? profiles.get(ctx.profile)?.encodings : undefined) ?? ['big5hkscs', 'gbk'],
    detect (lines, ctx) {
      const first = firstContentLine(lines)
      if (!first) return null
      const wanted = ctx.profile ? profiles.get(ctx.profile) : undefined
      if (ctx.profile && !wanted) throw new LayoutError(`unknown Octopus mapping profile "${ctx.profile}" (known: ${[...profiles.keys()].join(', ')})`)
      for (const p of wanted ? [wanted] : profiles.values()) {
        const delimiter = p.delimiter ?? sniffDelimiter(first.text)
        const header = splitHeader(first.text, delimiter)
        const names = new Set(header.map(normaliseHeader))
        if (p.headerMatch.every(h => names.has(normaliseHeader(h)))) {
          return { provider: 'octopus', layout: p.id, fileKind: 'settlement', delimiter, headerLine: first.index + 1, header, preamble: {} }
        }
        if (wanted) throw new LayoutError(`the header does not have the columns profile ${p.id} expects (${p.headerMatch.join(', ')})`, first.index + 1)
      }
      return null
    },
    mapper (d) {
      const p = profiles.get(d.layout)
      if (!p) throw new LayoutError(`unknown Octopus mapping profile "${d.layout}"`)
      return profileMapper(d, p)
    }
  }
}
