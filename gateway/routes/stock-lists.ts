// POST /v1/skus and POST /v1/stock/opening — the SKU catalogue and opening balances (legacy Excel or
// CSV stock lists), as a raw body with ?filename=. All or nothing, every bad line listed.
import { rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { importCatalogue, importOpening, ListRefused, MAX_LIST_BYTES, readTable } from '../ledger/stock-import.ts'
import { errorResponses } from '../schemas.ts'
import { ledgerDeps } from './inventory.ts'
import { spool } from './upload.ts'

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const result = { type: 'object', properties: { status: { type: 'string' }, lines: { type: 'integer' }, posted: { type: 'integer' } } } as const

export async function stockListRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.addContentTypeParser(['text/csv', 'text/plain', 'application/octet-stream', XLSX], (_req, payload, done) => done(null, payload))
  const upload = async (body: unknown, reply: FastifyReply, work: (path: string) => Promise<object>) => {
    if (!body) throw new DomainError('invalid', 'BAD_REQUEST', 'send the list as the request body (text/csv or an .xlsx workbook)')
    const path = await spool(body as Readable, MAX_LIST_BYTES)
    try {
      return reply.code(201).send(await work(path))
    } catch (err) {
      if (err instanceof ListRefused) return reply.code(422).send({ error: 'INVALID_ROWS', message: err.message, issues: err.issues, issue_count: err.issueCount })
      throw err
    } finally {
      await rm(path, { force: true })
    }
  }
  const common = (summary: string) => ({
    config: { access: 'catalogue:write' as const }, handlerTimeout: deps.config.limits.importTimeoutMs, bodyLimit: MAX_LIST_BYTES,
    schema: { summary, tags: ['inventory'], consumes: ['text/csv', XLSX], querystring: { type: 'object', properties: { filename: { type: 'string', maxLength: 255 } } }, response: { 201: result, ...errorResponses } }
  })

  app.post<{ Querystring: { filename?: string } }>('/v1/skus', common('Import the SKU catalogue: sku, name, supplier, unit cost (HKD)'), async (req, reply) =>
    await upload(req.body, reply, async path => {
      const t = await readTable(path, req.query.filename ?? 'catalogue.csv')
      return { status: 'imported', ...await deps.db.withTransaction(c => importCatalogue(c, t)), posted: 0 }
    }))

  app.post<{ Querystring: { filename?: string } }>('/v1/stock/opening', common('Import opening balances or a legacy stock list: sku, location, qty (refused whole on a bad line)'), async (req, reply) =>
    await upload(req.body, reply, async path => {
      const t = await readTable(path, req.query.filename ?? 'stock.csv')
      const out = await deps.db.withTransaction(c => importOpening(c, ledgerDeps(deps), t, req.principal!.actor))
      return { status: out.posted ? 'imported' : 'unchanged', ...out }
    }))
}
