// Reading a header line: which delimiter it uses and its column names.
import { parse as parseCsv } from 'csv-parse/sync'
import { clean } from './fields.ts'

const CANDIDATES = [',', '|', '\t', ';'] as const

/** The delimiter that splits a header line into the most columns (quotes respected). */
export function sniffDelimiter (line: string): string {
  let best = ','
  let bestCount = 0
  for (const d of CANDIDATES) {
    const n = splitHeader(line, d).length
    if (n > bestCount) { best = d; bestCount = n }
  }
  return best
}

export function splitHeader (line: string, delimiter: string): string[] {
  try {
    const rows = parseCsv(line, { delimiter, relax_column_count: true, relax_quotes: true, record_delimiter: ['\n'] }) as string[][]
    return (rows[0] ?? []).map(h => clean(h))
  } catch {
    return line.split(delimiter).map(h => clean(h))
  }
}
