// Money at the edges: provider files and POS payloads carry decimal strings ("852.40 ", "+0.00", "88.0",
// "1,234.50") or JSON numbers; everything inside is integer HKD cents. decimal.js handles the general
// case; a plain "123.45" takes a string-only fast path that is exact as well (no float ever touches it).
import { Decimal } from 'decimal.js'

/** Integer minor units (HKD cents). Always a safe integer. */
export type Minor = number

export class MoneyFormatError extends Error {
  readonly value: string
  constructor (value: string, reason: string) {
    super(`${reason}: "${preview(value)}"`)
    this.name = 'MoneyFormatError'
    this.value = value
  }
}

const SIMPLE = /^([+-]?)(\d{1,15})(?:\.(\d{1,2}))?$/
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/

/** Parses a decimal amount in major units into cents. Refuses fractions of a cent and non-numbers. */
export function parseMinor (input: string | number): Minor {
  if (typeof input === 'number') return numberToMinor(input)
  const fast = plainCents(input)
  if (fast !== null) return fast
  const s = input.replace(/^[\s\t\u00a0]+|[\s\t\u00a0]+$/g, '')
  const m = SIMPLE.exec(s)
  if (m) {
    const frac = m[3] === undefined ? 0 : m[3].length === 1 ? Number(m[3]) * 10 : Number(m[3])
    const v = Number(m[2]) * 100 + frac
    if (!Number.isSafeInteger(v)) throw new MoneyFormatError(input, 'amount is too large')
    return m[1] === '-' && v !== 0 ? -v : v
  }
  return parseGeneral(input, s)
}

/** "123", "123.4", "-123.45": digits only, read char by char (most rows of a large file). */
function plainCents (s: string): Minor | null {
  const n = s.length
  if (n === 0 || n > 18) return null
  let i = 0
  let neg = false
  if (s.charCodeAt(0) === 45) { neg = true; i = 1 }
  let whole = 0
  let digits = 0
  for (; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) break
    if (c < 48 || c > 57) return null
    whole = whole * 10 + (c - 48)
    digits++
  }
  if (digits === 0) return null
  let frac = 0
  if (i < n) {
    const left = n - i - 1
    if (left < 1 || left > 2) return null
    for (let j = i + 1; j < n; j++) {
      const c = s.charCodeAt(j)
      if (c < 48 || c > 57) return null
      frac = frac * 10 + (c - 48)
    }
    if (left === 1) frac *= 10
  }
  const v = whole * 100 + frac
  if (!Number.isSafeInteger(v)) return null
  return neg && v !== 0 ? -v : v
}

function parseGeneral (input: string, trimmed: string): Minor {
  let s = trimmed
  if (s === '') throw new MoneyFormatError(input, 'amount is empty')
  let negative = false
  // Accounting style "(10.00)" is a negative amount.
  if (/^\(.*\)$/.test(s)) { negative = true; s = s.slice(1, -1).trim() }
  if (GROUPED.test(s)) s = s.replace(/,/g, '')
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(s)) throw new MoneyFormatError(input, 'not a decimal amount')
  const d = new Decimal(s).times(100)
  if (!d.isInteger()) throw new MoneyFormatError(input, 'amount has a fraction of a cent')
  const v = d.toNumber()
  if (!Number.isSafeInteger(v)) throw new MoneyFormatError(input, 'amount is too large')
  return negative ? -v : v
}

/** JSON numbers (Loyverse) are converted through their shortest decimal form, never by float multiply. */
function numberToMinor (n: number): Minor {
  if (!Number.isFinite(n)) throw new MoneyFormatError(String(n), 'not a finite amount')
  return parseGeneral(String(n), String(n))
}

/** Formats cents as a plain decimal string in major units: 12345 → "123.45", -5 → "-0.05". */
export function formatMinor (v: Minor): string {
  const sign = v < 0 ? '-' : ''
  const a = Math.abs(v)
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

/** Formats cents for people: 123450 → "HK$1,234.50". */
export function formatHkd (v: Minor): string {
  const [whole, frac] = formatMinor(Math.abs(v)).split('.')
  return `${v < 0 ? '-' : ''}HK$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`
}

/** Multiplies a unit price in cents by a quantity that may carry up to 3 decimals, rounding half up. */
export function lineAmount (unitPrice: Minor, qty: number, discount: Minor): Minor {
  // whole quantities (nearly every line) are exact in integer arithmetic
  if (Number.isInteger(qty) && Number.isSafeInteger(unitPrice * qty)) return unitPrice * qty - discount
  const gross = new Decimal(unitPrice).times(new Decimal(String(qty))).toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
  return gross.toNumber() - discount
}

function preview (s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}
