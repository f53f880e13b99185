// Recognising a layout whose columns are known by name: the marker columns say "this is that file",
// and then a missing required column is a clear refusal naming it, not "unrecognised file".
import { LayoutError, firstContentLine, type LayoutDetection } from '../settlement.ts'
import { normaliseHeader, stripPrefixes } from './fields.ts'
import { sniffDelimiter, splitHeader } from './header.ts'

export interface ColumnLayout<K extends string> {
  provider: string
  /** What a person calls the file, for the refusal ("an Adyen settlement details report"). */
  what: string
  columns: Record<K, readonly string[]>
  /** Columns that identify the file. */
  markers: readonly K[]
  /** Columns it cannot be read without. */
  required: readonly K[]
  /** Fixed delimiter; sniffed when absent. */
  delimiter?: string
  /** Taken off every header name (WeChat Pay's backtick). */
  prefixes?: readonly string[]
}

/** The detection with `layout`, null when the markers are not all there; a LayoutError when a required column is missing. */
export function detectColumns<K extends string> (lines: string[], l: ColumnLayout<K>, layout: (has: (k: K) => boolean) => string): LayoutDetection | null {
  const first = firstContentLine(lines)
  if (!first) return null
  const delimiter = l.delimiter ?? sniffDelimiter(first.text)
  const header = stripPrefixes(splitHeader(first.text, delimiter), l.prefixes ?? [])
  const names = new Set(header.map(normaliseHeader))
  const has = (k: K) => l.columns[k].some(alias => names.has(normaliseHeader(alias)))
  if (!l.markers.every(has)) return null
  const missing = l.required.filter(k => !has(k))
  if (missing.length) throw new LayoutError(`${l.what} without the column(s) ${missing.map(k => l.columns[k][0]).join(', ')}`, first.index + 1)
  return { provider: l.provider, layout: layout(has), fileKind: 'settlement', delimiter, headerLine: first.index + 1, header, preamble: {} }
}
