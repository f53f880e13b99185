// Typed reads out of parsed JSON payloads that collect every problem with its path
// ("data.lines[1].qty: must be a positive number") instead of stopping at the first.
import type { LineIssue } from '../contract.ts'
import { MoneyFormatError, parseMinor, type Minor } from './money.ts'
import { parseProviderTime, TimeFormatError } from './time.ts'

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

export class JsonReader {
  readonly issues: LineIssue[] = []
  readonly line: number

  constructor (line = 0) {
    this.line = line
  }

  fail (path: string, message: string): void {
    this.issues.push({ line: this.line, column: path, message })
  }

  object (v: Json | undefined, path: string): JsonObject | null {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v
    this.fail(path, 'must be an object')
    return null
  }

  array (v: Json | undefined, path: string, required = true): Json[] {
    if (Array.isArray(v)) return v
    if (v === undefined || v === null) { if (required) this.fail(path, 'is required'); return [] }
    this.fail(path, 'must be an array')
    return []
  }

  string (v: Json | undefined, path: string, opts: { required?: boolean, max?: number } = {}): string | null {
    const { required = true, max = 200 } = opts
    if (v === undefined || v === null || v === '') { if (required) this.fail(path, 'is required'); return null }
    if (typeof v === 'number' && Number.isSafeInteger(v)) v = String(v) // ids sent as numbers (Shopify)
    if (typeof v !== 'string') { this.fail(path, 'must be a string'); return null }
    const s = v.trim()
    if (s.length > max) { this.fail(path, `is longer than ${max} characters`); return null }
    return s
  }

  money (v: Json | undefined, path: string, opts: { required?: boolean, allowNegative?: boolean } = {}): Minor | null {
    const { required = true, allowNegative = false } = opts
    if (v === undefined || v === null || v === '') { if (required) this.fail(path, 'is required'); return null }
    if (typeof v !== 'string' && typeof v !== 'number') { this.fail(path, 'must be a decimal amount'); return null }
    try {
      const m = parseMinor(v)
      if (m < 0 && !allowNegative) { this.fail(path, 'must not be negative'); return null }
      return m
    } catch (err) {
      if (err instanceof MoneyFormatError) { this.fail(path, err.message); return null }
      throw err
    }
  }

  /** A positive quantity with at most 3 decimals (numbers or numeric strings). */
  qty (v: Json | undefined, path: string): number | null {
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) { this.fail(path, 'must be a positive number'); return null }
    if (Math.abs(Math.round(n * 1000) - n * 1000) > 1e-6) { this.fail(path, 'has more than 3 decimals'); return null }
    if (n > 1_000_000) { this.fail(path, 'is implausibly large'); return null }
    return n
  }

  time (v: Json | undefined, path: string): Date | null {
    if (typeof v !== 'string' || v === '') { this.fail(path, 'must be a date-time (ISO-8601)'); return null }
    try {
      return parseProviderTime(v)
    } catch (err) {
      if (err instanceof TimeFormatError) { this.fail(path, err.message); return null }
      throw err
    }
  }
}
