// The language of a page: the `lang` cookie (set by the switch on every page), else the browser's
// Accept-Language, else Traditional Chinese (Hong Kong). Every label comes from a catalogue; money
// is always HK$1,234.50 and times are HKT, whatever the language.
import type { FastifyRequest } from 'fastify'
import { formatHkd } from '../../connectors/_shared/money.ts'
import { formatHkt } from '../../connectors/_shared/time.ts'
import { cookie } from '../plugins/auth.ts'
import { SHARED_TENDER_METHODS, type ProviderDescriptor } from '../../connectors/contract.ts'
import { en, type MessageKey } from './messages/en.ts'
import { zhHK } from './messages/zh-HK.ts'

export const LANGS = ['zh-HK', 'en'] as const
export type Lang = typeof LANGS[number]
export const LANG_COOKIE = 'lang'

const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { en, 'zh-HK': zhHK }

export function langOf (req: FastifyRequest): Lang {
  const chosen = cookie(req, LANG_COOKIE)
  if (chosen === 'en' || chosen === 'zh-HK') return chosen
  const accept = String(req.headers['accept-language'] ?? '').toLowerCase()
  if (accept.startsWith('en')) return 'en'
  return 'zh-HK'
}

export type Translate = ((key: MessageKey, params?: Record<string, string | number>) => string) & {
  /** A registered provider's name (by its id or a tender method it settles) in this language. */
  provider: (idOrMethod: string) => string | undefined
}

// Providers are data (connectors/contract.ts): their names come from their descriptors, registered
// when the app is built, not from the catalogues.
const providerNames = new Map<string, ProviderDescriptor['names']>()

export function registerProviderNames (providers: Iterable<ProviderDescriptor>): void {
  for (const d of providers) {
    providerNames.set(d.id, d.names)
    // a method several providers settle (card, fps) keeps its own name
    for (const m of d.tenderMethods) if (!SHARED_TENDER_METHODS.includes(m)) providerNames.set(m, d.names)
  }
}

export function translator (lang: Lang): Translate {
  const cat = CATALOGUES[lang]
  const t = (key: MessageKey, params?: Record<string, string | number>): string => {
    const text = cat[key]
    return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => name in params ? String(params[name]) : m) : text
  }
  return Object.assign(t, { provider: (id: string) => providerNames.get(id)?.[lang] })
}

/** A label for a value from a known set (a code, a status, a tender method or provider), or the value itself when unknown. */
export function label (t: Translate, prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey
  if (key in en) return t(key)
  return (prefix === 'method' ? t.provider(value) : undefined) ?? value
}

/**
 * Who did something, as a person reads it: "amy" for user:amy, "API key (Finance)" for key:finance,
 * "DingTalk approval" for dingtalk:<instance>, "Till (loyverse)" for pos:loyverse; anything else as it is.
 */
export function actorName (t: Translate, actor: string | null | undefined): string {
  if (!actor) return '—'
  const [kind, rest] = [actor.slice(0, actor.indexOf(':')), actor.slice(actor.indexOf(':') + 1)]
  if (kind === 'user') return rest
  if (kind === 'key') return t('actor.key', { role: label(t, 'role', rest) })
  if (kind === 'dingtalk') return t('actor.dingtalk')
  if (kind === 'pos') return t('actor.pos', { vendor: rest.split(/[#:]/)[0] })
  return actor
}

export const money = (cents: number | null | undefined): string => cents === null || cents === undefined ? '—' : formatHkd(cents)
/** HKT wall time to the minute. */
/** An instant as Hong Kong time, labelled: "2026-11-21 10:00 HKT". */
export const hkt = (at: Date | string | null | undefined): string => at ? `${formatHkt(new Date(at)).slice(0, 16)} HKT` : '—'
