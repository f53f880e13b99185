import t from 'tap'
import fc from 'fast-check'
import { createWriteStream } from 'node:fs'
import { truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { DelimitedSplitter, RecordError } from './delimited.ts'
import { probeFile } from './settlement-reader.ts'
import { readBack } from '../../fixtures/support/settlement.ts'

function split (text: string, delimiter = ',', chunk = 7): { rows: string[][], lines: number[], bad: RecordError[] } {
  const s = new DelimitedSplitter({ delimiter })
  const rows: string[][] = []
  const lines: number[] = []
  const bad: RecordError[] = []
  const sink = (f: string[], line: number): void => { rows.push(f); lines.push(line) }
  for (let i = 0; i < text.length; i += chunk) s.push(text.slice(i, i + chunk), sink, e => bad.push(e))
  s.end(sink, e => bad.push(e))
  return { rows, lines, bad }
}

function quote (v: string, d: string): string {
  return /["\n\r]/.test(v) || v.includes(d) ? `"${v.replace(/"/g, '""')}"` : v
}

t.test('F2: any table survives stringify → split, and agrees with csv-parse, in any chunking', async t => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', '1', ' ', ',', '|', '"', '\n', '\r\n', '中', '𨋢', '\t'), maxLength: 8 })
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 5 }).chain(cols => fc.array(fc.array(cell, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 12 })),
    fc.constantFrom(',', '|'),
    fc.integer({ min: 1, max: 40 }),
    (table, d, chunk) => {
      // a lone empty cell would be a blank line: csv-parse and we both keep it as [''], but make it explicit
      const text = table.map(r => r.map(v => quote(v, d)).join(d)).join('\n') + '\n'
      const ours = split(text, d, chunk)
      const theirs = parseCsv(text, { delimiter: d, relax_column_count: true, record_delimiter: ['\n'] }) as string[][]
      // csv-parse turns a quoted "\r\n" inside a field into itself; we normalise line breaks inside
      // quoted fields to "\n" — compare on that basis
      const norm = (rows: string[][]) => rows.map(r => r.map(v => v.replace(/\r\n/g, '\n')))
      return ours.bad.length === 0 && JSON.stringify(norm(ours.rows)) === JSON.stringify(norm(table)) && JSON.stringify(norm(ours.rows)) === JSON.stringify(norm(theirs))
    }
  ), { numRuns: Number(process.env.F2_RUNS ?? 100_000) })
  t.pass('property held')
})

t.test('records get the physical line they start on, also after multi-line quoted fields and CRLF', async t => {
  const { rows, lines } = split('h1,h2\r\na,"x\r\ny"\r\nb,c\r\n')
  t.same(rows, [['h1', 'h2'], ['a', 'x\ny'], ['b', 'c']])
  t.same(lines, [1, 2, 4])
})

t.test("Excel's =\"…\" text trick as Excel writes it (unquoted) is read as the text inside; the quoted form too", async t => {
  const raw = split('id,txn,amt\nPOS1-000123,="2026112022001400000000000001",12.50\n="A""B",x,="00123"\n', ',')
  t.same(raw.bad, [])
  t.same(raw.rows, [['id', 'txn', 'amt'], ['POS1-000123', '2026112022001400000000000001', '12.50'], ['A"B', 'x', '00123']])
  const pipes = split('a|="0042"|b\n', '|')
  t.same(pipes.rows, [['a', '0042', 'b']], 'with pipes as the delimiter')
  const inside = split('a,"note: =""x"" stays",b\n', ',')
  t.same(inside.rows, [['a', 'note: ="x" stays', 'b']], 'a ="…" inside a quoted field is left as text')
  const quoted = split('a,"=""0042""",b\n', ',')
  t.same(quoted.rows, [['a', '="0042"', 'b']], 'the fully quoted form reaches clean() as ="…"')
})

t.test('F4: stray and unclosed quotes are reported with line numbers, not swallowed silently', async t => {
  const stray = split('a,b\nab"c",d\ne,f\n')
  t.same(stray.bad.map(e => [e.line, e.message]), [[2, 'malformed quoting (INVALID_OPENING_QUOTE)']])
  t.same(stray.rows, [['a', 'b'], ['e', 'f']], 'the rows around it are still seen (and counted)')
  t.throws(() => split('a,b\n"open,x\ny,z\n'), { name: 'RecordError', line: 2, message: /never closed/ })
})

t.test('F4: a ragged file is refused whole with every bad line', async t => {
  const head = 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Settlement_time,Type\n'
  const dir = t.testdir({
    'ragged_settle_20261121_B1.csv': head +
      'R1,T1,10.00,0.10,9.90,HKD,11/20/2026 10:00,,PAYMENT\n' +
      'R2,T2,10.00\n' +
      'R3,T3,10.00,0.10,9.90,HKD,11/20/2026 10:00,,PAYMENT,EXTRA\n' +
      'R4,"T4,10.00,0.10,9.90,HKD,11/20/2026 10:00,,PAYMENT\n'
  })
  const { result, records } = await readBack(join(dir, 'ragged_settle_20261121_B1.csv'))
  t.equal(records.length, 1, 'only the good row before the first bad one was handed over (the importer rolls it back)')
  t.same(result.issues, [
    { line: 3, message: 'row has 3 fields, the header has 9' },
    { line: 4, message: 'row has 10 fields, the header has 9' },
    { line: 5, message: 'a quoted field opened on this line is never closed' }
  ])
})

t.test('F3: BOM variants and quoted headers give exact column names', async t => {
  const body = 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Type\nR1,T1,10.00,0.10,9.90,HKD,11/20/2026 10:00,PAYMENT\n'
  const quoted = body.replace(/^[^\n]+/, h => h.split(',').map(c => `"${c}"`).join(','))
  const variants: Record<string, Buffer> = {
    'none.csv': Buffer.from(body),
    'utf8bom.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]),
    'utf16le.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]),
    'quoted_none.csv': Buffer.from(quoted),
    'quoted_utf8bom.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(quoted)]),
    'quoted_utf16le.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(quoted, 'utf16le')])
  }
  const dir = t.testdir(Object.fromEntries(Object.entries(variants).map(([k, v]) => [k, v])))
  for (const name of Object.keys(variants)) {
    const { result, records } = await readBack(join(dir, name))
    t.equal(result.issueCount, 0, `${name}: no issues`)
    t.same(records.map(r => [r.merchantRef, r.gross]), [['R1', 1000]], `${name}: the first column is found by its exact name`)
  }
})

t.test('F7: a 50 MB single-line file is refused at the record-size limit with flat memory', async t => {
  const dir = t.testdir({})
  const path = join(dir, 'one_line.csv')
  const out = createWriteStream(path)
  const chunk = 'x'.repeat(1 << 20)
  for (let i = 0; i < 50; i++) if (!out.write(chunk)) await new Promise<void>(resolve => out.once('drain', () => resolve()))
  await new Promise<void>(resolve => out.end(() => resolve()))
  const before = process.memoryUsage().rss
  await t.rejects(readBack(path), { code: 'UNKNOWN_LAYOUT' }, 'the head has no header line a provider knows')
  const dir2 = t.testdir({})
  const path2 = join(dir2, 'x_settle_20261121_B1.csv')
  await writeFile(path2, 'Partner_transaction_id,Transaction_id,Amount,Type\n')
  const out2 = createWriteStream(path2, { flags: 'a' })
  for (let i = 0; i < 50; i++) if (!out2.write(chunk)) await new Promise<void>(resolve => out2.once('drain', () => resolve()))
  await new Promise<void>(resolve => out2.end(() => resolve()))
  const { result } = await readBack(path2)
  t.match(result.issues, [{ line: 2, message: /longer than 65536 bytes/ }])
  const grown = (process.memoryUsage().rss - before) / (1 << 20)
  t.ok(grown < 200, `RSS grew ${grown.toFixed(0)} MiB reading 100 MB (limit 200)`)
})

t.test('F7: a file over the size cap is refused before it is read', async t => {
  const dir = t.testdir({})
  const path = join(dir, 'huge.csv')
  await writeFile(path, '')
  await truncate(path, 1024 * 1024 * 1024) // sparse 1 GiB
  await t.rejects(probeFile(path, 256 * 1024 * 1024), { code: 'INPUT_TOO_LARGE', message: /1073741824 bytes; the limit is 268435456/ })
  await writeFile(join(dir, 'empty.csv'), '')
  await t.rejects(probeFile(join(dir, 'empty.csv'), 1000), { code: 'INPUT_EMPTY' })
})
