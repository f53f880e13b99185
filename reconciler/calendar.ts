// Hong Kong business days for settlement cycles: weekends and general holidays are not business days.
// The holiday list is a default that deployments extend or replace through configuration
// (`holidays` in RECON_CONFIG); years outside it count weekends only.
import { addDays } from '../connectors/_shared/time.ts'

/**
 * General holidays 2025–2027 other than Sundays (Sundays are never business days anyway; Saturdays are
 * listed because the ordinance lists them, and settlement cycles skip Saturdays too).
 * - 2025 and 2026: the lists the Government gazetted (2026: press release of 16 May 2025, "政府公布二○二六年
 *   公眾假期", info.gov.hk/gia/general/202505/16/P2025051300354.htm).
 * - 2027: the gazette notice could not be read from here (no internet). The dates follow the schedule of
 *   the Holidays Ordinance (Cap. 149) with its substitution rules: the second day of the Lunar New Year
 *   falls on a Sunday, so the fourth day (9 Feb) is the holiday in its place; Christmas is a Saturday and
 *   26 Dec a Sunday, so the first weekday after Christmas is Monday 27 Dec. Lunar dates are from new
 *   moons computed in UTC+8 (Meeus, Astronomical Algorithms ch. 49: 6 Feb 23:56, so New Year is 6 Feb),
 *   Ching Ming from the solar longitude of 15° (5 Apr 08:20 UTC+8), Easter Sunday 28 Mar. They agree with
 *   the published third-party lists. Check them against https://www.gov.hk/en/about/abouthk/holiday/2027.htm
 *   and add or replace days through `reconciliation.holidays` in RECON_CONFIG if the gazette differs.
 * The gateway warns at start when this calendar ends within 90 days (calendarEndWarning).
 */
export const HK_HOLIDAYS_DEFAULT: readonly string[] = [
  '2025-01-01', '2025-01-29', '2025-01-30', '2025-01-31', '2025-04-04', '2025-04-18', '2025-04-19', '2025-04-21', '2025-05-01',
  '2025-05-05', '2025-05-31', '2025-07-01', '2025-10-01', '2025-10-07', '2025-10-29', '2025-12-25', '2025-12-26',
  '2026-01-01', '2026-02-17', '2026-02-18', '2026-02-19', '2026-04-03', '2026-04-04', '2026-04-06', '2026-04-07', '2026-05-01',
  '2026-05-25', '2026-06-19', '2026-07-01', '2026-09-26', '2026-10-01', '2026-10-19', '2026-12-25', '2026-12-26',
  '2027-01-01', '2027-02-06', '2027-02-08', '2027-02-09', '2027-03-26', '2027-03-27', '2027-03-29', '2027-04-05', '2027-05-01',
  '2027-05-13', '2027-06-09', '2027-07-01', '2027-09-16', '2027-10-01', '2027-10-08', '2027-12-25', '2027-12-27'
]

const WARN_DAYS = 90

/**
 * A warning when the holiday calendar ends (31 December of its last year) within 90 days of `today`:
 * past its end, settlement-due dates count weekends only, and a holiday's settlement looks late.
 */
export function calendarEndWarning (holidays: ReadonlySet<string>, today: string): string | null {
  const last = Math.max(0, ...[...holidays].map(d => Number(d.slice(0, 4))))
  if (last === 0) return 'no public holidays are configured: settlement-due dates count weekends only'
  const end = `${last}-12-31`
  const left = Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000)
  if (left > WARN_DAYS) return null
  return left < 0
    ? `the public-holiday calendar ended on ${end}: settlement-due dates now count weekends only; add the gazetted holidays to reconciliation.holidays`
    : `the public-holiday calendar ends on ${end}, in ${left} days: add next year's gazetted holidays to reconciliation.holidays`
}

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
