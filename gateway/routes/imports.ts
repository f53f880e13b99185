// GET /v1/imports/:id — what became of an import: status, counts per payment type, control totals,
// and for a refused file every bad line with its reason.
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import type { ImportOutcome } from '../ingest/import-file.ts'
import { importRecord } from '../ingest/records.ts'
import { errorResponses, importSchema } from '../schemas.ts'

/** The API shape of an import outcome (snake_case, as the rest of the API). */
export function importView (o: ImportOutcome): Record<string, unknown> {
  if (o.status === 'imported') {
    return { status: o.status, import_id: o.importId, sha256: o.sha256, filename: o.filename, provider: o.provider, layout: o.layout, file_kind: o.fileKind, encoding: o.encoding, lines: o.lines, records: o.records, batches: o.batches, by_type: o.byType, controls: o.controls, warnings: o.warnings }
  }
  if (o.status === 'already_imported') {
    return { status: o.status, import_id: o.importId, sha256: o.sha256, filename: o.filename, message: `this file was already imported as import #${o.importId}; nothing new was written` }
  }
  return { status: o.status, import_id: o.importId, sha256: o.sha256, filename: o.filename, error: o.code, message: o.message, issues: o.issues, issue_count: o.issueCount }
}

export async function importRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Params: { id: number } }>('/v1/imports/:id', {
    config: { access: 'imports:read' },
    handlerTimeout: deps.config.limits.routeTimeoutMs,
    schema: {
      summary: 'An import: status, counts and errors',
      tags: ['settlements'],
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
      response: { 200: importSchema, ...errorResponses }
    }
  }, async req => {
    return await importRecord(deps.db, req.params.id)
  })
}
