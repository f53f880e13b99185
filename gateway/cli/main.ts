// The `recon` command line. Uses DATABASE_URL, or the embedded PostgreSQL in the data directory
// (shared with a running `npm start`).
import { parseArgs } from 'node:util'
import { existsSync, readdirSync } from 'node:fs'
import { getPriority, setPriority } from 'node:os'
import { ConfigError, loadConfig, registryOf } from '../config.ts'
import { LEGACY_ENCODINGS, type TextEncodingName } from '../../connectors/_shared/text.ts'
import { runReconcile } from './reconcile.ts'
import { ACCOUNT_USAGE, BANK_USAGE, LEDGER_USAGE, MAINTENANCE_USAGE } from './usage.ts'
import { InputError } from '../../connectors/errors.ts'
import { builtInConnectors } from '../../connectors/index.ts'

const USAGE = `usage:
  recon reconcile --pos events.ndjson --settlement FILE… --date YYYY-MM-DD [--store S] [--format json|csv] [--out FILE]
                  [--movements movements.ndjson] [--bank STATEMENT…] [--as-of YYYY-MM-DD] [--summary] [--nice 0-19]
      Reconcile a business day offline: POS events and settlement files in, the report out (no server, no
      database); with bank statements, each payout is followed to the bank. --summary leaves out the
      per-match list and the verified movement ids (exceptions and totals only). It runs as batch work at
      --nice 10 (default; 0 for normal priority): on a machine that also runs the gateway, webhooks and
      ledger postings are served first. Exit code 0 when it ran (exceptions are data), 1 on unreadable input, 2 for a usage error.
  recon import <file…> [--provider ID] [--profile ID|profile.json] [--encoding utf-8|gbk|big5hkscs] [--json]
      Import settlement files of any registered provider (built in: ${[...builtInConnectors().providers.values()].map(p => `${p.id} = ${p.names.en}`).join(', ')};
      RECON_CONFIG may add more), and canonical POS events (*.ndjson, one event a line).
      Each file lands whole or not at all; a refused file lists every bad line. Exit code 0 when every
      file was imported (or already was), 1 when any was refused, 2 for a usage error.
${BANK_USAGE}
${LEDGER_USAGE}
${ACCOUNT_USAGE}
${MAINTENANCE_USAGE}`

export async function main (argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === '--help' || command === 'help') { console.log(USAGE); return command ? 0 : 2 }
  if (command === 'reconcile') return await reconcileCommand(rest)
  if (['audit', 'outbox', 'stock', 'user', 'key', 'keys', 'retention', 'bank'].includes(command)) {
    try {
      const config = loadConfig()
      // each command's module (and the runtime it starts) is loaded only when it runs
      const code = command === 'bank'
        ? await (await import('./bank.ts')).bankCommand(config, rest)
        : command === 'user' || command === 'key'
        ? await (await import('./accounts.ts')).accountCommand(config, command, rest)
        : command === 'keys' || command === 'retention'
        ? await (await import('./maintenance.ts')).maintenanceCommand(config, command, rest)
        : await (await import('./ledger.ts')).ledgerCommand(config, command, rest)
      if (code !== null) return code
    } catch (err) {
      if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); return 2 }
      if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) { console.error(`${(err as Error).message}\n${USAGE}`); return 2 }
      throw err
    }
    console.error(`usage error\n${USAGE}`)
    return 2
  }
  if (command !== 'import') { console.error(`unknown command "${command}"\n${USAGE}`); return 2 }
  let parsed
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: { provider: { type: 'string' }, profile: { type: 'string' }, encoding: { type: 'string' }, json: { type: 'boolean', default: false } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  let config
  try { config = loadConfig() } catch (err) {
    if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); return 2 }
    throw err
  }
  const problems: string[] = []
  if (positionals.length === 0) problems.push('name at least one file')
  for (const f of positionals) if (!existsSync(f)) problems.push(`no such file: ${f}`)
  const providers = [...registryOf(config).providers.keys()]
  if (values.provider && !providers.includes(values.provider)) problems.push(`--provider must be one of ${providers.join(', ')}`)
  const encodings: string[] = ['utf-8', 'utf-16le', 'utf-16be', ...LEGACY_ENCODINGS]
  if (values.encoding && !encodings.includes(values.encoding)) problems.push(`--encoding must be one of ${encodings.join(', ')}`)
  if (problems.length) { console.error(problems.join('\n') + `\n${USAGE}`); return 2 }
  try {
    const { runImport } = await import('./import.ts')
    return await runImport(config, { files: positionals, provider: values.provider, profile: values.profile, encoding: values.encoding as TextEncodingName | undefined, json: values.json ?? false })
  } catch (err) {
    if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); return 2 }
    throw err
  }
}

/** `--settlement a.csv b.csv` → `--settlement a.csv --settlement b.csv` (the documented form takes several). */
export function spreadMulti (args: string[], multi: string[]): string[] {
  const out: string[] = []
  let current: string | null = null
  for (const a of args) {
    if (a.startsWith('--')) { current = multi.includes(a) ? a : null; out.push(a); continue }
    if (current && out[out.length - 1] !== current) out.push(current)
    out.push(a)
  }
  return out
}

async function reconcileCommand (args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args: spreadMulti(args, ['--pos', '--settlement', '--bank']), options: { pos: { type: 'string', multiple: true }, settlement: { type: 'string', multiple: true }, bank: { type: 'string', multiple: true }, movements: { type: 'string' }, date: { type: 'string' }, store: { type: 'string' }, format: { type: 'string', default: 'json' }, out: { type: 'string' }, 'as-of': { type: 'string' }, summary: { type: 'boolean', default: false }, nice: { type: 'string', default: '10' } } })
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  const v = parsed.values
  const problems: string[] = []
  if (!v.date || !/^\d{4}-\d{2}-\d{2}$/.test(v.date)) problems.push('--date YYYY-MM-DD is required')
  if (v['as-of'] && !/^\d{4}-\d{2}-\d{2}$/.test(v['as-of'])) problems.push('--as-of must be YYYY-MM-DD')
  if (!v.pos?.length && !v.settlement?.length) problems.push('give --pos and/or --settlement files')
  if (v.format !== 'json' && v.format !== 'csv') problems.push('--format must be json or csv')
  if (!/^(1?[0-9])$/.test(v.nice)) problems.push('--nice must be a whole number from 0 to 19')
  for (const f of [...v.pos ?? [], ...v.settlement ?? [], ...v.bank ?? [], ...(v.movements ? [v.movements] : [])]) if (!existsSync(f)) problems.push(`no such file: ${f}`)
  if (problems.length) { console.error(problems.join('\n') + `\n${USAGE}`); return 2 }
  lowerPriority(Number(v.nice))
  try {
    await runReconcile(loadConfig(), { pos: v.pos ?? [], settlements: v.settlement ?? [], movements: v.movements, bank: v.bank, date: v.date!, store: v.store, format: v.format as 'json' | 'csv', out: v.out, asOf: v['as-of'], summary: v.summary })
    return 0
  } catch (err) {
    if (err instanceof InputError) {
      console.error(`recon reconcile: ${err.message}`)
      for (const i of err.issues.slice(0, 50)) console.error(`  line ${i.line}${i.column ? ` (${i.column})` : ''}: ${i.message}`)
      return 1
    }
    if (err instanceof ConfigError) { console.error(`configuration error: ${err.message}`); return 2 }
    throw err
  }
}

/**
 * Batch work yields to interactive work: the scheduler serves the gateway and PostgreSQL on the same
 * machine first. On Linux a priority is per thread, so every thread already running is lowered (V8's
 * garbage collector and compiler threads among them); threads started later take their creator's.
 */
function lowerPriority (nice: number): void {
  if (nice === 0) return
  let threads = [0]
  try { threads = readdirSync('/proc/self/task').map(Number) } catch { /* not Linux: this thread only */ }
  for (const tid of threads) {
    try {
      setPriority(tid, Math.max(getPriority(tid), nice))
    } catch (err) {
      // a helper thread may have ended since the listing; only this thread's failure is worth a word
      if (tid === 0 || tid === process.pid) console.error(`recon reconcile: could not lower its priority (${(err as Error).message}); running at normal priority`)
    }
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2))
