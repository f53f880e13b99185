// Pass 2: tenders without a reference against records no tender's reference explains, by store,
// reader and direction; identical amounts by global assignment (assign.ts), then amounts within the
// rounding tolerance, closest first. Each pairing is then weighed (confidence.ts): one below the
// settings' `reviewBelow` is only proposed, for a person to confirm or reject. A pairing a person
// rejected is never made again, nor one whose card details contradict each other (a Visa tender and
// a Mastercard record, or other last four digits).
import { sameCard } from '../connectors/_shared/cards.ts'
import { assignByTime } from './assign.ts'
import { closeness, confidence, reachOf, sidesWithin, within, type Reach, type Side } from './confidence.ts'
import { directionOf } from './index-payments.ts'
import { lagBand } from './lag.ts'
import { group, tenderKey, type Matching, type TenderRef } from './match.ts'
import type { MatchAlternative, Provider, ProviderRules, ReconPayment, ReconSettings } from './types.ts'

/** Names a pairing a person reviewed: the sale's key, its tender (from 1) and the record's id. */
export const reviewKey = (saleKey: string, tenderNo: number, paymentId: string): string => `${saleKey}#${tenderNo}|${paymentId}`
const pairKey = (t: TenderRef, p: ReconPayment): string => reviewKey(t.sale.key, t.tender.tenderNo, p.id)

interface GroupRules { windowMs: number, tolerance: number, reviewBelow: number, rejected: ReadonlySet<string> }

/** Whether a tender and a record may be paired at all: not rejected by a person, not another card. */
const fits = (g: GroupRules, t: TenderRef, p: ReconPayment): boolean =>
  sameCard(t.tender.card, p.cardBrand, p.cardLast4) && (g.rejected.size === 0 || !g.rejected.has(pairKey(t, p)))

export function matchByAmountTime (m: Matching, live: readonly ReconPayment[], s: ReconSettings, deviceOf: (provider: Provider, storeId: string, terminalId: string | null) => string | null, rejected: ReadonlySet<string> = new Set()): void {
  const tenders = m.tenders.filter(t => !m.byTender.has(t) && !t.tender.reference && !t.tender.providerTxnId && !m.reversedTender.has(t))
  const free = live.filter(p => m.isFree(p) && directionOf(p) && p.paidAt !== null)
  // a free record whose reference a tender of its provider carries is not this pass's to pair
  const referenced = referencesOf(m.tenders, new Set(free.map(p => p.merchantRef).filter(r => r !== null)))
  const payments = free.filter(p => !(p.merchantRef && referenced.get(p.provider)?.has(p.merchantRef)))
  // the provider's match scope: a merchant-wide account across stores, else within the store; per
  // device, a reader is compared with its own till when the pairing is known, else within the store
  const scope = (provider: Provider): ProviderRules['matchScope'] => s.providers[provider]?.matchScope ?? 'store'
  const knownDevices = new Set<string>()
  const tenderGroup = (t: TenderRef): string => {
    const dev = scope(t.provider) === 'device' ? deviceOf(t.provider, t.sale.storeId, t.sale.terminalId) : null
    if (dev) knownDevices.add(`${t.sale.storeId}|${dev}`)
    return `${t.provider}|${t.dir}|${scope(t.provider) === 'merchant' ? '*' : t.sale.storeId}|${dev ?? '?'}`
  }
  const tenderGroups = group(tenders, tenderGroup)
  const paymentGroups = group(payments, p => {
    const store = scope(p.provider) === 'merchant' ? '*' : p.storeId ?? '*'
    const dev = p.deviceId && knownDevices.has(`${store}|${p.deviceId}`) ? p.deviceId : '?'
    return `${p.provider}|${directionOf(p)}|${store}|${dev}`
  })
  for (const [key, ts] of [...tenderGroups].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
    const ps = paymentGroups.get(key)
    if (!ps) continue
    const tolerance = s.providers[ts[0].provider]?.cashRounding ? s.roundingCents : 0
    assignGroup(m, ts, ps, { windowMs: s.windowMinutes * 60_000, tolerance, reviewBelow: s.reviewBelow ?? 0, rejected })
  }
}

/**
 * Of the references `asked` (the few the free records carry), those the tenders carry, per provider:
 * one pass over the tenders looking into a small set, where a set of every tender's reference took
 * 0.6 s to fill over a chain day's million tenders.
 */
function referencesOf (tenders: readonly TenderRef[], asked: ReadonlySet<string>): Map<Provider, Set<string>> {
  const out = new Map<Provider, Set<string>>()
  if (asked.size === 0) return out
  for (const t of tenders) {
    if (!t.tender.reference || !asked.has(t.tender.reference)) continue
    const set = out.get(t.provider)
    if (set) set.add(t.tender.reference); else out.set(t.provider, new Set([t.tender.reference]))
  }
  return out
}

type Lists = Array<[Array<{ t: number, ref: TenderRef }>, Array<{ t: number, ref: ReconPayment }>]>
type Key<T> = (x: T) => string | null

/** Tenders and records side by side per key (both sides in time order); a null key leaves one out. */
function listsBy (ts: readonly TenderRef[], ps: readonly ReconPayment[], tk: Key<TenderRef>, pk: Key<ReconPayment>): Lists {
  const byKey = group(ps, pk)
  const lists: Lists = []
  for (const [k, tl] of group(ts, tk)) {
    const pl = byKey.get(k)
    if (pl) lists.push([tl.map(t => ({ t: t.sale.occurredAt, ref: t })).sort((a, b) => a.t - b.t), pl.map(p => ({ t: p.paidAt!, ref: p })).sort((a, b) => a.t - b.t)])
  }
  return lists
}

/**
 * Card tenders are paired in tiers, so that a constraint never forces two pairs to cross (which the
 * in-order assignment cannot do): first where the scheme and last four digits agree on both sides,
 * then the scheme, then the amount alone.
 */
function tiersOf (ts: readonly TenderRef[]): Array<[Key<TenderRef>, Key<ReconPayment>]> {
  const amount: [Key<TenderRef>, Key<ReconPayment>] = [t => String(t.tender.amount), p => String(p.gross)]
  if (!ts.some(t => t.tender.card?.brand)) return [amount]
  return [
    [t => t.tender.card?.brand && t.tender.card.last4 ? `${t.tender.amount}|${t.tender.card.brand}|${t.tender.card.last4}` : null, p => p.cardBrand && p.cardLast4 ? `${p.gross}|${p.cardBrand}|${p.cardLast4}` : null],
    [t => t.tender.card?.brand ? `${t.tender.amount}|${t.tender.card.brand}` : null, p => p.cardBrand ? `${p.gross}|${p.cardBrand}` : null],
    amount
  ]
}

/**
 * One group's tenders and records without references, per amount. A first pairing under the plain
 * window gives the group's offsets; with enough of them the group's lag band (lag.ts) replaces the
 * window, so a record is never paired with a sale it came before, nor shifted along a run of equal
 * amounts to fill a gap.
 */
function assignGroup (m: Matching, ts: TenderRef[], ps: ReconPayment[], g: GroupRules): void {
  const constrained = g.rejected.size > 0 || ts.some(t => t.tender.card)
  const allowed = ([tt, pp]: Lists[number]) => constrained ? (i: number, j: number) => fits(g, tt[i].ref, pp[j].ref) : undefined
  const tiers = tiersOf(ts)
  const lists = listsBy(ts, ps, ...tiers[tiers.length - 1])
  const first = lists.map(l => assignByTime(l[0], l[1], g.windowMs, null, allowed(l)))
  const lag = lagBand(lists.flatMap(([tt, pp], k) => first[k].map(([i, j]) => pp[j].t - tt[i].t)), g.windowMs)
  const made: Array<[TenderRef, ReconPayment]> = []
  const take = (l: Lists[number], pairs: Array<[number, number]>): void => {
    for (const [i, j] of pairs) { m.pair(l[0][i].ref, l[1][j].ref, 'amount_time'); made.push([l[0][i].ref, l[1][j].ref]) }
  }
  if (!lag && tiers.length === 1) lists.forEach((l, k) => take(l, first[k]))
  else {
    for (const [tk, pk] of tiers) {
      for (const l of listsBy(ts.filter(t => !m.byTender.has(t)), ps.filter(p => m.isFree(p)), tk, pk)) take(l, assignByTime(l[0], l[1], g.windowMs, lag, allowed(l)))
    }
  }
  const reach = reachOf(lag, g.windowMs)
  if (g.tolerance > 0) made.push(...nearAmounts(m, ts, ps, reach, g))
  weigh(m, made, ts, ps, reach, g)
}

/** What is left after identical amounts: amounts within the rounding tolerance, the closest (amount, then time) first. */
function nearAmounts (m: Matching, ts: readonly TenderRef[], ps: readonly ReconPayment[], reach: Reach, g: GroupRules): Array<[TenderRef, ReconPayment]> {
  const free = ps.filter(p => m.isFree(p)).map(p => ({ ref: p, amount: p.gross, at: p.paidAt! })).sort((a, b) => a.at - b.at)
  const pairs: Array<[number, number, TenderRef, ReconPayment]> = []
  for (const t of ts) {
    if (m.byTender.has(t)) continue
    const at = t.sale.occurredAt
    for (const p of sidesWithin(free, at + reach.lo, at + reach.hi, t.tender.amount, g.tolerance)) {
      if (fits(g, t, p.ref)) pairs.push([Math.abs(p.amount - t.tender.amount), Math.abs(p.at - at - reach.center), t, p.ref])
    }
  }
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (tenderKey(a[2]) < tenderKey(b[2]) ? -1 : 1) || (a[3].id < b[3].id ? -1 : 1))
  const made: Array<[TenderRef, ReconPayment]> = []
  for (const [, , t, p] of pairs) {
    if (m.byTender.has(t) || !m.isFree(p)) continue
    m.pair(t, p, 'amount_time')
    made.push([t, p])
  }
  return made
}

/**
 * Scores each pairing the group made against its rivals: the group's unpaid tenders that could have
 * been paid by the record, and its free records that could have paid the tender. Below the threshold
 * the pairing is proposed, with its rivals as the alternatives a person chooses among.
 */
function weigh (m: Matching, made: ReadonlyArray<[TenderRef, ReconPayment]>, ts: readonly TenderRef[], ps: readonly ReconPayment[], reach: Reach, g: GroupRules): void {
  const unpaid: Array<Side<TenderRef>> = ts.filter(t => !m.byTender.has(t)).map(t => ({ ref: t, amount: t.tender.amount, at: t.sale.occurredAt })).sort((a, b) => a.at - b.at)
  const free: Array<Side<ReconPayment>> = ps.filter(p => m.isFree(p)).map(p => ({ ref: p, amount: p.gross, at: p.paidAt! })).sort((a, b) => a.at - b.at)
  for (const [t, p] of made) {
    const offset = p.paidAt! - t.sale.occurredAt
    const alternatives: MatchAlternative[] = []
    const rivals: number[] = []
    const add = (rt: TenderRef, rp: ReconPayment): void => {
      const o = rp.paidAt! - rt.sale.occurredAt
      if (!within(o, reach) || !fits(g, rt, rp)) return
      rivals.push(o)
      alternatives.push({ sale_id: rt.sale.saleId, store_id: rt.sale.storeId, tender: rt.tender.tenderNo - 1, payment_id: rp.id, provider_txn_id: rp.providerTxnId, seconds_after_sale: Math.round(o / 1000), score: Math.round(closeness(o, reach) * 1000) / 1000 })
    }
    // a sale the record could have paid lies `offset` before it, within the reach
    for (const u of sidesWithin(unpaid, p.paidAt! - reach.hi, p.paidAt! - reach.lo, p.gross, g.tolerance)) add(u.ref, p)
    for (const f of sidesWithin(free, t.sale.occurredAt + reach.lo, t.sale.occurredAt + reach.hi, t.tender.amount, g.tolerance)) add(t, f.ref)
    const score = confidence(offset, rivals, reach)
    const pairing = m.byTender.get(t)!
    pairing.score = score
    if (score < g.reviewBelow) {
      pairing.review = 'proposed'
      pairing.alternatives = alternatives.sort((a, b) => b.score - a.score || (a.payment_id < b.payment_id ? -1 : 1)).slice(0, 5)
    }
  }
}
