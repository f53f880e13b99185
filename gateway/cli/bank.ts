// `recon bank import <file…> [--json]`: bank statements into the database, each whole and once.
import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { importBankStatement, type BankImportOutcome } from '../bank/import-statement.ts'
import type { Config } from '../config.ts'
import { startRuntime } from '../runtime.ts'


function describe (file: string, o: BankImportOutcome): string {
  if (o.status === 'already_imported') return `= ${file}: already imported as #${o.importId}; nothing new`
  if (o.status === 'refused') return `✖ ${file}: refused (${o.code}) — ${o.message}\n${o.issues.slice(0, 50).map(i => `    ${i.line ? `line ${i.line}: ` : ''}${i.message}`).join('\n')}`
  return `✔ ${file}: imported as #${o.importId} — ${o.format}, ${o.statements} statement(s) of ${o.accounts.join(', ')}, ${o.entries} entries${o.duplicates ? ` (${o.duplicates} already imported from an overlapping statement)` : ''}`
}

/** Null when the arguments are not a bank command (the caller prints the usage). */
export async function bankCommand (config: Config, args: string[]): Promise<number | null> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, account: { type: 'string' } } })
  const [sub, ...files] = positionals
  if (sub !== 'import' || files.length === 0) return null
  const missing = files.filter(f => !existsSync(f))
  if (missing.length) { console.error(missing.map(f => `no such file: ${f}`).join('\n')); return 2 }
  const rt = await startRuntime(config, { http: false, workers: false })
  const outcomes: Array<{ file: string } & BankImportOutcome> = []
  try {
    for (const file of files) {
      const o = await importBankStatement(rt, { path: file, filename: basename(file), source: 'cli', account: values.account })
      outcomes.push({ file, ...o })
      if (!values.json) console.log(describe(file, o))
    }
  } finally {
    await rt.close()
  }
  if (values.json) console.log(JSON.stringify(outcomes, null, 2))
  return outcomes.some(o => o.status === 'refused') ? 1 : 0
}
