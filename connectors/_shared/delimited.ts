// Splits delimited text (CSV or pipe) into records with exact physical line numbers.
//
// csv-parse is the authority on quoting, but on this machine it reads about 280k rows/s, which alone
// would miss our import target. RFC 4180 only lets a field hold a delimiter, quote or line break when
// the field is quoted, so a line without any quote character is fully determined by splitting on the
// delimiter: those take a fast path, and every record that contains a quote (including records whose
// quoted fields span lines) is handed whole to csv-parse. fixtures' property test checks this
// splitter against csv-parse on random tables.
import { parse as parseCsv } from 'csv-parse/sync'

export const DEFAULT_MAX_RECORD_SIZE = 64 * 1024

export class RecordError extends Error {
  readonly line: number
  constructor (line: number, message: string) {
    super(message)
    this.name = 'RecordError'
    this.line = line
  }
}

export interface SplitterOptions {
  delimiter: string
  maxRecordSize?: number
  /** Record separator: '\n' (also accepts CRLF) or '\r' for old Mac files. */
  newline?: '\n' | '\r'
}

/** Called once per record; `line` is the 1-based physical line the record starts on. */
export type RecordSink = (fields: string[], line: number) => void
/** Called for a record csv-parse refuses (stray or unbalanced quote): the file is bad, parsing goes on. */
export type BadRecordSink = (error: RecordError) => void

export class DelimitedSplitter {
  readonly #delimiter: string
  readonly #max: number
  readonly #nl: string
  /** A whole field written as Excel's ="…" formula (see #parseQuoted). */
  readonly #excelText: RegExp
  #partial = ''
  #line = 1
  // a quoted record spanning several lines, waiting for its closing quote
  #pending: string | null = null
  #pendingLine = 0
  #pendingQuotes = 0
  // position of the next quote character in the current chunk (-1: none left; -2: not looked yet);
  // looked up once per quote, not once per line, which would rescan the chunk for every line
  #nextQuote = -2

  constructor (options: SplitterOptions) {
    this.#delimiter = options.delimiter
    this.#max = options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE
    this.#nl = options.newline ?? '\n'
    const d = this.#delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    this.#excelText = new RegExp(`(^|${d})="((?:[^"]|"")*)"(?=${d}|$)`, 'g')
  }

  /** Physical lines fully read so far. */
  get linesRead (): number { return this.#line - 1 }

  push (text: string, sink: RecordSink, bad: BadRecordSink): void {
    let pos = 0
    let data = text
    if (this.#partial) { data = this.#partial + text; this.#partial = '' }
    this.#nextQuote = -2
    for (;;) {
      const nl = data.indexOf(this.#nl, pos)
      if (nl === -1) break
      this.#takeLine(data, pos, nl, sink, bad)
      pos = nl + 1
    }
    const rest = data.length - pos
    if (rest > this.#max || (this.#pending !== null && this.#pending.length + rest > this.#max)) {
      throw new RecordError(this.#pending !== null ? this.#pendingLine : this.#line, `record is longer than ${this.#max} bytes (no line break found); the file is not a settlement file or a quote is left open`)
    }
    this.#partial = pos === 0 ? data : data.slice(pos)
  }

  end (sink: RecordSink, bad: BadRecordSink): void {
    this.#nextQuote = -2
    if (this.#partial) {
      const data = this.#partial
      this.#partial = ''
      this.#takeLine(data, 0, data.length, sink, bad)
    }
    if (this.#pending !== null) {
      throw new RecordError(this.#pendingLine, 'a quoted field opened on this line is never closed')
    }
  }

  #takeLine (data: string, start: number, end: number, sink: RecordSink, bad: BadRecordSink): void {
    const line = this.#line++
    let stop = end
    if (this.#nl === '\n' && stop > start && data.charCodeAt(stop - 1) === 13) stop-- // CRLF
    if (this.#pending !== null) {
      const piece = data.slice(start, stop)
      this.#pending += '\n' + piece
      this.#pendingQuotes += countQuotes(piece)
      if (this.#pending.length > this.#max) throw new RecordError(this.#pendingLine, `record is longer than ${this.#max} bytes; a quote is left open`)
      if (this.#pendingQuotes % 2 === 0) {
        const rec = this.#pending
        this.#pending = null
        this.#parseQuoted(rec, this.#pendingLine, sink, bad)
      }
      return
    }
    if (stop - start > this.#max) throw new RecordError(line, `line is longer than ${this.#max} bytes`)
    if (this.#nextQuote !== -1 && this.#nextQuote < start) this.#nextQuote = data.indexOf('"', start)
    const quote = this.#nextQuote
    if (quote === -1 || quote >= stop) {
      sink(data.slice(start, stop).split(this.#delimiter), line)
      return
    }
    const text = data.slice(start, stop)
    const quotes = countQuotes(text)
    if (quotes % 2 === 0) {
      this.#parseQuoted(text, line, sink, bad)
    } else {
      this.#pending = text
      this.#pendingLine = line
      this.#pendingQuotes = quotes
    }
  }

  #parseQuoted (record: string, line: number, sink: RecordSink, bad: BadRecordSink): void {
    // Excel's text trick as Excel writes it, unquoted: POS1-000123,="2026112022001400000000000001",…
    // A quote inside an unquoted field is not CSV, so csv-parse refuses it; the formula's string literal
    // (its quotes doubled, as in CSV) is the field's text. The fully quoted form "=""…""" parses as it
    // is, and clean() (fields.ts) takes the ="…" off.
    const text = record.includes('="') ? record.replace(this.#excelText, '$1"$2"') : record
    let rows: string[][]
    try {
      rows = parseCsv(text, { delimiter: this.#delimiter, relax_column_count: true, max_record_size: this.#max, record_delimiter: ['\n'] })
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'CSV_ERROR'
      bad(new RecordError(line, `malformed quoting (${code})`))
      return
    }
    if (rows.length !== 1) {
      bad(new RecordError(line, 'malformed quoting: one line holds more than one record'))
      return
    }
    sink(rows[0], line)
  }
}

function countQuotes (s: string): number {
  let n = 0
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++
  return n
}
