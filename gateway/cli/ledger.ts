// `recon audit verify`, `recon outbox status|redrive [--sink S]`, `recon stock import FILE [--catalogue]`:
// the ledger's operator commands, on the same database as the gateway.
import { basename } from 'node:path'
import { parseArgs } from 'node:util'
import { existsSync } from 'node:fs'
import type { Config } from '../config.ts'
import { startRuntime, type Runtime } from '../runtime.ts'
import { verifyLedger } from '../ledger/audit.ts'
import { outboxStatus, redrive } from '../forward/admin.ts'
import { importCatalogue, importOpening, ListRefused, readTable } from '../ledger/stock-import.ts'
import { ledgerDeps } from '../routes/inventory.ts'


/** The database and queue (no HTTP, no workers) for one command. */
export async function withRuntime<T> (config: Config, fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await startRuntime(config, { http: false, workers: false })
  try { return await fn(rt) } finally { await rt.close() }
}

async function stockImport (config: Config, file: string, catalogue: boolean): Promise<number> {
  return await withRuntime(config, async rt => {
    try {
      const table = await readTable(file, basename(file))
      const out = catalogue ? await rt.db.withTransaction(c => importCatalogue(c, table)) : await rt.db.withTransaction(c => importOpening(c, ledgerDeps(rt), table, 'cli'))
      console.log(`✔ ${file}: ${out.lines} line(s)${'posted' in out ? `, ${out.posted} movement(s) posted` : ' in the catalogue'}`)
      return 0
    } catch (err) {
      if (!(err instanceof ListRefused)) throw err
      console.log(`✖ ${file}: refused — ${err.message}`)
      for (const i of err.issues.slice(0, 100)) console.log(`    line ${i.line}${i.column ? ` (${i.column})` : ''}: ${i.message}`)
      return 1
    }
  })
}

export async function ledgerCommand (config: Config, command: string, args: string[]): Promise<number | null> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { sink: { type: 'string' }, catalogue: { type: 'boolean', default: false } } })
  const [sub, ...files] = positionals
  if (command === 'audit' && sub === 'verify') {
    return await withRuntime(config, async rt => {
      const out = await verifyLedger(rt.db, (loc, n) => process.stderr.write(`  ${loc}: ${n.toLocaleString('en')} movements checked\n`))
      if (!out.broken) { console.log(`✔ ${out.locations} location chain(s), ${out.movements.toLocaleString('en')} movements: intact`); return 0 }
      const b = out.broken
      console.log(`✖ broken at ${b.locationId} #${b.seq}${b.id ? ` (movement id ${b.id})` : ''}: ${b.problem}`)
      return 1
    })
  }
  if (command === 'outbox' && (sub === 'status' || sub === 'redrive')) {
    return await withRuntime(config, async rt => {
      if (sub === 'redrive') {
        const out = await redrive(rt.db, rt.boss, values.sink ?? null)
        console.log(`${out.rows} dead-lettered deliveries put back${out.sinks.length ? ` (${out.sinks.join(', ')})` : ''}`)
        return 0
      }
      for (const s of await outboxStatus(rt.db)) console.log(`${s.sink.padEnd(20)} pending ${s.pending}  delivered ${s.delivered}  dead ${s.dead}${s.oldest_pending_seconds !== null ? `  oldest waiting ${s.oldest_pending_seconds} s` : ''}`)
      return 0
    })
  }
  if (command === 'stock' && sub === 'import' && files.length === 1) {
    if (!existsSync(files[0])) { console.error(`no such file: ${files[0]}`); return 2 }
    return await stockImport(config, files[0], values.catalogue ?? false)
  }
  return null
}
