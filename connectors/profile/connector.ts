// A settlement connector made of data: a provider's descriptor and its mapping profiles. A provider
// with layouts in code (AlipayHK) gets the deployment's profiles beside them: its own layouts are
// tried first, then the profiles.
import type { MappingProfile } from './profile.ts'
import { profileMapper } from './mapper.ts'
import type { ProviderDescriptor } from '../contract.ts'
import { LayoutError, firstContentLine, type LayoutDetection, type SettlementConnector } from '../settlement.ts'
import { normaliseHeader, stripPrefixes } from '../_shared/fields.ts'
import { sniffDelimiter, splitHeader } from '../_shared/header.ts'

const DEFAULT_LEGACY = ['big5hkscs', 'gbk'] as const

export function createProfileConnector (descriptor: ProviderDescriptor, profileList: readonly MappingProfile[], base?: SettlementConnector): SettlementConnector {
  const profiles = new Map<string, MappingProfile>()
  for (const p of profileList) {
    if (p.provider !== undefined && p.provider !== descriptor.id) throw new Error(`mapping profile "${p.id}" reads ${p.provider} files, not ${descriptor.id}`)
    if (profiles.has(p.id)) throw new Error(`mapping profile "${p.id}" is registered twice for ${descriptor.id}`)
    profiles.set(p.id, p)
  }
  if (!base && profiles.size === 0) throw new Error(`provider "${descriptor.id}" has no mapping profile (and no layouts in code)`)

  function detectProfile (lines: string[], wanted: MappingProfile | undefined): LayoutDetection | null {
    const first = firstContentLine(lines)
    if (!first) return null
    for (const p of wanted ? [wanted] : profiles.values()) {
      const delimiter = p.delimiter ?? sniffDelimiter(first.text)
      const header = stripPrefixes(splitHeader(first.text, delimiter), p.valuePrefixes)
      const names = new Set(header.map(normaliseHeader))
      if (p.headerMatch.every(h => names.has(normaliseHeader(h)))) {
        return { provider: descriptor.id, layout: p.id, fileKind: 'settlement', delimiter, headerLine: first.index + 1, header, preamble: {} }
      }
      if (wanted) throw new LayoutError(`the header does not have the columns profile ${p.id} expects (${p.headerMatch.join(', ')})`, first.index + 1)
    }
    return null
  }

  return {
    id: descriptor.id,
    kind: 'settlement',
    descriptor,
    legacyEncodings: ctx => {
      const p = ctx.profile ? profiles.get(ctx.profile) : undefined
      return p?.encodings ?? base?.legacyEncodings(ctx) ?? DEFAULT_LEGACY
    },
    detect (lines, ctx) {
      const wanted = ctx.profile ? profiles.get(ctx.profile) : undefined
      if (ctx.profile && !wanted) {
        if (base) return base.detect(lines, ctx)
        throw new LayoutError(`unknown ${descriptor.names.en} mapping profile "${ctx.profile}" (known: ${[...profiles.keys()].join(', ')})`)
      }
      if (!wanted && base) {
        const own = base.detect(lines, ctx)
        if (own) return own
      }
      return detectProfile(lines, wanted)
    },
    mapper (d, ctx) {
      const p = profiles.get(d.layout)
      if (p) return profileMapper(d, p, descriptor.id)
      if (base) return base.mapper(d, ctx)
      throw new LayoutError(`unknown ${descriptor.names.en} mapping profile "${d.layout}"`)
    }
  }
}
