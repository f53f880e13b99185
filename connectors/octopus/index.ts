// The Octopus settlement connector: the default profile plus any profiles the deployment adds.
import type { ProviderDescriptor } from '../contract.ts'
import type { SettlementConnector } from '../settlement.ts'
import { LayoutError, firstContentLine } from '../settlement.ts'
import { normaliseHeader } from '../_shared/fields.ts'
import { sniffDelimiter, splitHeader } from '../_shared/header.ts'
import { parseProfile, type MappingProfile } from './profile.ts'
import { profileMapper } from './mapper.ts'
import defaultProfileJson from './profiles/octopus-settlement-v1.json' with { type: 'json' }

export const DEFAULT_OCTOPUS_PROFILE: MappingProfile = parseProfile(defaultProfileJson)

export const OCTOPUS: ProviderDescriptor = {
  id: 'octopus',
  names: { en: 'Octopus', 'zh-HK': '八達通' },
  tenderMethods: ['octopus'],
  // a shop's readers report under its store; a stand-alone reader's records follow its own till
  matchScope: 'device',
  // readers upload when they are next connected: a day not yet uploaded is pending, not missing
  devicesUploadLate: true,
  // Octopus and cash round to HK$0.10: a ±5 cent difference is rounding, not a mismatch
  cashRounding: true,
  // 1.5% through KPay in the published samples
  feeBand: { min: 0.005, max: 0.025 },
  settlementDays: 1
}

export function createOctopusConnector (extraProfiles: MappingProfile[] = []): SettlementConnector {
  const profiles = new Map<string, MappingProfile>()
  for (const p of [DEFAULT_OCTOPUS_PROFILE, ...extraProfiles]) {
    if (profiles.has(p.id)) throw new Error(`Octopus mapping profile "${p.id}" is registered twice`)
    profiles.set(p.id, p)
  }
  return {
    id: OCTOPUS.id,
    kind: 'settlement',
    descriptor: OCTOPUS,
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
