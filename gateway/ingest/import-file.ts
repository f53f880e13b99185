// Imports one settlement file, atomically: it lands whole, in one transaction, or not at all.
//
//   probe (size cap, SHA-256, encoding) → same bytes imported before? "already imported"
//   → advisory lock on the hash (two uploads of one file race safely) → COPY rows as they are read
//   → any bad line, a PAN, a failed control total (Total_count, TOTAL, <END>): roll back, record the
//     refusal with every line and reason → else commit with the counts (a payout batch that disagrees
//     with its other file is kept and reported as a warning).
import { once } from 'node:events'
import copyStreams from 'pg-copy-streams'
import type { BatchTotal, LineIssue, PaymentRecord } from '../../connectors/contract.ts'
import { InputError } from '../../connectors/errors.ts'
import type { Registry } from '../../connectors/registry.ts'
import { probeFile, readSettlementFile, type ReadResult } from '../../connectors/_shared/settlement-reader.ts'
import type { TextEncodingName } from '../../connectors/_shared/text.ts'
import type { Db, TxClient } from '../db/pool.ts'
import { CARD_CONTEXT, type PiiCipher } from '../crypto.ts'
import type { Config } from '../config.ts'
import type { PgBoss } from 'pg-boss'
import { dayRules, paymentDay } from '../recon/convert.ts'
import { reopenDays } from '../recon/queue.ts'
import { creditClaims, type SourcedCredit } from '../recon/claim-credit.ts'

/** The import's records that bring money in, as credits a claim may be paid by (only where a claim waits). */
async function recordCredits (c: TxClient, importId: number): Promise<SourcedCredit[]> {
  // most imports find no claim waiting: a large file's rows are then not read again
  const { rows: [waiting] } = await c.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM claims WHERE status IN ('open', 'sent')) AS any`)
  if (!waiting.any) return []
  const { rows } = await c.query<{ provider: string, gross: string, line_no: number, ids: Array<string | null> }>(
    `SELECT p.provider, p.gross::text, p.line_no, ARRAY[p.merchant_ref, p.provider_txn_id, p.original_ref, p.original_provider_txn_id] AS ids
       FROM payments p WHERE p.import_id = $1 AND p.gross > 0
        AND EXISTS (SELECT 1 FROM claims k WHERE k.status IN ('open', 'sent') AND k.amount = p.gross AND k.provider = p.provider)`, [importId])
  return rows.map(r => ({ provider: r.provider, amount: Number(r.gross), ids: r.ids, text: '', line: r.line_no }))
}
import { PAYMENT_COPY_COLUMNS, paymentCopyLine, type RowContext } from './copy-rows.ts'
import type { LayoutDetection } from '../../connectors/settlement.ts'
import { checkBatchTotals, type BatchSums } from './batch-check.ts'
import { importedBefore, lockBytes } from './once.ts'

// The rows go to COPY as text of 64 KB: encoding a string built of many small pieces first copies
// them into one flat string, and past 64 KB V8 does that far more slowly. Measured over 1M rows: 1.1 s
// of encoding with 256 KB texts, 0.2 s with 64 KB (as gateway/recon/lines.ts found for reading).
const COPY_CHUNK = 64 * 1024

export interface ImportDeps {
  db: Db
  boss: PgBoss
  registry: Registry
  cipher: PiiCipher
  config: Pick<Config, 'stores' | 'limits' | 'recon'>
}

export interface ImportRequest {
  path: string
  filename: string | null
  source: 'upload' | 'cli'
  /** A provider id of the registry: only its layouts are tried. */
  provider?: string
  profile?: string
  encoding?: TextEncodingName
  onProgress?: (p: { bytes: number, totalBytes: number, rows: number }) => void
  /** Aborting (client gone, route timeout) rolls the import back. */
  signal?: AbortSignal
}

export interface ImportSummary {
  importId: number
  sha256: string
  filename: string | null
  provider: string
  layout: string
  fileKind: string
  encoding: string
  lines: number
  records: number
  batches: number
  byType: ReadResult['byType']
  controls: Record<string, unknown>
  /** Findings that do not refuse the file, e.g. a payout batch whose totals disagree with its rows. */
  warnings: LineIssue[]
}

export type ImportOutcome =
  | ({ status: 'imported' } & ImportSummary)
  | { status: 'already_imported', importId: number, sha256: string, filename: string | null }
  | { status: 'refused', importId: number, sha256: string | null, filename: string | null, code: string, message: string, issues: LineIssue[], issueCount: number }

class Refused extends Error {
  readonly code: string
  readonly issues: LineIssue[]
  readonly issueCount: number
  readonly read: Partial<ReadResult>
  constructor (code: string, message: string, issues: LineIssue[], issueCount: number, read: Partial<ReadResult> = {}) {
    super(message)
    this.code = code
    this.issues = issues
    this.issueCount = issueCount
    this.read = read
  }
}

export async function importSettlementFile (deps: ImportDeps, req: ImportRequest): Promise<ImportOutcome> {
  const { db } = deps
  let sha256: string | null = null
  let bytes = 0
  try {
    const probe = await probeFile(req.path, deps.config.limits.uploadBytes)
    sha256 = probe.sha256
    bytes = probe.bytes
    // checked once cheaply up front, and again under the lock (two uploads of one file may race)
    const prior = await importedBefore(db, sha256)
    if (prior !== null) return { status: 'already_imported', importId: prior, sha256, filename: req.filename }
    return await db.withTransaction(async client => {
      // a large file's COPY may outlast the pool's 30 s statement limit; the import has its own
      await client.query(`SET LOCAL statement_timeout = ${Math.floor(deps.config.limits.importTimeoutMs)}`)
      const again = await lockBytes(client, sha256!)
      if (again !== null) return { status: 'already_imported' as const, importId: again, sha256: sha256!, filename: req.filename }
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO imports (sha256, filename, bytes, source, status, profile) VALUES ($1, $2, $3, $4, 'processing', $5) RETURNING id`,
        [sha256, req.filename, bytes, req.source, req.profile ?? null])
      const importId = rows[0].id
      const batches: BatchTotal[] = []
      const batchSums = new Map<string, BatchSums>()
      const days = new Set<string>()
      const read = await copyRecords(client, deps, req, probe, importId, batches, batchSums, days)
      if (read.issueCount > 0) {
        throw new Refused('INVALID_ROWS', `${read.issueCount} line(s) of the file are invalid; nothing was imported`, read.issues, read.issueCount, read)
      }
      await insertBatches(client, importId, batches)
      // a record paying back a claim closes it
      await creditClaims(client, deps.boss, importId, await recordCredits(client, importId))
      // the days this file brings data for are re-opened and queued for reconciliation, with the import
      await reopenDays(client, deps.boss, days, { trigger: 'import', ref: String(importId) })
      // Both files of a batch are the provider's own: a disagreement between them is kept and
      // reported (BATCH_TOTAL_MISMATCH in the reconciliation), not a reason to lose either file.
      const warnings = await checkBatchTotals(client, read.provider, read.fileKind === 'settlement' ? batchSums : new Map(), batches)
      const controls = { ...read.controls, rowCounts: read.rowCounts, ...(warnings.length ? { batchMismatches: warnings } : {}) }
      await client.query(
        `UPDATE imports SET status = 'imported', provider = $2, layout = $3, file_kind = $4, encoding = $5, lines = $6, records = $7,
           batches = $8, by_type = $9, controls = $10, finished_at = now() WHERE id = $1`,
        [importId, read.provider, read.layout, read.fileKind, read.encoding, read.lines, read.records, read.batches, JSON.stringify(read.byType), JSON.stringify(controls)])
      return { status: 'imported' as const, importId, sha256: sha256!, filename: req.filename, provider: read.provider, layout: read.layout, fileKind: read.fileKind, encoding: read.encoding, lines: read.lines, records: read.records, batches: read.batches, byType: read.byType, controls, warnings }
    })
  } catch (err) {
    const refusal = err instanceof Refused ? err : err instanceof InputError ? new Refused(err.code, err.message, err.issues, err.issueCount) : null
    if (!refusal) throw err
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO imports (sha256, filename, bytes, source, status, provider, layout, file_kind, encoding, profile, lines, error_code, message, issues, issue_count, finished_at)
       VALUES ($1, $2, $3, $4, 'refused', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now()) RETURNING id`,
      [sha256 ?? '', req.filename, bytes, req.source, refusal.read.provider ?? null, refusal.read.layout ?? null, refusal.read.fileKind ?? null,
        refusal.read.encoding ?? null, req.profile ?? null, refusal.read.lines ?? null, refusal.code, refusal.message, JSON.stringify(refusal.issues), refusal.issueCount])
    return { status: 'refused', importId: rows[0].id, sha256, filename: req.filename, code: refusal.code, message: refusal.message, issues: refusal.issues, issueCount: refusal.issueCount }
  }
}

/** Streams the file's records into `payments` with COPY, inside the caller's transaction. */
async function copyRecords (client: TxClient, deps: ImportDeps, req: ImportRequest, probe: Awaited<ReturnType<typeof probeFile>>, importId: number, batches: BatchTotal[], batchSums: Map<string, BatchSums>, days: Set<string>): Promise<ReadResult> {
  const stream = client.query(copyStreams.from(`COPY payments (${PAYMENT_COPY_COLUMNS.join(', ')}) FROM STDIN`))
  let failed: Error | null = null
  stream.on('error', (e: Error) => { failed = e })
  let buf = ''
  let ctx: RowContext | null = null
  let detected: LayoutDetection | null = null
  const rules = dayRules(deps.config)
  // our store id (through the configured aliases) and the business day the record is reconciled on
  const dayOf = (r: PaymentRecord): string | null => {
    const day = paymentDay(r, r.storeId, rules)
    if (day !== null) days.add(day)
    return day
  }
  const flush = async (): Promise<void> => {
    if (failed) throw failed
    req.signal?.throwIfAborted()
    if (buf.length === 0) return
    const ok = stream.write(buf)
    buf = ''
    if (!ok) await once(stream, 'drain')
  }
  try {
    const read = await readSettlementFile(req.path, [...deps.registry.settlement.values()], probe, {
      filename: req.filename,
      provider: req.provider,
      profile: req.profile,
      encoding: req.encoding,
      maxRecordSize: deps.config.limits.maxRecordBytes,
      onLayout (d) {
        detected = d
        ctx = { importId, layout: d.layout, fileKind: d.fileKind, businessDate: dayOf, encryptCard: m => ({ enc: deps.cipher.encrypt(m, CARD_CONTEXT), keyId: deps.cipher.activeKeyId }) }
      },
      onRecord (r) {
        if (r.storeId !== null) r.storeId = rules.resolveStore(r.provider, r.storeId)
        buf += paymentCopyLine(r, ctx!)
        if (r.batchId !== null) {
          let b = batchSums.get(r.batchId)
          if (!b) { b = { gross: 0, fee: 0, net: 0 }; batchSums.set(r.batchId, b) }
          b.gross += r.gross; b.fee += r.fee; b.net += r.net
        }
        if (buf.length >= COPY_CHUNK) { stream.write(buf); buf = '' }
      },
      onBatch: b => { batches.push(b) },
      afterChunk: flush,
      onProgress: req.onProgress
    })
    if (read.issueCount > 0) {
      stream.destroy(new Error('import refused'))
      await once(stream, 'close').catch(() => {})
      return read
    }
    await flush()
    stream.end()
    await once(stream, 'finish')
    if (failed) throw failed
    // Rarely, only the rows tell the file kind (a settle-named file with no settlement amounts).
    if (detected && (detected as LayoutDetection).fileKind !== read.fileKind) {
      await client.query('UPDATE payments SET file_kind = $2 WHERE import_id = $1', [importId, read.fileKind])
    }
    return read
  } catch (err) {
    if (!stream.destroyed) { stream.destroy(err as Error); await once(stream, 'close').catch(() => {}) }
    throw err
  }
}

async function insertBatches (client: TxClient, importId: number, batches: BatchTotal[]): Promise<void> {
  if (!batches.length) return
  await client.query(
    `INSERT INTO settlement_batches (import_id, line_no, provider, batch_id, settled_at, gross, fee, net, currency, trade_from, trade_to)
     SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[], $10::date[], $11::date[])`,
    [importId, batches.map(b => b.lineNo), batches.map(b => b.provider), batches.map(b => b.batchId), batches.map(b => b.settledAt), batches.map(b => b.gross), batches.map(b => b.fee), batches.map(b => b.net), batches.map(b => b.currency),
      batches.map(b => b.covers?.from ?? null), batches.map(b => b.covers?.to ?? null)])
}
