// Uploads are streamed to a temporary file under a size cap before anything reads them.
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { DomainError } from '../domain-error.ts'

/**
 * Copies an upload to a temp file, refusing it (413) past `max` bytes. Past the cap the rest of the
 * request is drained and discarded rather than the socket destroyed, so the client still gets its 413.
 */
export async function spool (source: Readable, max: number): Promise<string> {
  const path = join(tmpdir(), `recon-upload-${randomBytes(8).toString('hex')}`)
  const out = createWriteStream(path, { mode: 0o600 })
  let seen = 0
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        seen += chunk.length
        if (seen > max) {
          source.off('data', onData)
          source.resume()
          reject(new DomainError('too_large', 'INPUT_TOO_LARGE', `the upload is larger than ${max} bytes`))
          return
        }
        if (!out.write(chunk)) { source.pause(); out.once('drain', () => source.resume()) }
      }
      source.on('data', onData)
      source.once('end', () => out.end(resolve))
      source.once('error', reject)
      out.once('error', reject)
    })
  } catch (err) {
    out.destroy()
    await rm(path, { force: true })
    throw err
  }
  return path
}

