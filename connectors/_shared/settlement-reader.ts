// Reads one settlement file end to end: probe (size cap, SHA-256, encoding), recognise the layout from
// its first lines, then stream it through the record splitter and the layout's row mapper. Every bad
// line is collected (up to a cap) rather than stopping at the first; the caller decides to commit only
// when there are none. Rows are handed over as they are mapped, so a 1M-row file never sits in memory.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import type { BatchTotal, FileKind, LineIssue, PaymentRecord, PaymentType, Provider } from '../contract.ts'
import { InputError, PAN_MESSAGE } from '../errors.ts'
import { LayoutError, type DetectContext, type LayoutDetection, type RowMapper, type SettlementConnector } from '../settlement.ts'
import { DelimitedSplitter, RecordError, DEFAULT_MAX_RECORD_SIZE } from './delimited.ts'
import { findPan } from './pan.ts'
import { createDecoder, encodingFromBom, readTextChunks, type TextEncodingName } from './text.ts'
import { isZip, xlsxAsCsv } from './xlsx.ts'
import { isJson, jsonAsCsv } from './json-records.ts'

const HEAD_BYTES = 64 * 1024

export interface FileProbe {
  sha256: string
  bytes: number
  /** Encoding from a BOM or a clean strict UTF-8 decode; null when the file needs a legacy encoding. */
  encoding: TextEncodingName | null
}

/** One pass over the file: size cap, SHA-256 and whether it is valid UTF-8. */
export async function probeFile (path: string, maxBytes: number): Promise<FileProbe> {
  const { size } = await stat(path)
  if (size > maxBytes) throw new InputError('INPUT_TOO_LARGE', `the file is ${size} bytes; the limit is ${maxBytes}`)
  if (size === 0) throw new InputError('INPUT_EMPTY', 'the file is empty')
  const hash = createHash('sha256')
  let utf8: ReturnType<typeof createDecoder> | null = createDecoder('utf-8')
  let bom: TextEncodingName | null = null
  let first = true
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer
    hash.update(buf)
    if (first) { bom = encodingFromBom(buf); first = false }
    if (utf8 && bom === null) { try { utf8.write(buf) } catch { utf8 = null } }
  }
  if (utf8 && bom === null) { try { utf8.end() } catch { utf8 = null } }
  return { sha256: hash.digest('hex'), bytes: size, encoding: bom ?? (utf8 ? 'utf-8' : null) }
}

export interface ReadOptions {
  filename: string | null
  /** Only consider this provider's layouts. */
  provider?: Provider
  /** An Octopus mapping profile id. */
  profile?: string
  /** Skip encoding detection. */
  encoding?: TextEncodingName
  maxRecordSize?: number
  /** How many issues to keep (all are counted). */
  maxIssues?: number
  /** Called once the layout is known, before the first row. */
  onLayout?: (detection: LayoutDetection) => void
  onRecord: (record: PaymentRecord) => void
  onBatch?: (batch: BatchTotal) => void
  /** Awaited after every chunk: where a writer applies back-pressure. */
  afterChunk?: () => Promise<void>
  onProgress?: (p: { bytes: number, totalBytes: number, rows: number }) => void
}

export interface TypeTotals { count: number, gross: number, fee: number, net: number }

export interface ReadResult {
  provider: Provider
  layout: string
  fileKind: FileKind
  encoding: TextEncodingName
  lines: number
  records: number
  batches: number
  /** Every data record after the header, and what became of it; the two always reconcile. */
  rowCounts: { dataRecords: number, payments: number, batches: number, refused: number, skipped: number }
  byType: Partial<Record<PaymentType, TypeTotals>>
  controls: Record<string, unknown>
  issues: LineIssue[]
  issueCount: number
}

/** Decodes the start of the file and asks each connector whether it knows the layout. */
export async function detectLayout (path: string, encoding: TextEncodingName, connectors: SettlementConnector[], ctx: DetectContext): Promise<{ connector: SettlementConnector, detection: LayoutDetection, newline: '\n' | '\r' }> {
  const fh = await open(path, 'r')
  let head: string
  try {
    const buf = Buffer.alloc(HEAD_BYTES)
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0)
    const d = createDecoder(encoding)
    try { head = d.write(buf.subarray(0, bytesRead)) } catch { throw new InputError('BAD_ENCODING', `the file does not decode as ${encoding}`) }
    if (bytesRead === HEAD_BYTES) head = head.slice(0, Math.max(0, head.lastIndexOf('\n'))) // drop the cut-off line
  } finally {
    await fh.close()
  }
  if (head.charCodeAt(0) === 0xfeff) head = head.slice(1)
  // old Mac-style files end lines with a lone CR
  const newline = !head.includes('\n') && head.includes('\r') ? '\r' : '\n'
  const lines = head.split(/\r\n|\n|\r/).slice(0, 50)
  for (const connector of connectors) {
    let detection: LayoutDetection | null
    try {
      detection = connector.detect(lines, ctx)
    } catch (err) {
      if (err instanceof LayoutError) throw new InputError('UNKNOWN_LAYOUT', err.message, [{ line: err.line, message: err.message }])
      throw err
    }
    if (detection) return { connector, detection, newline }
  }
  const firstLine = (lines.find(l => l.trim() !== '') ?? '').slice(0, 120)
  const ids = connectors.map(c => c.id)
  const which = ids.length > 1 ? `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}` : ids.join('')
  throw new InputError('UNKNOWN_LAYOUT', `not a recognised ${which} settlement file (first line: "${firstLine}")`, [{ line: 1, message: 'unrecognised header' }])
}

async function fileDecodesCleanly (path: string, enc: TextEncodingName): Promise<boolean> {
  const d = createDecoder(enc)
  try {
    for await (const c of createReadStream(path, { highWaterMark: 1 << 20 })) d.write(c as Buffer)
    d.end()
    return true
  } catch {
    return false
  }
}

/** Streams the file's data rows through the layout's mapper. */
export async function readRows (path: string, totalBytes: number, encoding: TextEncodingName, detection: LayoutDetection, mapper: RowMapper, opts: ReadOptions, newline: '\n' | '\r' = '\n'): Promise<ReadResult> {
  const maxIssues = opts.maxIssues ?? 1000
  const issues: LineIssue[] = []
  let issueCount = 0
  const addIssues = (list: LineIssue[]): void => {
    issueCount += list.length
    for (const i of list) if (issues.length < maxIssues) issues.push(i)
  }
  const byType: Partial<Record<PaymentType, TypeTotals>> = {}
  let records = 0
  let batches = 0
  let ended = 0
  let panLine: number | null = null
  // Row accounting (csv-parse's skip_records_with_error would drop rows silently; nothing here may)
  const tally = { dataRecords: 0, refused: 0, skipped: 0 }
  const splitter = new DelimitedSplitter({ delimiter: detection.delimiter, maxRecordSize: opts.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE, newline })
  const onFields = (fields: string[], line: number): void => {
    // A card number is looked for in every field of every line (header lines too): only a field of 13
    // characters or more can hold one, which keeps this check nearly free on large files.
    if (panLine !== null) return
    for (const f of fields) if (f.length >= 13 && findPan(f) >= 0) { panLine = line; return }
    if (line <= detection.headerLine) return
    tally.dataRecords++
    if (ended) {
      if (fields.some(f => f.trim() !== '')) { tally.refused++; addIssues([{ line, message: `data after the <END> line (line ${ended})` }]) } else tally.skipped++
      return
    }
    const out = mapper.row(fields, line)
    switch (out.kind) {
      case 'record': {
        records++
        const rec = out.record
        const t = byType[rec.type] ??= { count: 0, gross: 0, fee: 0, net: 0 }
        t.count++; t.gross += rec.gross; t.fee += rec.fee; t.net += rec.net
        if (issueCount === 0) opts.onRecord(rec)
        break
      }
      case 'batch': batches++; if (issueCount === 0) opts.onBatch?.(out.batch); break
      case 'issues': tally.refused++; addIssues(out.issues); break
      case 'end': tally.skipped++; ended = line; break
      case 'skip': tally.skipped++; break
    }
  }
  const onBad = (e: RecordError): void => {
    if (e.line > detection.headerLine) { tally.dataRecords++; tally.refused++ }
    addIssues([{ line: e.line, message: e.message }])
  }
  let bytes = 0
  try {
    for await (const text of readTextChunks(path, encoding)) {
      splitter.push(text, onFields, onBad)
      if (panLine !== null) break
      bytes += Buffer.byteLength(text) // progress only: an estimate for legacy encodings
      opts.onProgress?.({ bytes: Math.min(bytes, totalBytes), totalBytes, rows: records })
      await opts.afterChunk?.()
    }
    if (panLine === null) splitter.end(onFields, onBad)
  } catch (err) {
    if (err instanceof RecordError) addIssues([{ line: err.line, message: err.message }])
    else if (err instanceof Error && err.name === 'EncodingError') throw new InputError('BAD_ENCODING', err.message)
    else throw err
  }
  if (panLine !== null) {
    throw new InputError('CARD_NUMBER_FOUND', PAN_MESSAGE, [{ line: panLine, message: PAN_MESSAGE }])
  }
  if (records === 0 && batches === 0 && issueCount === 0) addIssues([{ line: 0, message: 'the file has a header but no data rows' }])
  const rowCounts = { dataRecords: tally.dataRecords, payments: records, batches, refused: tally.refused, skipped: tally.skipped }
  if (rowCounts.dataRecords !== records + batches + tally.refused + tally.skipped) {
    addIssues([{ line: 0, message: `row count does not reconcile: ${JSON.stringify(rowCounts)}` }])
  }
  addIssues(mapper.finish())
  return {
    provider: detection.provider,
    layout: detection.layout,
    fileKind: mapper.fileKind?.() ?? detection.fileKind,
    encoding,
    lines: splitter.linesRead,
    records,
    batches,
    rowCounts,
    byType,
    controls: mapper.controls(),
    issues: issues.sort((a, b) => a.line - b.line),
    issueCount
  }
}

/**
 * Picks the encoding and the layout. UTF-8 (or a BOM) is known from the probe; otherwise each
 * connector's legacy encodings are tried in its own order, and the first that decodes the whole file
 * cleanly and whose header that connector recognises wins. Headers are ASCII, so a legacy decode can
 * only be told apart by which provider claims the file.
 */
async function chooseLayout (path: string, probe: FileProbe, pool: SettlementConnector[], ctx: DetectContext, explicit?: TextEncodingName) {
  const known = explicit ?? probe.encoding
  if (known) return { encoding: known, ...await detectLayout(path, known, pool, ctx) }
  let decodedAs: TextEncodingName | null = null
  for (const connector of pool) {
    for (const enc of connector.legacyEncodings(ctx)) {
      if (!await fileDecodesCleanly(path, enc)) continue
      decodedAs ??= enc
      try {
        return { encoding: enc, ...await detectLayout(path, enc, [connector], ctx) }
      } catch (err) {
        if (!(err instanceof InputError && err.code === 'UNKNOWN_LAYOUT' && err.issues[0]?.message === 'unrecognised header')) throw err
        break // this connector does not know the header; the next one may
      }
    }
  }
  if (decodedAs) return { encoding: decodedAs, ...await detectLayout(path, decodedAs, pool, ctx) }
  const tried = [...new Set(pool.flatMap(c => c.legacyEncodings(ctx)))]
  throw new InputError('BAD_ENCODING', `the file is neither UTF-8 nor ${tried.join(' / ')}; re-export it as UTF-8`)
}

/**
 * Probe, pick the encoding, recognise the layout and read every row. An Excel workbook is read as the
 * CSV of its first sheet (xlsx.ts), an API's JSON answer as the CSV of its records (json-records.ts);
 * the probe (size, SHA-256) stays the original file's.
 */
export async function readSettlementFile (path: string, connectors: SettlementConnector[], probe: FileProbe, opts: ReadOptions): Promise<ReadResult> {
  const zip = await isZip(path)
  if (!zip && !await isJson(path)) return readText(path, connectors, probe, opts)
  const sheet = zip ? await xlsxAsCsv(path, probe.bytes) : await jsonAsCsv(path, probe.bytes)
  try {
    return await readText(sheet.path, connectors, { ...probe, bytes: (await stat(sheet.path)).size, encoding: 'utf-8' }, opts)
  } finally {
    await sheet.cleanup()
  }
}

async function readText (path: string, connectors: SettlementConnector[], probe: FileProbe, opts: ReadOptions): Promise<ReadResult> {
  const ctx: DetectContext = { filename: opts.filename, profile: opts.profile }
  const pool = opts.provider ? connectors.filter(c => c.id === opts.provider) : connectors
  if (pool.length === 0) throw new InputError('UNKNOWN_LAYOUT', `unknown provider "${opts.provider}"`)
  const { encoding, connector, detection, newline } = await chooseLayout(path, probe, pool, ctx, opts.encoding)
  const mapper = connector.mapper(detection, ctx)
  opts.onLayout?.(detection)
  return readRows(path, probe.bytes, encoding, detection, mapper, opts, newline)
}
