// Writes a reconciliation report as JSON to a stream, piece by piece: a 1M-sale day has a million
// matches, and one JSON.stringify of the whole report would hold a string of hundreds of megabytes (and
// its encoded copy) in memory at once. Small values are indented as JSON.stringify(…, null, 2) would;
// each element of a long list is written compactly on its own line. The output parses to the same value.
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { ReconReport } from '../../reconciler/types.ts'

const CHUNK = 1 << 20
const INLINE_LIMIT = 64

function indent (json: string, by: string): string {
  return json.replace(/\n/g, '\n' + by)
}

export async function writeReportJson (report: ReconReport, out: Writable): Promise<void> {
  let buf = ''
  const flush = async (force = false): Promise<void> => {
    if (buf.length < CHUNK && !force) return
    if (buf.length && !out.write(buf)) await once(out, 'drain')
    buf = ''
  }
  const entries = Object.entries(report).filter(([, v]) => v !== undefined)
  buf += '{\n'
  for (const [n, [key, value]] of entries.entries()) {
    buf += `  ${JSON.stringify(key)}: `
    if (Array.isArray(value) && value.length > INLINE_LIMIT) {
      buf += '[\n'
      for (let i = 0; i < value.length; i++) {
        buf += `    ${JSON.stringify(value[i])}${i < value.length - 1 ? ',' : ''}\n`
        await flush()
      }
      buf += '  ]'
    } else if (value && typeof value === 'object' && !Array.isArray(value) && Object.values(value).some(v => Array.isArray(v) && v.length > INLINE_LIMIT)) {
      // per-store lists of ids: one line per store
      const inner = Object.entries(value)
      buf += '{\n'
      for (const [k, [name, list]] of inner.entries()) {
        buf += `    ${JSON.stringify(name)}: ${JSON.stringify(list)}${k < inner.length - 1 ? ',' : ''}\n`
        await flush()
      }
      buf += '  }'
    } else {
      buf += indent(JSON.stringify(value, null, 2), '  ')
    }
    buf += n < entries.length - 1 ? ',\n' : '\n'
    await flush()
  }
  buf += '}\n'
  await flush(true)
}
