// Hong Kong business days for settlement cycles: weekends and general holidays are not business days.
// The holiday list is a default that deployments extend or replace through configuration
// (`holidays` in RECON_CONFIG); years outside it count weekends only.
import { addDays } from '../connectors/_shared/time.ts'

/**
 * Weekday general holidays 2025–2026 (Sundays are never business days anyway). 2025's dates match the
 * published list; 2026's follow the same rules (a holiday on a Sunday moves to the next weekday) and
 * should be checked against the gazette when it is published.
 */
export const HK_HOLIDAYS_DEFAULT: readonly string[] = [
  '2025-01-01', '2025-01-29', '2025-01-30', '2025-01-31', '2025-04-04', '2025-04-18', '2025-04-19', '2025-04-21', '2025-05-01',
  '2025-05-05', '2025-05-31', '2025-07-01', '2025-10-01', '2025-10-07', '2025-10-29', '2025-12-25', '2025-12-26',
  '2026-01-01', '2026-02-17', '2026-02-18', '2026-02-19', '2026-04-03', '2026-04-04', '2026-04-06', '2026-04-07', '2026-05-01',
  '2026-05-25', '2026-06-19', '2026-07-01', '2026-09-26', '2026-10-01', '2026-10-19', '2026-12-25', '2026-12-26'
]

export function isBusinessDay (day: string, holidays: ReadonlySet<string>): boolean {
  const dow = new Date(`${day}T00:00:00Z`).getUTCDay()
  return dow !== 0 && dow !== 6 && !holidays.has(day)
}

/** The n-th business day after `day` (T+n settlement). */
export function addBusinessDays (day: string, n: number, holidays: ReadonlySet<string>): string {
  let d = day
  let left = n
  while (left > 0) {
    d = addDays(d, 1)
    if (isBusinessDay(d, holidays)) left--
  }
  return d
}
