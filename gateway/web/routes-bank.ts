// The bank statements page: finance uploads a statement file as a form (multipart, with the CSRF
// token among its fields) and sees what each recent file brought or why it was refused. The upload
// goes through the same import as the API's.
import { writeFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { recentBankImports } from '../bank/imports.ts'
import { importBankStatement } from '../bank/import-statement.ts'
import { qs } from './html.ts'
import { pageOf, sendPage } from './layout.ts'
import { bankPage } from './pages/bank.ts'

/** Bank statements are small next to settlement files: a year of a shop's account is well under this. */
const MAX_STATEMENT_BYTES = 16 * 1024 * 1024

interface Field { value?: unknown }
interface FilePart { filename?: string, toBuffer?: () => Promise<Buffer> }
interface UploadBody { _csrf?: string | Field, account?: string | Field, file?: FilePart }

export async function bankPageRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const t = deps.config.limits.routeTimeoutMs
  app.get<{ Querystring: { done?: string, refused?: string, already?: string } }>('/bank', {
    config: { access: 'settlements:write', page: true }, handlerTimeout: t,
    schema: { hide: true, querystring: { type: 'object', properties: { done: { type: 'string', pattern: '^[0-9]{1,18}$' }, refused: { type: 'string', pattern: '^[0-9]{1,18}$' }, already: { type: 'string', pattern: '^[0-9]{1,18}$' } } } }
  }, async (req, reply) => {
    const p = pageOf(req)
    const rows = await recentBankImports(deps.db)
    const done = rows.find(r => String(r.id) === req.query.done)
    const notice = done ? p.t('bank.done', { entries: done.entries ?? 0, accounts: done.accounts.join(', '), duplicates: done.duplicates ?? 0 }) : req.query.already ? p.t('bank.already') : null
    return sendPage(reply, bankPage(p, rows, { notice, error: req.query.refused ? p.t('bank.refusedNote') : null }))
  })

  // the fields and the file are read before the handler; the fields are flattened before the CSRF
  // check (a preHandler), so it finds the form's token as with any form
  await app.register(async scope => {
    await scope.register(multipart, { attachFieldsToBody: true, limits: { fileSize: MAX_STATEMENT_BYTES, files: 1, fields: 3, fieldSize: 200 } })
    scope.addHook('preValidation', async req => {
      const body = req.body as UploadBody | undefined
      if (!body) return
      for (const k of ['_csrf', 'account'] as const) {
        const f = body[k]
        if (f && typeof f === 'object') body[k] = typeof f.value === 'string' ? f.value : undefined
      }
    })
    scope.post<{ Body: UploadBody }>('/bank/statements', {
      config: { access: 'settlements:write', page: true }, handlerTimeout: deps.config.limits.importTimeoutMs, bodyLimit: MAX_STATEMENT_BYTES + 64 * 1024,
      schema: { hide: true }
    }, async (req, reply) => {
      const part = req.body?.file
      const file = part?.toBuffer ? await part.toBuffer() : null
      const raw = req.body?.account
      const account = typeof raw === 'string' && raw.trim() ? raw.trim().slice(0, 40) : undefined
      if (!file || file.length === 0) return reply.redirect(`/bank${qs({ refused: '0' })}`, 303)
      const dir = await mkdtemp(join(tmpdir(), 'recon-bank-'))
      try {
        const path = join(dir, 'statement')
        await writeFile(path, file)
        const o = await importBankStatement(deps, { path, filename: part?.filename ? basename(part.filename) : null, source: 'upload', account })
        const key = o.status === 'imported' ? 'done' : o.status === 'already_imported' ? 'already' : 'refused'
        return reply.redirect(`/bank${qs({ [key]: String(o.importId) })}`, 303)
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })
  })
}
