// Files that did not come: each provider's file of a trade day is due a number of HK business days
// later by a time of day (HKT), as its descriptor says (AlipayHK by 10:00 on T+1). A store that took
// a provider's tender on a day expects its file; a reader whose till took Octopus expects its upload.
// Past due and still missing, the file is late.
import { hktWallToInstant } from '../connectors/_shared/time.ts'
import { addBusinessDays } from './calendar.ts'
import type { Provider } from './types.ts'

/** When a provider's file of a trade day is due: `days` HK business days later, by `at` (HH:MM, HKT). */
export interface FileDue { days: number, at: string }

/** A file a store expects: its provider's file of the day, or (with a till) its reader's upload. */
export interface ExpectedFile { date: string, provider: Provider, storeId: string, terminalId: string | null }
export interface LateFile extends ExpectedFile { dueAt: Date }

export function dueAt (date: string, due: FileDue, holidays: ReadonlySet<string>): Date {
  const [y, m, d] = addBusinessDays(date, due.days, holidays).split('-').map(Number)
  const [hh, mm] = due.at.split(':').map(Number)
  return hktWallToInstant(y, m, d, hh, mm)
}

/**
 * The expected files past due that have not come: a provider's file is here when any record of its
 * for the day is (`arrived`: `date|provider`); a reader's upload when the reconciler no longer waits
 * for it (the caller lists only readers still awaited).
 */
export function lateFiles (expected: readonly ExpectedFile[], arrived: ReadonlySet<string>, dues: Readonly<Record<Provider, FileDue | undefined>>, now: Date, holidays: ReadonlySet<string>): LateFile[] {
  const out: LateFile[] = []
  const seen = new Set<string>()
  for (const e of expected) {
    const due = dues[e.provider]
    if (!due) continue
    const at = dueAt(e.date, due, holidays)
    const k = `${e.date}|${e.provider}|${e.storeId}|${e.terminalId ?? ''}`
    if (now < at || seen.has(k)) continue
    // a reader's upload is late only once its provider's file is here: before, the file itself is
    if ((e.terminalId === null) === arrived.has(`${e.date}|${e.provider}`)) continue
    seen.add(k)
    out.push({ ...e, dueAt: at })
  }
  return out.sort((a, b) => a.date < b.date ? -1 : a.date > b.date ? 1 : a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : (a.terminalId ?? '') < (b.terminalId ?? '') ? -1 : 1)
}
