// Settlement reports downloaded as Excel workbooks (.xlsx): the first sheet is turned into CSV text,
// then read like any other file, so detection, control totals and refusals are the same. Cells keep
// what Excel stored: a date cell becomes the wall time it shows ("2026-11-20 12:15:03", read in the
// layout's zone), a number its shortest decimal, text as it is. A workbook is read whole into memory,
// so one larger than XLSX_MAX_BYTES is refused: export it as CSV instead.
import { open, writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InputError } from '../errors.ts'

export const XLSX_MAX_BYTES = 64 * 1024 * 1024
const ZIP_MAGIC = 0x04034b50

/** Whether the file is a zip archive, as every .xlsx is (a CSV never starts with "PK\x03\x04"). */
export async function isZip (path: string): Promise<boolean> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(4)
    const { bytesRead } = await fh.read(buf, 0, 4, 0)
    return bytesRead === 4 && buf.readUInt32LE(0) === ZIP_MAGIC
  } finally {
    await fh.close()
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0')

/** One cell as the text a CSV export of it would hold. */
function cellText (v: unknown): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) {
    // Excel stores wall times without a zone, as a fraction of a day: 12:40:11 comes back as
    // 12:40:10.999…, so the time is rounded to the second Excel shows; the UTC fields are the wall time
    const d = new Date(Math.round(v.getTime() / 1000) * 1000)
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  }
  return String(v)
}

const quote = (s: string): string => /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s

/** The workbook's first sheet as a UTF-8 CSV in a temporary directory; `cleanup` removes it. */
export async function xlsxAsCsv (path: string, bytes: number): Promise<{ path: string, cleanup: () => Promise<void> }> {
  if (bytes > XLSX_MAX_BYTES) throw new InputError('INPUT_TOO_LARGE', `the workbook is ${bytes} bytes; Excel files are read up to ${XLSX_MAX_BYTES} bytes: export the sheet as CSV instead`)
  // loaded for a workbook only: with its zip and XML readers it is some 80 modules, which every run and
  // every reading thread loaded at start-up for CSV files
  const { readSheet } = await import('read-excel-file/node')
  let rows: unknown[][]
  try {
    rows = await readSheet(path) as unknown[][]
  } catch (err) {
    throw new InputError('UNKNOWN_LAYOUT', `the file is a zip archive but not a readable Excel workbook (${(err as Error).message})`, [{ line: 0, message: 'not an .xlsx workbook' }])
  }
  const dir = await mkdtemp(join(tmpdir(), 'recon-xlsx-'))
  const out = join(dir, 'sheet1.csv')
  await writeFile(out, rows.map(r => r.map(c => quote(cellText(c))).join(',')).join('\n') + '\n')
  return { path: out, cleanup: () => rm(dir, { recursive: true, force: true }) }
}
