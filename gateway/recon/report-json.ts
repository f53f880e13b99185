// Writes a reconciliation report as JSON to a stream, piece by piece: a 1M-sale day has a million
// matches, and one JSON.stringify of the whole report would hold a string of hundreds of megabytes (and
// its encoded copy) in memory at once. Small values are indented as JSON.stringify(…, null, 2) would;
// each element of a long list is written compactly on its own line. The output parses to the same value.
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { ReportDetail } from '../../reconciler/report-detail.ts'
import type { ReconReport } from '../../reconciler/types.ts'

const CHUNK = 1 << 20
const PENDING = 1 << 14
const INLINE_LIMIT = 64

function indent (json: string, by: string): string {
  return json.replace(/\n/g, '\n' + by)
}

/**
 * Text encoded into 1 MB buffers, piece by piece: appending a million small strings to one and
 * encoding that would first copy the whole chain of pieces into one flat string. The pieces are joined
 * 16 KB at a time before they are encoded: an encoding call per piece (a million matches' lines) cost
 * more than the joining. `put` is synchronous and says when full buffers wait to be written (`send`),
 * so a piece costs no promise.
 */
class Chunks {
  #buf = Buffer.allocUnsafe(CHUNK)
  #at = 0
  #pending = ''
  readonly #full: Buffer[] = []
  readonly #out: Writable
  constructor (out: Writable) { this.#out = out }

  /** Adds a piece; true when buffers are full and should be sent. */
  put (text: string): boolean {
    this.#pending += text
    if (this.#pending.length >= PENDING) this.#encode()
    return this.#full.length > 0
  }

  /** Writes the full buffers (and with `all`, the last one too), waiting while the stream is full. */
  async send (all = false): Promise<void> {
    if (all) { this.#encode(); this.#seal() }
    for (const bytes of this.#full.splice(0)) if (!this.#out.write(bytes)) await once(this.#out, 'drain')
  }

  #encode (): void {
    const text = this.#pending
    this.#pending = ''
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2)
    if (this.#at + text.length * 3 > CHUNK) this.#seal()
    if (text.length * 3 > CHUNK) this.#full.push(Buffer.from(text))
    else this.#at += this.#buf.write(text, this.#at)
  }

  // the stream keeps a buffer until it is written: the next pieces go to a new one
  #seal (): void {
    if (this.#at === 0) return
    this.#full.push(this.#buf.subarray(0, this.#at))
    this.#buf = Buffer.allocUnsafe(CHUNK)
    this.#at = 0
  }
}

/**
 * Writes `report`. With `detail`, its per-match list and verified movement ids come from there, line by
 * line, and were never built (the report's own are empty): the same text as a report that holds them.
 */
export async function writeReportJson (report: ReconReport, out: Writable, detail?: ReportDetail): Promise<void> {
  const chunks = new Chunks(out)
  const put = async (text: string): Promise<void> => { if (chunks.put(text)) await chunks.send() }
  const entries = Object.entries(report).filter(([, v]) => v !== undefined)
  await put('{\n')
  for (const [n, [key, value]] of entries.entries()) {
    await put(`  ${JSON.stringify(key)}: `)
    if (detail && key === 'matches' && detail.matchCount > INLINE_LIMIT) await putLines(chunks, detail.matches(), detail.matchCount)
    else if (detail && key === 'verified_movements' && detail.verifiedStores().some(s => detail.verifiedCount(s) > INLINE_LIMIT)) await putIdLists(chunks, detail)
    else await putValue(chunks, detail && key === 'matches' ? [...detail.matches()] : detail && key === 'verified_movements' ? detail.verifiedLists() : value)
    await put(n < entries.length - 1 ? ',\n' : '\n')
  }
  await put('}\n')
  await chunks.send(true)
}

async function putValue (chunks: Chunks, value: unknown): Promise<void> {
  if (Array.isArray(value) && value.length > INLINE_LIMIT) await putLines(chunks, value, value.length)
  else if (value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).some(v => Array.isArray(v) && v.length > INLINE_LIMIT)) {
    // per-store lists of ids: one line per store
    const inner = Object.entries(value)
    if (chunks.put('{\n')) await chunks.send()
    for (const [k, [name, list]] of inner.entries()) if (chunks.put(`    ${JSON.stringify(name)}: ${JSON.stringify(list)}${k < inner.length - 1 ? ',' : ''}\n`)) await chunks.send()
    if (chunks.put('  }')) await chunks.send()
  } else if (chunks.put(indent(JSON.stringify(value, null, 2), '  '))) await chunks.send()
}

/** A long list, one element a line. */
async function putLines (chunks: Chunks, items: Iterable<unknown>, count: number): Promise<void> {
  if (chunks.put('[\n')) await chunks.send()
  let i = 0
  for (const item of items) if (chunks.put(`    ${JSON.stringify(item)}${++i < count ? ',' : ''}\n`)) await chunks.send()
  if (chunks.put('  ]')) await chunks.send()
}

/**
 * The verified movement ids from the detail, a line per store, as putValue writes a report's own: a
 * thousand ids at a time through one JSON.stringify, not a call and a piece per id (1.7M on a chain day).
 */
async function putIdLists (chunks: Chunks, detail: ReportDetail): Promise<void> {
  const stores = detail.verifiedStores()
  const batch: string[] = []
  let first = true
  const flush = (): boolean => {
    const json = JSON.stringify(batch)
    const full = chunks.put((first ? '' : ',') + json.slice(1, -1))
    first = false
    batch.length = 0
    return full
  }
  if (chunks.put('{\n')) await chunks.send()
  for (const [k, store] of stores.entries()) {
    chunks.put(`    ${JSON.stringify(store)}: [`)
    first = true
    for (const id of detail.verifiedIds(store)) if (batch.push(id) === 1024 && flush()) await chunks.send()
    if (batch.length) flush()
    if (chunks.put(`]${k < stores.length - 1 ? ',' : ''}\n`)) await chunks.send()
  }
  if (chunks.put('  }')) await chunks.send()
}
