// Candidates for a hand-made link: the provider records that could pay a tender no record was found
// for (or the tenders an unexplained record could pay), best first. Pure; the score says how close
// amount and time are, so a person can judge at a glance.
import type { Minor, Provider } from './types.ts'

export interface Side { id: string, provider: Provider, amount: Minor, at: number | null, reference: string | null }
export interface Candidate { id: string, score: number, amount_diff: Minor, minutes_apart: number | null, same_reference: boolean }

/** 1 for the same reference, or the same amount at the same moment; falls with the difference in amount and time. */
export function linkScore (a: Side, b: Side, windowMinutes: number): Candidate {
  const sameRef = a.reference !== null && a.reference === b.reference
  const diff = b.amount - a.amount
  const amountScore = diff === 0 ? 1 : Math.max(0, 1 - Math.abs(diff) / Math.max(1, Math.abs(a.amount)))
  const minutes = a.at !== null && b.at !== null ? Math.abs(a.at - b.at) / 60_000 : null
  // six windows apart scores nothing for time; an unknown time counts half
  const timeScore = minutes === null ? 0.5 : Math.max(0, 1 - minutes / (6 * windowMinutes))
  const score = sameRef ? 1 : Math.round((0.6 * amountScore + 0.4 * timeScore) * 1000) / 1000
  return { id: b.id, score, amount_diff: diff, minutes_apart: minutes === null ? null : Math.round(minutes * 10) / 10, same_reference: sameRef }
}

/** The `others` of the same provider, scored against `target`, best first (ties by id, so the order is stable). */
export function rankCandidates (target: Side, others: readonly Side[], windowMinutes: number, limit = 10): Candidate[] {
  return others.filter(o => o.provider === target.provider && Math.sign(o.amount) === Math.sign(target.amount))
    .map(o => linkScore(target, o, windowMinutes))
    .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
    .slice(0, limit)
}
