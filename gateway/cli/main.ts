// The `recon` command line. Uses DATABASE_URL, or the embedded PostgreSQL in the data directory
// (shared with a running `npm start`).
import { parseArgs } from 'node:util'
import { existsSync } from 'node:fs'
import { ConfigError, loadConfig } from '../config.ts'
import { LEGACY_ENCODINGS, type TextEncodingName } from '../../connectors/_shared/text.ts'
import { runImport } from './import.ts'

const USAGE = `usage:
  recon import <file…> [--provider alipayhk|octopus] [--profile ID|profile.json] [--encoding utf-8|gbk|big5hkscs] [--json]
      Import AlipayHK / Octopus settlement files, and canonical POS events (*.ndjson, one event a line).
      Each file lands whole or not at all; a refused file lists every bad line. Exit code 0 when every
      file was imported (or already was), 1 when any was refused, 2 for a usage error.`

export async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === 'help') { console.log(USAGE); return command ? 0 : 2 }
  if (command !== 'import') { console.error(`unknown command "${command}"\n${USAGE}`); return 2 }
  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { provider: { type: 'string' }, profile: { type: 'string' }, encoding: { type: 'string' }, json: { type: 'boolean', default: false } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const problems: string[] = []
  if (positionals.length === 0) problems.push('name at least one file')
  for (const f of positionals) if (!existsSync(f)) problems.push(`no such file: ${f}`)
  if (values.provider && values.provider !== 'alipayhk' && values.provider !== 'octopus') problems.push('--provider must be alipayhk or octopus')
  const encodings: string[] = ['utf-8', 'utf-16le', 'utf-16be', ...LEGACY_ENCODINGS]
  if (values.encoding && !encodings.includes(values.encoding)) problems.push(`--encoding must be one of ${encodings.join(', ')}`)
  if (problems.length) { console.error(problems.join('\n') + `\n${USAGE}`); return 2 }
  try {
    return await runImport(loadConfig(), { files: positionals, provider: values.provider as 'alipayhk' | 'octopus' | undefined, profile: values.profile, encoding: values.encoding as TextEncodingName | undefined, json: values.json ?? false })
  } catch (err) {
    if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); return 2 }
    throw err
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2))
