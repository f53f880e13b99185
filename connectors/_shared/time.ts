// Time, in one place. Instants are UTC `Date`s; provider and POS times without an offset are Hong Kong
// local time; the business day is the HKT calendar date of (instant − the store's cut-off), so a bar that
// trades until 03:00 can book its small hours to the day before. Dates stay 'YYYY-MM-DD' strings.
// the subpath: the package root loads all of date-fns (its fp build), 2.5 s of module loading per process
import { getTimezoneOffset } from 'date-fns-tz/getTimezoneOffset'

export const HK_TZ = 'Asia/Hong_Kong'
const HOUR_MS = 3_600_000

// The zone offset is looked up through date-fns-tz (the tz database), cached per UTC hour: offsets only
// change on hour boundaries, and a 1M-row file would otherwise pay for an Intl call per row.
const offsetCache = new Map<number, number>()
let lastHour = Number.NaN
let lastOffset = 0
function hkOffsetMs (utcMs: number): number {
  const hour = Math.floor(utcMs / HOUR_MS)
  if (hour === lastHour) return lastOffset
  let off = offsetCache.get(hour)
  if (off === undefined) {
    off = getTimezoneOffset(HK_TZ, new Date(hour * HOUR_MS))
    if (offsetCache.size > 100_000) offsetCache.clear()
    offsetCache.set(hour, off)
  }
  lastHour = hour
  lastOffset = off
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

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
function daysInMonth (y: number, mo: number): number {
  return mo === 2 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0) ? 29 : DAYS_IN_MONTH[mo - 1]
}

/** The UTC instant of a Hong Kong wall-clock time. */
export function hktWallToInstant (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): Date {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw new TimeFormatError(`${y}-${mo}-${d} ${h}:${mi}:${s}`, 'not a valid date/time')
  if (d > daysInMonth(y, mo)) throw new TimeFormatError(`${y}-${mo}-${d}`, 'no such calendar day')
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms)
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
  const fast = fastWallTime(input) ?? fastIsoTime(input)
  if (fast !== null) return fast
  const s = input.trim()
  let m = ISO_OFFSET.exec(s)
  if (m) return isoWithOffset(input, m)
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

/** Reads an unsigned number of 1..maxLen digits at `i`; returns [value, next index] or null. */
function num (s: string, i: number, maxLen: number): [number, number] | null {
  let v = 0
  let j = i
  for (; j < s.length && j - i < maxLen; j++) {
    const c = s.charCodeAt(j)
    if (c < 48 || c > 57) break
    v = v * 10 + c - 48
  }
  return j === i ? null : [v, j]
}

/**
 * The two forms that fill large files, read without regular expressions: "YYYY-MM-DD HH:mm:ss" and
 * AlipayHK's "M/D/YYYY H:mm[:ss]". Anything else (or anything odd) returns null for the general parser.
 */
function fastWallTime (s: string): Date | null {
  const a = num(s, 0, 4)
  if (!a) return null
  const sep = s.charCodeAt(a[1])
  let y: number, mo: number, d: number, i: number
  if (sep === 45 && a[1] === 4) { // YYYY-MM-DD
    const m1 = num(s, a[1] + 1, 2); if (!m1 || s.charCodeAt(m1[1]) !== 45) return null
    const d1 = num(s, m1[1] + 1, 2); if (!d1) return null
    y = a[0]; mo = m1[0]; d = d1[0]; i = d1[1]
  } else if (sep === 47 && a[1] <= 2) { // M/D/YYYY
    const d1 = num(s, a[1] + 1, 2); if (!d1 || s.charCodeAt(d1[1]) !== 47) return null
    const y1 = num(s, d1[1] + 1, 4); if (!y1 || y1[1] - d1[1] !== 5) return null
    y = y1[0]; mo = a[0]; d = d1[0]; i = y1[1]
  } else return null
  if (i === s.length) return null // a date alone is the general parser's business
  if (s.charCodeAt(i) !== 32) return null
  const h = num(s, i + 1, 2); if (!h || s.charCodeAt(h[1]) !== 58) return null
  const mi = num(s, h[1] + 1, 2); if (!mi || mi[1] - h[1] !== 3) return null
  let sec = 0
  let end = mi[1]
  if (end < s.length) {
    if (s.charCodeAt(end) !== 58) return null
    const s1 = num(s, end + 1, 2); if (!s1 || s1[1] - end !== 3) return null
    sec = s1[0]; end = s1[1]
  }
  if (end !== s.length) return null
  try { return hktWallToInstant(y, mo, d, h[0], mi[0], sec) } catch { return null }
}

/** `len` digits at `i` as a number, or -1 when any is not a digit. */
function digitsAt (s: string, i: number, len: number): number {
  let v = 0
  for (let j = i; j < i + len; j++) {
    const c = s.charCodeAt(j)
    if (c < 48 || c > 57) return -1
    v = v * 10 + c - 48
  }
  return v
}

/**
 * The canonical POS events' form, "YYYY-MM-DDTHH:mm:ss[.f…](Z|±HH:MM)", read without a regular
 * expression and checked as isoWithOffset checks it. Anything else, or anything invalid, returns null
 * for the general parser (which then names what is wrong).
 */
function fastIsoTime (s: string): Date | null {
  if (s.length < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null
  const [y, mo, d, h, mi, sec] = [digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2), digitsAt(s, 11, 2), digitsAt(s, 14, 2), digitsAt(s, 17, 2)]
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || d > daysInMonth(y, mo)) return null
  let i = 19
  let ms = 0
  if (s.charCodeAt(i) === 46) { // a fraction of 1 to 9 digits
    let j = i + 1
    while (j < s.length && j - i <= 9 && digitsAt(s, j, 1) >= 0) j++
    if (j === i + 1) return null
    ms = Math.floor(Number(`0.${s.slice(i + 1, j)}`) * 1000)
    i = j
  }
  let offset = 0
  if (i === s.length - 6 && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) && s.charCodeAt(i + 3) === 58) {
    const [hh, mm] = [digitsAt(s, i + 1, 2), digitsAt(s, i + 4, 2)]
    offset = (s.charCodeAt(i) === 45 ? -1 : 1) * (hh * 60 + mm)
    if (hh < 0 || mm < 0 || mm > 59 || offset < -12 * 60 || offset > 14 * 60) return null
  } else if (i !== s.length - 1 || s.charCodeAt(i) !== 90) return null
  return new Date(Date.UTC(y, mo - 1, d, h, mi, sec, ms) - offset * 60_000)
}

/**
 * An ISO-8601 time with its offset, every field checked before Date.UTC sees it: Date.UTC rolls
 * 2026-11-31 over to 1 December and minute 99 into the next hour, so a till's impossible time would
 * otherwise be booked to another business day.
 */
function isoWithOffset (input: string, m: RegExpExecArray): Date {
  const [y, mo, d, h, mi, sec] = [+m[1], +m[2], +m[3], +m[4], +m[5], m[6] ? +m[6] : 0]
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) throw new TimeFormatError(input, 'not a valid date/time')
  if (d > daysInMonth(y, mo)) throw new TimeFormatError(input, 'no such calendar day')
  const offset = offsetMinutes(m[8])
  if (offset === null) throw new TimeFormatError(input, 'not a valid UTC offset')
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec, m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0)
  return new Date(wall - offset * 60_000)
}

/** Minutes east of UTC; null for an offset no zone has (beyond -12:00…+14:00, or minutes past 59). */
function offsetMinutes (z: string): number | null {
  if (z === 'Z') return 0
  const sign = z[0] === '-' ? -1 : 1
  const digits = z.slice(1).replace(':', '')
  const [hh, mm] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4))]
  const minutes = sign * (hh * 60 + mm)
  return mm > 59 || minutes < -12 * 60 || minutes > 14 * 60 ? null : minutes
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

// Formatting a date is costly next to everything else a 1M-row import does per row; the same few days
// recur, so their strings are cached by day number.
const dayCache = new Map<number, string>()
function isoDay (ms: number): string {
  const n = Math.floor(ms / 86_400_000)
  let s = dayCache.get(n)
  if (s === undefined) {
    s = new Date(n * 86_400_000).toISOString().slice(0, 10)
    if (dayCache.size > 10_000) dayCache.clear()
    dayCache.set(n, s)
  }
  return s
}

const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'))

/**
 * An instant as ISO-8601 UTC ('2026-11-20T04:01:09Z', with .mmm only when there are milliseconds).
 * Date#toISOString was a tenth of a 1M-row import; this reuses the cached day strings.
 */
export function isoInstant (d: Date): string {
  const ms = d.getTime()
  const inDay = ((ms % 86_400_000) + 86_400_000) % 86_400_000
  const sec = Math.floor(inDay / 1000)
  const milli = inDay % 1000
  return `${isoDay(ms - inDay)}T${TWO[Math.floor(sec / 3600)]}:${TWO[Math.floor(sec / 60) % 60]}:${TWO[sec % 60]}${milli ? `.${String(milli).padStart(3, '0')}` : ''}Z`
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

/** The instant of a wall-clock time in `zone` (HKT through the cached path; other zones are rare). */
export function wallToInstant (zone: string, y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date {
  if (zone === HK_TZ) return hktWallToInstant(y, mo, d, h, mi, s)
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw new TimeFormatError(`${y}-${mo}-${d} ${h}:${mi}:${s}`, 'not a valid date/time')
  if (d > daysInMonth(y, mo)) throw new TimeFormatError(`${y}-${mo}-${d}`, 'no such calendar day')
  const wall = Date.UTC(y, mo - 1, d, h, mi, s)
  if (zone === 'UTC') return new Date(wall)
  const t = wall - getTimezoneOffset(zone, new Date(wall))
  return new Date(wall - getTimezoneOffset(zone, new Date(t)))
}

// A date cell of an Excel workbook arrives as its wall time written this way (xlsx.ts), whatever the
// profile's format for the CSV export: unambiguous, so always accepted beside the format.
const ISO_WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/
const ISO_ORDER = ['y', 'M', 'd', 'H', 'm', 's'] as const

/**
 * Compiles a mapping profile's time format ('yyyy-MM-dd HH:mm:ss', 'dd/MM/yyyy H:mm', …) into a parser
 * of naive wall times in `zone` (HKT by default). 'auto' accepts every form parseProviderTime does.
 */
export function compileTimeFormat (format: string, zone = HK_TZ): (input: string) => Date {
  if (format === 'auto') return parseProviderTime
  const order: string[] = []
  const source = format.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(TOKEN_RE, t => { order.push(t[0]); return TOKENS[t] })
  const re = new RegExp(`^${source}$`)
  return (input: string) => {
    const m = re.exec(input.trim())
    const iso = m ? null : ISO_WALL.exec(input.trim())
    if (!m && !iso) throw new TimeFormatError(input, `does not match the format ${format}`)
    const part: Record<string, number> = { y: 0, M: 1, d: 1, H: 0, m: 0, s: 0 }
    if (m) order.forEach((k, i) => { part[k] = Number(m[i + 1]) })
    else ISO_ORDER.forEach((k, i) => { part[k] = Number(iso![i + 1] ?? 0) })
    try {
      return wallToInstant(zone, part.y, part.M, part.d, part.H, part.m, part.s)
    } catch (err) {
      if (err instanceof TimeFormatError) throw new TimeFormatError(input, err.reason)
      throw err
    }
  }
}

/** Like compileTimeFormat, for calendar dates: returns 'YYYY-MM-DD' (the date as written). */
export function compileDateFormat (format: string): (input: string) => string {
  if (format === 'auto') return parseProviderDate
  // read as a UTC wall time, so the date is the one written, whatever zone the file's times are in
  const parse = compileTimeFormat(format, 'UTC')
  return (input: string) => isoDay(parse(input).getTime())
}
