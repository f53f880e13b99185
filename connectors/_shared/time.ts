// Time, in one place. Instants are UTC `Date`s; provider and POS times without an offset are Hong Kong
// local time; the business day is the HKT calendar date of (instant − the store's cut-off), so a bar that
// trades until 03:00 can book its small hours to the day before. Dates stay 'YYYY-MM-DD' strings.
import { getTimezoneOffset } from 'date-fns-tz'

export const HK_TZ = 'Asia/Hong_Kong'
const HOUR_MS = 3_600_000

// The zone offset is looked up through date-fns-tz (the tz database), cached per UTC hour: offsets only
// change on hour boundaries, and a 1M-row file would otherwise pay for an Intl call per row.
const offsetCache = new Map<number, number>()
function hkOffsetMs (utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR_MS)
  let off = offsetCache.get(hour)
  if (off === undefined) {
    off = getTimezoneOffset(HK_TZ, new Date(hour * HOUR_MS))
    if (offsetCache.size > 100_000) offsetCache.clear()
    offsetCache.set(hour, off)
  }
  return off
}

export class TimeFormatError extends Error {
  readonly reason: string
  constructor (value: string, reason: string) {
    super(`${reason}: "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`)
    this.name = 'TimeFormatError'
    this.reason = reason
  }
}

/** The UTC instant of a Hong Kong wall-clock time. */
export function hktWallToInstant (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw new TimeFormatError(`${y}-${mo}-${d} ${h}:${mi}:${s}`, 'not a valid date/time')
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms)
  const check = new Date(wall)
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) throw new TimeFormatError(`${y}-${mo}-${d}`, 'no such calendar day')
  // First guess with the offset at the wall time, then correct once (matters only near an offset change).
  let t = wall - hkOffsetMs(wall)
  t = wall - hkOffsetMs(t)
  return new Date(t)
}

const ISO_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})$/
const YMD_HMS = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/
const MDY_HMS = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/

/**
 * Parses every timestamp form the documented files use: ISO-8601 with an offset or Z, naive
 * `yyyy-MM-dd HH:mm:ss` (also with `/` or `.`), and AlipayHK's `MM/DD/YYYY H:mm[:ss]` (published
 * unpadded, without seconds). Naive times are HKT.
 */
export function parseProviderTime (input: string): Date {
  const s = input.trim()
  let m = ISO_OFFSET.exec(s)
  if (m) {
    const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0, m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0)
    if (+m[2] < 1 || +m[2] > 12 || +m[3] < 1 || +m[3] > 31 || +m[4] > 23) throw new TimeFormatError(input, 'not a valid date/time')
    return new Date(wall - offsetMinutes(m[8]) * 60_000)
  }
  try {
    m = YMD_HMS.exec(s)
    if (m) return hktWallToInstant(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0)
    m = MDY_HMS.exec(s)
    if (m) return hktWallToInstant(+m[3], +m[1], +m[2], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0)
  } catch (err) {
    // report the value as written, not as reassembled
    if (err instanceof TimeFormatError) throw new TimeFormatError(input, err.reason)
    throw err
  }
  throw new TimeFormatError(input, 'not a recognised date/time')
}

function offsetMinutes (z: string): number {
  if (z === 'Z') return 0
  const sign = z[0] === '-' ? -1 : 1
  const digits = z.slice(1).replace(':', '')
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
}

/** Parses a calendar date ('2026-11-21', '2026/11/21', '11/21/2026', or a date-time, taking its HKT date). */
export function parseProviderDate (input: string): string {
  const s = input.trim()
  const ymd = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(s)
  if (ymd) return validDate(+ymd[1], +ymd[2], +ymd[3], input)
  const mdy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s)
  if (mdy) return validDate(+mdy[3], +mdy[1], +mdy[2], input)
  return hktDate(parseProviderTime(s))
}

function validDate (y: number, mo: number, d: number, input: string): string {
  const t = new Date(Date.UTC(y, mo - 1, d))
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) throw new TimeFormatError(input, 'no such calendar day')
  return isoDay(t.getTime())
}

function isoDay (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** The HKT calendar date of an instant. */
export function hktDate (instant: Date): string {
  const t = instant.getTime()
  return isoDay(t + hkOffsetMs(t))
}

/**
 * The business day an instant belongs to for a store whose trading day ends `cutoffMinutes` after
 * midnight HKT (0 = midnight; 240 = sales until 04:00 count to the day before).
 */
export function businessDate (instant: Date, cutoffMinutes = 0): string {
  return hktDate(new Date(instant.getTime() - cutoffMinutes * 60_000))
}

/** Formats an instant as HKT wall time 'YYYY-MM-DD HH:mm:ss' (for files we write and for people). */
export function formatHkt (instant: Date): string {
  const t = instant.getTime()
  return new Date(t + hkOffsetMs(t)).toISOString().slice(0, 19).replace('T', ' ')
}

/** Adds whole days to a 'YYYY-MM-DD' date. */
export function addDays (day: string, n: number): string {
  return isoDay(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000)
}

const TOKENS: Record<string, string> = { yyyy: '(\\d{4})', MM: '(\\d{2})', M: '(\\d{1,2})', dd: '(\\d{2})', d: '(\\d{1,2})', HH: '(\\d{2})', H: '(\\d{1,2})', mm: '(\\d{2})', ss: '(\\d{2})' }
const TOKEN_RE = /yyyy|MM|M|dd|d|HH|H|mm|ss/g

/**
 * Compiles a mapping profile's time format ('yyyy-MM-dd HH:mm:ss', 'dd/MM/yyyy H:mm', …) into a parser
 * of naive HKT wall times. 'auto' accepts every form parseProviderTime does.
 */
export function compileTimeFormat (format: string): (input: string) => Date {
  if (format === 'auto') return parseProviderTime
  const order: string[] = []
  const source = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(TOKEN_RE, t => { order.push(t[0]); return TOKENS[t] })
  const re = new RegExp(`^${source}$`)
  return (input: string) => {
    const m = re.exec(input.trim())
    if (!m) throw new TimeFormatError(input, `does not match the format ${format}`)
    const part: Record<string, number> = { y: 0, M: 1, d: 1, H: 0, m: 0, s: 0 }
    order.forEach((k, i) => { part[k] = Number(m[i + 1]) })
    try {
      return hktWallToInstant(part.y, part.M, part.d, part.H, part.m, part.s)
    } catch (err) {
      if (err instanceof TimeFormatError) throw new TimeFormatError(input, err.reason)
      throw err
    }
  }
}

/** Like compileTimeFormat, for calendar dates: returns 'YYYY-MM-DD'. */
export function compileDateFormat (format: string): (input: string) => string {
  if (format === 'auto') return parseProviderDate
  const parse = compileTimeFormat(format)
  return (input: string) => hktDate(parse(input))
}
