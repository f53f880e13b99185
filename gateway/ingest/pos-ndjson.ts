// Canonical POS events as NDJSON (contract §1): a till that was offline uploads its backlog, or a
// vendor sends a day's events in bulk. The upload is authenticated by an API key, so lines carry no
// signature, but each event's `id` is still its idempotency key. Like a settlement file, an upload
// lands whole or not at all: every line is validated first (JSON, card numbers, the canonical rules,
// known stores), all bad lines are listed, and a line that reuses an id with a different body refuses
// the upload. Then every event goes through the same inbox and normalisation job as a webhook.
import { INBOX_BODY_CONTEXT } from '../crypto.ts'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { LineIssue } from '../../connectors/contract.ts'
import { InputError, PAN_MESSAGE } from '../../connectors/errors.ts'
import { containsPan } from '../../connectors/_shared/pan.ts'
import { normalizeCanonical } from '../../connectors/pos-canonical/normalize.ts'
import { storeResolver } from '../config.ts'
import type { AppDeps } from '../deps.ts'
import { storeInboxItems, type InboxItem } from './inbox.ts'

const CHUNK = 1000
const MAX_LINE = 256 * 1024

export type PosUploadOutcome =
  | { status: 'accepted', events: number, accepted: number, duplicates: number }
  | { status: 'refused', code: string, message: string, issues: LineIssue[], issueCount: number }

export async function importPosNdjson (deps: Pick<AppDeps, 'db' | 'boss' | 'cipher' | 'config' | 'registry'>, path: string, maxIssues = 1000): Promise<PosUploadOutcome> {
  const resolve = storeResolver(deps.config, 'pos-canonical')
  const known = new Set(deps.config.stores.map(s => s.id))
  const items: InboxItem[] = []
  const lineOf: number[] = []
  const issues: LineIssue[] = []
  let issueCount = 0
  const fail = (list: LineIssue[]): void => { issueCount += list.length; for (const i of list) if (issues.length < maxIssues) issues.push(i) }
  let line = 0
  for await (const text of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++
    if (text.trim() === '') continue
    if (text.length > MAX_LINE) { fail([{ line, message: `line is longer than ${MAX_LINE} bytes` }]); continue }
    if (containsPan(text)) {
      return { status: 'refused', code: 'CARD_NUMBER_FOUND', message: PAN_MESSAGE, issues: [{ line, message: PAN_MESSAGE }], issueCount: 1 }
    }
    let value
    try { value = JSON.parse(text) } catch { fail([{ line, message: 'not a JSON object' }]); continue }
    try {
      const ev = normalizeCanonical(value, { resolveStore: resolve, tenderMethods: deps.registry.tenderMethods }, line)
      if (known.size && ev.storeId && !known.has(ev.storeId)) { fail([{ line, column: 'data.store_id', message: `unknown store ${ev.storeId}` }]); continue }
      if (issueCount) continue // no need to prepare rows for an upload that is refused anyway
      const raw = Buffer.from(text)
      items.push({ connector: 'pos-canonical', eventId: ev.eventId, sha256: createHash('sha256').update(raw).digest(), bodyEnc: deps.cipher.encrypt(raw, INBOX_BODY_CONTEXT), keyId: deps.cipher.activeKeyId, headers: {} })
      lineOf.push(line)
    } catch (err) {
      if (err instanceof InputError) { fail(err.issues); continue }
      throw err
    }
  }
  if (issueCount) return { status: 'refused', code: 'INVALID_ROWS', message: `${issueCount} problem(s) in the upload; nothing was accepted`, issues, issueCount }
  if (items.length === 0) return { status: 'refused', code: 'INPUT_EMPTY', message: 'the upload holds no events', issues: [], issueCount: 0 }
  return await deps.db.withTransaction(async client => {
    let accepted = 0
    let duplicates = 0
    const conflicts: LineIssue[] = []
    for (let i = 0; i < items.length; i += CHUNK) {
      const results = await storeInboxItems(client, deps.boss, items.slice(i, i + CHUNK))
      results.forEach((r, k) => {
        if (r.status === 'accepted') accepted++
        else if (r.status === 'duplicate') duplicates++
        else conflicts.push({ line: lineOf[i + k], column: 'id', message: `event ${items[i + k].eventId} was already received with a different body` })
      })
    }
    if (conflicts.length) throw new InputError('INVALID_ROWS', `${conflicts.length} event id(s) reused with a different body; nothing was accepted`, conflicts.slice(0, maxIssues), conflicts.length)
    return { status: 'accepted' as const, events: items.length, accepted, duplicates }
  }).catch(err => {
    if (err instanceof InputError) return { status: 'refused' as const, code: err.code, message: err.message, issues: err.issues, issueCount: err.issueCount }
    throw err
  })
}
