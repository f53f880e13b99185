// POST /v1/pos-events — canonical POS events as NDJSON, for the pos role: a till's offline backlog or
// a vendor's bulk upload. All lines are checked before any is accepted (gateway/ingest/pos-ndjson.ts).
import { rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { errorResponses } from '../schemas.ts'
import { spool } from './upload.ts'

const accepted = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['accepted'] },
    events: { type: 'integer' },
    accepted: { type: 'integer', description: 'new events, queued for normalisation' },
    duplicates: { type: 'integer', description: 'events whose id was already received with the same body' }
  },
  required: ['status', 'events', 'accepted', 'duplicates']
} as const

export async function posEventRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  const max = deps.config.limits.uploadBytes
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/plain', 'application/octet-stream'], (_req, payload, done) => done(null, payload))
  app.post('/v1/pos-events', {
    config: { access: 'pos:write' },
    handlerTimeout: deps.config.limits.importTimeoutMs,
    bodyLimit: max,
    schema: {
      summary: 'Upload canonical POS events as NDJSON (one event a line)',
      description: 'Authenticated by API key instead of a signature. All or nothing: every bad line is listed and nothing is accepted; an event id already received with the same body is counted as a duplicate.',
      tags: ['webhooks'],
      consumes: ['application/x-ndjson'],
      response: { ...errorResponses, 202: accepted }
    }
  }, async (req, reply) => {
    if (!req.body) throw new DomainError('invalid', 'BAD_REQUEST', 'send the events as an application/x-ndjson body')
    if (Number(req.headers['content-length']) > max) throw new DomainError('too_large', 'INPUT_TOO_LARGE', `the upload is larger than ${max} bytes`)
    const path = await spool(req.body as Readable, max)
    try {
      const out = await importPosNdjson(deps, path)
      if (out.status === 'refused') {
        const code = out.code === 'INVALID_ROWS' && out.issues.some(i => i.column === 'id') ? 409 : 422
        return reply.code(code).send({ error: out.code, message: out.message, issues: out.issues, issue_count: out.issueCount })
      }
      return reply.code(202).send(out)
    } finally {
      await rm(path, { force: true })
    }
  })
}
