// Opening balances and legacy stock lists (a shop's Excel sheet, or its CSV export), and the SKU
// catalogue they are checked against. A list is validated whole first — unknown SKU or location, a
// negative or unreadable quantity, the same SKU and location twice — and refused with every bad line
// and nothing written; a clean list is posted as `opening` movements bringing each SKU at each
// location to the listed quantity, keyed by the file's SHA-256 (the same file again changes nothing).
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { parse } from 'csv-parse/sync'
import { readSheet } from 'read-excel-file/node'
import type { LineIssue } from '../../connectors/contract.ts'
import { parseMinor } from '../../connectors/_shared/money.ts'
import { decodeAll, decodesCleanly, encodingFromBom, type TextEncodingName } from '../../connectors/_shared/text.ts'
import type { Sql } from '../db/pool.ts'
import { milli, type NewMovement } from './chain.ts'
import { postAndForward, type LedgerDeps } from './operations.ts'
import { onHandAt } from './stock.ts'

export const MAX_LIST_BYTES = 20 * 1024 * 1024
const MAX_ISSUES = 1000

/** Column names as shops write them, in English and Chinese. */
const COLUMNS: Record<string, string[]> = {
  sku: ['sku', 'item code', 'item', 'code', '貨號', '货号', '產品編號', '编号', '條碼'],
  location: ['location', 'location id', 'store', 'shop', '地點', '分店', '倉庫', '仓库', '門市'],
  qty: ['qty', 'quantity', 'on hand', 'stock', '數量', '数量', '存貨', '庫存', '库存'],
  name: ['name', 'description', '名稱', '名称', '品名'],
  supplier: ['supplier', 'vendor', '供應商', '供应商'],
  unit_cost: ['unit cost', 'unit_cost', 'cost', '成本', '單價', '单价']
}

export interface Table { header: string[], rows: Array<{ line: number, cells: string[] }>, sha256: string, blank: number }

export class ListRefused extends Error {
  readonly issues: LineIssue[]
  readonly issueCount: number
  constructor (message: string, issues: LineIssue[], issueCount = issues.length) {
    super(message)
    this.name = 'ListRefused'
    this.issues = issues.slice(0, MAX_ISSUES)
    this.issueCount = issueCount
  }
}

function decode (bytes: Buffer): string {
  const bom = encodingFromBom(bytes)
  const candidates: TextEncodingName[] = bom ? [bom] : ['utf-8', 'big5hkscs', 'gb18030']
  const enc = candidates.find(e => decodesCleanly(bytes, e))
  if (!enc) throw new ListRefused('the file is not text in UTF-8, Big5-HKSCS or GB18030', [{ line: 0, message: 'unreadable text encoding' }])
  return decodeAll(bytes, enc)
}

/** A stock list as header and lines (1-based as a person sees them in Excel or a text editor). */
export async function readTable (path: string, filename: string): Promise<Table> {
  const bytes = await readFile(path)
  if (bytes.length > MAX_LIST_BYTES) throw new ListRefused(`the file is larger than ${MAX_LIST_BYTES} bytes`, [{ line: 0, message: 'too large' }])
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  let grid: Array<{ line: number, cells: string[] }>
  if (['.xlsx', '.xlsm'].includes(extname(filename).toLowerCase()) || bytes.subarray(0, 2).toString('latin1') === 'PK') {
    let sheet
    try { sheet = await readSheet(bytes) } catch (err) { throw new ListRefused(`not a readable Excel workbook: ${(err as Error).message}`, [{ line: 0, message: 'unreadable workbook' }]) }
    grid = sheet.map((row, i) => ({ line: i + 1, cells: row.map(c => c === null || c === undefined ? '' : c instanceof Date ? c.toISOString() : String(c)) }))
  } else {
    let records: Array<{ record: string[], info: { lines: number } }>
    try {
      records = parse(decode(bytes), { relax_column_count: true, skip_empty_lines: false, info: true, trim: true, max_record_size: 64 * 1024 }) as unknown as typeof records
    } catch (err) {
      const e = err as { lines?: number, message: string }
      throw new ListRefused('the CSV is malformed; nothing was imported', [{ line: e.lines ?? 0, message: e.message }])
    }
    grid = records.map(r => ({ line: r.info.lines, cells: r.record }))
  }
  const headerAt = grid.findIndex(r => r.cells.some(c => c.trim() !== ''))
  if (headerAt < 0) throw new ListRefused('the file is empty', [{ line: 0, message: 'no header row' }])
  const rows = grid.slice(headerAt + 1)
  const data = rows.filter(r => r.cells.some(c => c.trim() !== ''))
  return { header: grid[headerAt].cells.map(c => c.trim()), rows: data, sha256, blank: rows.length - data.length }
}

function columnsOf (header: string[], needed: string[], optional: string[]): Record<string, number> {
  const lower = header.map(h => h.toLowerCase())
  const at: Record<string, number> = {}
  const missing: string[] = []
  for (const name of [...needed, ...optional]) {
    const i = lower.findIndex(h => COLUMNS[name].includes(h))
    if (i >= 0) at[name] = i; else if (needed.includes(name)) missing.push(name)
  }
  if (missing.length) throw new ListRefused(`the header has no ${missing.join(', ')} column (found: ${header.join(', ')})`, [{ line: 0, message: `missing column(s): ${missing.join(', ')}` }])
  return at
}

function quantity (text: string): number | string {
  if (!/^-?\d+(\.\d{1,3})?$/.test(text.replace(/,/g, ''))) return `"${text}" is not a quantity (up to 3 decimals)`
  const q = Number(text.replace(/,/g, ''))
  return q < 0 ? `negative stock (${text}) cannot be an opening balance` : q
}

export interface OpeningLine { line: number, sku: string, location: string, qty: number }

/** Checks every line against the catalogue and the locations; refuses the list with every problem. */
export async function validateOpening (sql: Sql, t: Table): Promise<OpeningLine[]> {
  const col = columnsOf(t.header, ['sku', 'location', 'qty'], [])
  const { rows: skus } = await sql.query('SELECT sku FROM skus WHERE sku = ANY($1::text[])', [t.rows.map(r => (r.cells[col.sku] ?? '').trim())])
  const { rows: locs } = await sql.query('SELECT id FROM locations WHERE active')
  const knownSku = new Set(skus.map(r => r.sku))
  const knownLoc = new Set(locs.map(r => r.id))
  const issues: LineIssue[] = []
  const seen = new Map<string, number>()
  const out: OpeningLine[] = []
  for (const r of t.rows) {
    const sku = (r.cells[col.sku] ?? '').trim()
    const location = (r.cells[col.location] ?? '').trim()
    const q = quantity((r.cells[col.qty] ?? '').trim())
    const before = issues.length
    if (!sku) issues.push({ line: r.line, column: 'sku', message: 'no SKU' })
    else if (!knownSku.has(sku)) issues.push({ line: r.line, column: 'sku', message: `unknown SKU ${sku} (import the catalogue first)` })
    if (!knownLoc.has(location)) issues.push({ line: r.line, column: 'location', message: `unknown location "${location}"` })
    if (typeof q === 'string') issues.push({ line: r.line, column: 'qty', message: q })
    const key = `${sku}\u0000${location}`
    if (seen.has(key)) issues.push({ line: r.line, message: `${sku} at ${location} is listed twice (first on line ${seen.get(key)})` })
    else seen.set(key, r.line)
    if (issues.length === before) out.push({ line: r.line, sku, location, qty: q as number })
  }
  if (issues.length) throw new ListRefused(`${issues.length} problem(s) in the stock list; nothing was imported`, issues)
  return out
}

/** Posts the difference between each listed quantity and what the ledger holds now. */
export async function importOpening (sql: Sql, deps: LedgerDeps, t: Table, actor: string): Promise<{ lines: number, posted: number }> {
  const lines = await validateOpening(sql, t)
  const movements: NewMovement[] = []
  const at = new Date()
  for (const location of [...new Set(lines.map(l => l.location))]) {
    const here = lines.filter(l => l.location === location)
    const have = await onHandAt(sql, location, here.map(l => l.sku))
    for (const l of here) {
      const diff = (milli(l.qty) - milli(have.get(l.sku) ?? 0)) / 1000
      if (diff !== 0) movements.push({ locationId: location, sku: l.sku, qty: diff, reason: 'opening', sourceType: 'stock_list', sourceId: t.sha256.slice(0, 16), key: `opening:${t.sha256}:${l.sku}:${location}`, actor, note: `stock list line ${l.line}`, occurredAt: at })
    }
  }
  const posted = await postAndForward(sql, deps, movements)
  return { lines: lines.length, posted: posted.length }
}

/** The catalogue: SKU, name, supplier, unit cost (HKD). Upserted; refused whole on a bad line. */
export async function importCatalogue (sql: Sql, t: Table): Promise<{ lines: number }> {
  const col = columnsOf(t.header, ['sku', 'name'], ['supplier', 'unit_cost'])
  const issues: LineIssue[] = []
  const seen = new Map<string, number>()
  const rows: Array<{ sku: string, name: string, supplier: string | null, cost: number | null }> = []
  for (const r of t.rows) {
    const sku = (r.cells[col.sku] ?? '').trim()
    const name = (r.cells[col.name] ?? '').trim()
    const costText = col.unit_cost === undefined ? '' : (r.cells[col.unit_cost] ?? '').trim()
    let cost: number | null = null
    if (!sku) issues.push({ line: r.line, column: 'sku', message: 'no SKU' })
    if (!name) issues.push({ line: r.line, column: 'name', message: 'no name' })
    if (costText) { try { cost = parseMinor(costText); if (cost < 0) issues.push({ line: r.line, column: 'unit_cost', message: 'a cost is not negative' }) } catch (err) { issues.push({ line: r.line, column: 'unit_cost', message: (err as Error).message }) } }
    if (seen.has(sku)) issues.push({ line: r.line, message: `SKU ${sku} is listed twice (first on line ${seen.get(sku)})` })
    else seen.set(sku, r.line)
    rows.push({ sku, name, supplier: col.supplier === undefined ? null : (r.cells[col.supplier] ?? '').trim() || null, cost })
  }
  if (issues.length) throw new ListRefused(`${issues.length} problem(s) in the catalogue; nothing was imported`, issues)
  await sql.query(
    `INSERT INTO skus (sku, name, supplier, unit_cost) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
     ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, supplier = EXCLUDED.supplier, unit_cost = EXCLUDED.unit_cost`,
    [rows.map(r => r.sku), rows.map(r => r.name), rows.map(r => r.supplier), rows.map(r => r.cost)])
  return { lines: rows.length }
}
