// `recon import <file…>`: settlement files into the database, each atomically, with a progress bar.
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { parseProfile } from '../../connectors/profile/profile.ts'
import { formatHkd } from '../../connectors/_shared/money.ts'
import type { TextEncodingName } from '../../connectors/_shared/text.ts'
import { ConfigError, type Config } from '../config.ts'
import { importSettlementFile, type ImportOutcome } from '../ingest/import-file.ts'
import { importPosNdjson, type PosUploadOutcome } from '../ingest/pos-ndjson.ts'
import { startRuntime } from '../runtime.ts'
import { progressBar } from './progress.ts'

export interface ImportArgs { files: string[], provider?: string, profile?: string, encoding?: TextEncodingName, json: boolean }

export function describeOutcome (file: string, o: ImportOutcome): string {
  if (o.status === 'already_imported') return `= ${file}: already imported as #${o.importId}; nothing new`
  if (o.status === 'refused') {
    const shown = o.issues.slice(0, 50).map(i => `    line ${i.line}${i.column ? ` (${i.column})` : ''}: ${i.message}`).join('\n')
    const more = o.issueCount > 50 ? `\n    … and ${o.issueCount - 50} more (recon import --json, or GET /v1/imports/${o.importId})` : ''
    return `✖ ${file}: refused (${o.code}) — ${o.message}\n${shown}${more}`
  }
  const types = Object.entries(o.byType).map(([type, v]) => `${type} ${v!.count} (${formatHkd(v!.gross)})`).join(', ')
  const warn = o.warnings.map(w => `\n  ! line ${w.line}: ${w.message}`).join('')
  return `✔ ${file}: imported as #${o.importId} — ${o.provider} ${o.layout} ${o.fileKind} file, ${o.records.toLocaleString('en')} rows${o.batches ? `, ${o.batches} batches` : ''}${types ? `: ${types}` : ''}${warn}`
}

export function describePosOutcome (file: string, o: PosUploadOutcome): string {
  if (o.status === 'accepted') return `✔ ${file}: ${o.events.toLocaleString('en')} POS events, ${o.accepted.toLocaleString('en')} new, ${o.duplicates.toLocaleString('en')} already received`
  const shown = o.issues.slice(0, 50).map(i => `    line ${i.line}${i.column ? ` (${i.column})` : ''}: ${i.message}`).join('\n')
  return `✖ ${file}: refused (${o.code}) — ${o.message}${shown ? `\n${shown}` : ''}${o.issueCount > 50 ? `\n    … and ${o.issueCount - 50} more` : ''}`
}

const POS_FILE = /\.(nd)?jsonl?$/i

/**
 * A profile given as a file is added for this run, under the provider it names (`"provider"` in the
 * profile, else --provider); a profile id names one the configuration already has.
 */
function withProfileFile (config: Config, file: string, provider: string | undefined): { config: Config, profile: string } {
  const p = parseProfile(JSON.parse(readFileSync(file, 'utf8')))
  const owner = p.provider ?? provider
  if (!owner) throw new ConfigError(`profile ${file} does not say which provider's files it reads: add "provider" to it or pass --provider`)
  const profiles = { ...config.connectors.profiles, [owner]: [...(config.connectors.profiles?.[owner] ?? []).filter(x => x.id !== p.id), p] }
  return { config: { ...config, connectors: { ...config.connectors, profiles } }, profile: p.id }
}

export async function runImport (base: Config, args: ImportArgs): Promise<number> {
  const { config, profile } = args.profile?.endsWith('.json') ? withProfileFile(base, args.profile, args.provider) : { config: base, profile: args.profile }
  const rt = await startRuntime(config, { http: false, workers: false })
  let failed = 0
  const outcomes: Array<{ file: string } & (ImportOutcome | PosUploadOutcome)> = []
  try {
    for (const file of args.files) {
      if (POS_FILE.test(file)) {
        // canonical POS events (NDJSON), e.g. a till's offline backlog
        const pos = await importPosNdjson(rt, file)
        if (pos.status === 'refused') failed++
        outcomes.push({ file, ...pos })
        if (!args.json) console.log(describePosOutcome(file, pos))
        continue
      }
      const size = statSync(file).size
      const bar = !args.json && size > 1_048_576 ? progressBar(basename(file)) : null
      const outcome = await importSettlementFile(rt, {
        path: file, filename: basename(file), source: 'cli', provider: args.provider, profile, encoding: args.encoding,
        onProgress: bar ? p => bar.update(p.bytes, p.totalBytes, p.rows) : undefined
      })
      bar?.finish()
      if (outcome.status === 'refused') failed++
      outcomes.push({ file, ...outcome })
      if (!args.json) console.log(describeOutcome(file, outcome))
    }
  } finally {
    await rt.close()
  }
  if (args.json) console.log(JSON.stringify(outcomes, null, 2))
  return failed ? 1 : 0
}
