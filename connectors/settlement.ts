// The settlement-file side of the connector contract. A file connector recognises its layouts from the
// first lines of decoded text and maps each data row to a PaymentRecord with a pure RowMapper; reading
// bytes, decoding and splitting records is shared (_shared/settlement-reader.ts).
import type { BatchTotal, FileKind, LineIssue, PaymentRecord, Provider, ProviderDescriptor } from './contract.ts'
import type { TextEncodingName } from './_shared/text.ts'
import { field } from './_shared/fields.ts'
import { parseMinor, MoneyFormatError, type Minor } from './_shared/money.ts'
import { parseProviderDate, parseProviderTime, TimeFormatError } from './_shared/time.ts'

export interface LayoutDetection {
  provider: Provider
  /** e.g. 'A', 'B', 'B-batch', 'C', 'F', or an Octopus profile id. */
  layout: string
  fileKind: FileKind
  delimiter: string
  /** 1-based line holding the column names. */
  headerLine: number
  header: string[]
  /** Key/value pairs of a record line above the header (layout C's `Partner:…|Total_count:N`). */
  preamble: Record<string, string>
}

export interface DetectContext {
  filename: string | null
  /** An explicit mapping profile id (Octopus) chosen by the user. */
  profile?: string
}

export type RowResult =
  | { kind: 'record', record: PaymentRecord }
  | { kind: 'batch', batch: BatchTotal }
  | { kind: 'issues', issues: LineIssue[] }
  | { kind: 'skip' }
  | { kind: 'end' }

/** Maps the data rows of one file. Stateful only for control totals. */
export interface RowMapper {
  row (fields: string[], line: number): RowResult
  /** File-level checks after the last row (row counts, trailer and batch totals). */
  finish (): LineIssue[]
  /** Control figures kept with the import (counts and totals as read). */
  controls (): Record<string, unknown>
  /** The file kind, when only the rows could tell (a transaction file has no settlement amounts). */
  fileKind? (): FileKind
}

export interface SettlementConnector {
  readonly id: Provider
  readonly kind: 'settlement'
  /** The provider this connector reads, as data (contract.ts). */
  readonly descriptor: ProviderDescriptor
  /** Encodings tried, in order, when a file is not UTF-8 (a mapping profile may name its own). */
  legacyEncodings (ctx: DetectContext): readonly TextEncodingName[]
  /** Recognises one of this provider's layouts from the first lines, or returns null. */
  detect (lines: string[], ctx: DetectContext): LayoutDetection | null
  mapper (detection: LayoutDetection, ctx: DetectContext): RowMapper
}

/** A file we recognised but cannot take, with the reason. */
export class LayoutError extends Error {
  readonly line: number
  constructor (message: string, line = 0) {
    super(message)
    this.name = 'LayoutError'
    this.line = line
  }
}

/**
 * Reads typed values out of one row, collecting an issue per bad field instead of stopping at the
 * first, so a refused file lists every problem on the line. One instance is reused for all rows.
 */
export class FieldReader {
  fields: string[] = []
  line = 0
  issues: LineIssue[] = []
  readonly #names: string[]
  // per column, the last time text parsed and its value: settlement times repeat on every row and
  // payment times within the same minute, so this skips most parses of a large file
  readonly #lastTimeText: string[] = []
  readonly #lastTime: Date[] = []

  constructor (header: string[]) {
    this.#names = header
  }

  reset (fields: string[], line: number): void {
    this.fields = fields
    this.line = line
    if (this.issues.length) this.issues = []
  }

  fail (message: string, index = -1): void {
    this.issues.push(index >= 0 ? { line: this.line, column: this.#names[index], message } : { line: this.line, message })
  }

  text (index: number): string {
    return field(this.fields, index)
  }

  money (index: number, required = true): Minor | null {
    const v = field(this.fields, index)
    if (v === '') {
      if (required) this.fail(index < 0 ? 'amount column missing' : 'amount is empty', index)
      return null
    }
    try {
      return parseMinor(v)
    } catch (err) {
      if (err instanceof MoneyFormatError) { this.fail(err.message, index); return null }
      throw err
    }
  }

  time (index: number, required = true): Date | null {
    const v = field(this.fields, index)
    if (v === '') {
      if (required) this.fail('date/time is empty', index)
      return null
    }
    if (this.#lastTimeText[index] === v) return this.#lastTime[index]
    try {
      const t = parseProviderTime(v)
      this.#lastTimeText[index] = v
      this.#lastTime[index] = t
      return t
    } catch (err) {
      if (err instanceof TimeFormatError) { this.fail(err.message, index); return null }
      throw err
    }
  }

  date (index: number, required = true): string | null {
    const v = field(this.fields, index)
    if (v === '') {
      if (required) this.fail('date is empty', index)
      return null
    }
    try {
      return parseProviderDate(v)
    } catch (err) {
      if (err instanceof TimeFormatError) { this.fail(err.message, index); return null }
      throw err
    }
  }
}

/** Splits the first lines of a file: the first non-blank line and its line number. */
export function firstContentLine (lines: string[], from = 0): { index: number, text: string } | null {
  for (let i = from; i < lines.length; i++) {
    if (lines[i].trim() !== '') return { index: i, text: lines[i] }
  }
  return null
}

export function emptyRow (fields: string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false
  return true
}
