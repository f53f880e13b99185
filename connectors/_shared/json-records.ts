// Settlement data some providers give only through an API, saved as the JSON it answered (WeChat Pay's
// settlement query: `{ "data": [...], "total_count", "offset", "limit" }`, one page or an array of
// pages). The records are laid out as CSV, nested fields as dotted columns (`amount.fee`), and read
// like any other file: detection, refusals and control totals are the same.
import { mkdtemp, readFile, rm, writeFile, open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../errors.ts'

export const JSON_MAX_BYTES = 64 * 1024 * 1024

/** Whether the file's first character (after a BOM and blanks) opens a JSON object or array. */
export async function isJson (path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(64)
    const { bytesRead } = await fh.read(buf, 0, 64, 0)
    const head = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').trimStart()
    return head.startsWith('{') || head.startsWith('[')
  } finally {
    await fh.close()
  }
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The records of a page (`data`), of an array of pages, or an array of records. */
function recordsOf (doc: unknown): Obj[] | null {
  if (Array.isArray(doc)) {
    if (doc.every(p => isObj(p) && Array.isArray(p.data))) return doc.flatMap(p => (p as Obj).data as unknown[]).filter(isObj)
    return doc.every(isObj) ? doc : null
  }
  if (isObj(doc) && Array.isArray(doc.data) && doc.data.every(isObj)) return doc.data
  return null
}

function flatten (o: Obj, prefix: string, out: Map<string, string>): void {
  for (const [k, v] of Object.entries(o)) {
    const name = prefix ? `${prefix}.${k}` : k
    if (isObj(v)) flatten(v, name, out)
    else out.set(name, v === null || v === undefined ? '' : Array.isArray(v) ? JSON.stringify(v) : String(v))
  }
}

const quote = (s: string): string => /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s

/** The JSON document's records as a UTF-8 CSV in a temporary directory; `cleanup` removes it. */
export async function jsonAsCsv (path: string, bytes: number): Promise<{ path: string, cleanup: () => Promise<void> }> {
  if (bytes > JSON_MAX_BYTES) throw new InputError('INPUT_TOO_LARGE', `the JSON file is ${bytes} bytes; JSON is read up to ${JSON_MAX_BYTES} bytes`)
  let doc: unknown
  try {
    doc = JSON.parse((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new InputError('UNKNOWN_LAYOUT', `the file starts like JSON but is not JSON (${(err as Error).message})`, [{ line: 0, message: 'not JSON' }])
  }
  const records = recordsOf(doc)
  if (!records) throw new InputError('UNKNOWN_LAYOUT', 'a JSON file holds records as a "data" array (an API page), an array of pages, or an array of objects', [{ line: 0, message: 'no records found' }])
  const rows = records.map(r => { const m = new Map<string, string>(); flatten(r, '', m); return m })
  const columns = [...new Set(rows.flatMap(r => [...r.keys()]))]
  const dir = await mkdtemp(join(tmpdir(), 'recon-json-'))
  const out = join(dir, 'records.csv')
  await writeFile(out, [columns.map(quote).join(','), ...rows.map(r => columns.map(c => quote(r.get(c) ?? '')).join(','))].join('\n') + '\n')
  return { path: out, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
