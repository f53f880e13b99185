// POST /v1/settlements — a settlement file, as multipart (field `file`, optional `provider`,
// `profile`) or as the raw body (text/csv, text/plain, an Excel workbook, an API's JSON answer,
// application/octet-stream, with ?filename=).
// The upload is streamed to a temporary file under the size cap, then imported atomically.
import { rm } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Readable } from 'node:stream'
import multipart from '@fastify/multipart'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { importSettlementFile, type ImportOutcome } from '../ingest/import-file.ts'
import { errorResponses, importSchema } from '../schemas.ts'
import { importView } from './imports.ts'
import { spool } from './upload.ts'

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
interface UploadQuery { filename?: string, provider?: string, profile?: string }

export function replyWithOutcome (reply: FastifyReply, outcome: ImportOutcome): FastifyReply {
  const code = outcome.status === 'imported' ? 201 : outcome.status === 'already_imported' ? 200 : 422
  return reply.code(code).send(importView(outcome))
}

export async function settlementRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const max = deps.config.limits.uploadBytes
  await app.register(multipart, { limits: { fileSize: max, files: 1, fields: 5, fieldSize: 200 } })
  // here a JSON body is a file like any other (WeChat Pay's settlement answer), streamed, not parsed
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser(['text/csv', 'text/plain', XLSX_TYPE, 'application/json', 'application/octet-stream'], (_req, payload, done) => done(null, payload))

  app.post<{ Querystring: UploadQuery }>('/v1/settlements', {
    config: { access: 'settlements:write' },
    handlerTimeout: deps.config.limits.importTimeoutMs,
    bodyLimit: max,
    schema: {
      summary: `Import a settlement file (${[...deps.registry.providers.values()].map(d => d.names.en).join(', ')})`,
      description: 'All or nothing: one bad line refuses the whole file, listing every bad line and why. The same file again answers "already_imported".',
      tags: ['settlements'],
      consumes: ['multipart/form-data', 'text/csv', 'text/plain', XLSX_TYPE, 'application/json', 'application/octet-stream'],
      querystring: {
        type: 'object',
        properties: {
          filename: { type: 'string', maxLength: 255, description: 'file name, for raw-body uploads (layout hints and batch ids come from it)' },
          provider: { type: 'string', enum: [...deps.registry.providers.keys()] },
          profile: { type: 'string', maxLength: 64, description: 'a mapping profile id' }
        }
      },
      response: { ...errorResponses, 200: importSchema, 201: importSchema, 422: importSchema }
    }
  }, async (req, reply) => {
    let path: string
    const q = { ...req.query }
    if (req.isMultipart()) {
      const part = await req.file()
      if (!part) throw new DomainError('invalid', 'BAD_REQUEST', 'the multipart body has no file field')
      for (const name of ['provider', 'profile'] as const) {
        const f = part.fields[name] as { value?: string } | undefined
        if (f?.value) (q as Record<string, string>)[name] = f.value
      }
      q.filename ??= part.filename
      path = await spool(part.file, max)
      if (part.file.truncated) { await rm(path, { force: true }); throw new DomainError('too_large', 'INPUT_TOO_LARGE', `the upload is larger than ${max} bytes`) }
    } else {
      if (!req.body) throw new DomainError('invalid', 'BAD_REQUEST', 'send the file as multipart/form-data or as a text/csv body')
      if (Number(req.headers['content-length']) > max) throw new DomainError('too_large', 'INPUT_TOO_LARGE', `the upload is larger than ${max} bytes`)
      path = await spool(req.body as Readable, max)
    }
    // Roll the import back when the route times out or the client goes away before the answer
    // (fastify's request.signal also fires once the body has been read, so it cannot be used here).
    const abort = new AbortController()
    const timer = setTimeout(() => abort.abort(), deps.config.limits.importTimeoutMs - 1000)
    reply.raw.once('close', () => { if (!reply.sent) abort.abort() })
    try {
      // a multipart field is not checked by the querystring schema
      if (q.provider && !deps.registry.providers.has(q.provider)) throw new DomainError('invalid', 'BAD_REQUEST', `provider must be one of ${[...deps.registry.providers.keys()].join(', ')}`)
      const outcome = await importSettlementFile(deps, {
        path, filename: q.filename ? basename(q.filename) : null, source: 'upload', provider: q.provider, profile: q.profile, signal: abort.signal
      })
      req.log.info({ importId: outcome.importId, status: outcome.status }, 'settlement file import')
      return replyWithOutcome(reply, outcome)
    } finally {
      clearTimeout(timer)
      await rm(path, { force: true })
    }
  })
}
