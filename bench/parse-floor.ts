// The floor for `recon reconcile`: only reading the same files, nothing else. Settlement files go
// through csv-parse (the library a pandas-free script would use), NDJSON lines through JSON.parse.
//   node bench/parse-floor.ts <file…>   prints one JSON line: seconds and rows per kind
import { createReadStream, openSync, readSync, closeSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { parse } from 'csv-parse'

function firstLine (path: string): string {
  const fd = openSync(path, 'r')
  const buf = Buffer.alloc(4096)
  const n = readSync(fd, buf, 0, buf.length, 0)
  closeSync(fd)
  return buf.toString('utf8', 0, n).split('\n')[0]
}

const started = performance.now()
let jsonRows = 0
let csvRows = 0
let jsonMs = 0
let csvMs = 0
for (const path of process.argv.slice(2)) {
  const t0 = performance.now()
  if (path.endsWith('.ndjson')) {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line) { JSON.parse(line); jsonRows++ }
    jsonMs += performance.now() - t0
  } else {
    const delimiter = firstLine(path).includes('|') ? '|' : ','
    for await (const _row of createReadStream(path).pipe(parse({ delimiter, relax_column_count: true, relax_quotes: true, bom: true }))) csvRows++
    csvMs += performance.now() - t0
  }
}
process.stdout.write(JSON.stringify({ seconds: (performance.now() - started) / 1000, json_rows: jsonRows, json_s: jsonMs / 1000, csv_rows: csvRows, csv_s: csvMs / 1000 }) + '\n')
