// Bank statements, where each provider's payout must arrive:
//   POST /v1/bank-statements   a statement file (MT940, camt.053, a business-banking CSV or Excel export) as the
//                              raw body, with ?filename= (and ?account= for an export that names none): imported whole
//                              and once, or refused with every reason (opening + entries ≠ closing)
//   GET  /v1/bank-entries      the stored entries, by account, value-date range or import
import { rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { listBankEntries } from '../bank/entries.ts'
import { importBankStatement, type BankImportOutcome } from '../bank/import-statement.ts'
import { dateParam, errorResponses, pageQuery } from '../schemas.ts'
import { spool } from './upload.ts'

const str = { type: 'string' } as const
const nstr = { type: ['string', 'null'] } as const
const issue = { type: 'object', properties: { line: { type: 'integer' }, column: str, message: str } } as const
const outcomeSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['imported', 'already_imported', 'refused'] }, import_id: { type: 'integer' }, sha256: nstr, filename: nstr, format: str,
    statements: { type: 'integer' }, entries: { type: 'integer', description: 'entries stored' }, duplicates: { type: 'integer', description: 'entries already stored from an overlapping statement, skipped' },
    accounts: { type: 'array', items: str }, error: str, message: str, issues: { type: 'array', items: issue }, issue_count: { type: 'integer' }
  },
  required: ['status', 'import_id']
} as const
const entrySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, account: str, value_date: str, booking_date: nstr, amount: { type: 'integer', description: 'cents, positive into the account' }, currency: str,
    type: nstr, customer_ref: nstr, bank_ref: nstr, narrative: str, import_id: { type: 'integer' }
  }
} as const

function view (o: BankImportOutcome): Record<string, unknown> {
  if (o.status === 'imported') return { status: o.status, import_id: o.importId, sha256: o.sha256, filename: o.filename, format: o.format, statements: o.statements, entries: o.entries, duplicates: o.duplicates, accounts: o.accounts }
  if (o.status === 'already_imported') return { status: o.status, import_id: o.importId, sha256: o.sha256, filename: o.filename }
  return { status: o.status, import_id: o.importId, sha256: o.sha256, filename: o.filename, error: o.code, message: o.message, issues: o.issues, issue_count: o.issueCount }
}

export async function bankRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const max = deps.config.limits.uploadBytes
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
  app.addContentTypeParser(['text/plain', 'text/csv', 'application/xml', 'text/xml', XLSX, 'application/octet-stream'], (_req, payload, done) => done(null, payload))

  app.post<{ Querystring: { filename?: string, account?: string } }>('/v1/bank-statements', {
    config: { access: 'settlements:write' }, handlerTimeout: deps.config.limits.importTimeoutMs, bodyLimit: max,
    schema: {
      summary: 'Import a bank statement (MT940, camt.053, or a business-banking CSV/Excel export through a bank profile): whole and once; refused when it does not balance',
      tags: ['bank'], consumes: ['text/plain', 'text/csv', 'application/xml', 'text/xml', XLSX, 'application/octet-stream'],
      querystring: { type: 'object', properties: { filename: { type: 'string', maxLength: 255 }, account: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 -]{2,40}$', description: 'the account, for an export that does not name it' } } },
      response: { ...errorResponses, 200: outcomeSchema, 201: outcomeSchema, 422: outcomeSchema }
    }
  }, async (req, reply) => {
    if (!req.body) throw new DomainError('invalid', 'BAD_REQUEST', 'send the statement file as the body (text/plain, application/xml or application/octet-stream)')
    if (Number(req.headers['content-length']) > max) throw new DomainError('too_large', 'INPUT_TOO_LARGE', `the upload is larger than ${max} bytes`)
    const path = await spool(req.body as Readable, max)
    try {
      const o = await importBankStatement(deps, { path, filename: req.query.filename ? basename(req.query.filename) : null, source: 'upload', account: req.query.account })
      req.log.info({ importId: o.importId, status: o.status }, 'bank statement import')
      return reply.code(o.status === 'imported' ? 201 : o.status === 'already_imported' ? 200 : 422).send(view(o))
    } finally {
      await rm(path, { force: true })
    }
  })

  app.get<{ Querystring: { account?: string, from?: string, to?: string, import_id?: number, after?: number, limit: number } }>('/v1/bank-entries', {
    config: { access: 'payments:read' }, handlerTimeout: deps.config.limits.routeTimeoutMs,
    schema: {
      summary: 'Bank statement entries, in the order they were stored',
      tags: ['bank'],
      querystring: { type: 'object', properties: { account: { type: 'string', maxLength: 64 }, from: dateParam, to: dateParam, import_id: { type: 'integer', minimum: 1 }, ...pageQuery } },
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: entrySchema }, next_after: { type: ['integer', 'null'] } }, required: ['items', 'next_after'] }, ...errorResponses }
    }
  }, async req => {
    const q = req.query
    const items = await listBankEntries(deps.db, deps.cipher, { account: q.account ?? null, from: q.from ?? null, to: q.to ?? null, importId: q.import_id ?? null, after: q.after ?? 0, limit: q.limit })
    return { items, next_after: items.length === q.limit ? items[items.length - 1].id : null }
  })
}
