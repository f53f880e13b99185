// Text decoding for provider files. csv-parse only knows Node's own encodings, and a GBK or Big5 file
// read as UTF-8 turns into U+FFFD garbage without any error, so decoding happens here: strict UTF-8
// first (BOM stripped), then the legacy encodings the provider is known to use, and a decode that
// produced a replacement character or a Private Use Area code point (TextDecoder's Big5 does that for
// HKSCS characters) is refused rather than stored.
import { createReadStream } from 'node:fs'
import iconv from 'iconv-lite'

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gbk' | 'gb18030' | 'big5hkscs'
export const LEGACY_ENCODINGS: readonly TextEncodingName[] = ['gbk', 'gb18030', 'big5hkscs']

const SUSPECT = /[\uFFFD\uE000-\uF8FF]/

export class EncodingError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'EncodingError'
  }
}

/** What the BOM (if any) says, from the first bytes of a file. */
export function encodingFromBom (head: Uint8Array): TextEncodingName | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8'
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le'
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be'
  return null
}

/** Streaming decoder for one encoding; `write` returns the text decoded so far. */
export interface ChunkDecoder { write (chunk: Uint8Array): string, end (): string }

export function createDecoder (encoding: TextEncodingName): ChunkDecoder {
  if (encoding === 'utf-8' || encoding === 'utf-16le' || encoding === 'utf-16be') {
    const d = new TextDecoder(encoding, { fatal: true })
    return {
      write: chunk => d.decode(chunk, { stream: true }),
      end: () => d.decode()
    }
  }
  const d = iconv.getDecoder(encoding)
  const check = (s: string): string => {
    if (SUSPECT.test(s)) throw new EncodingError(`the file does not decode cleanly as ${encoding}`)
    return s
  }
  return {
    write: chunk => check(d.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))),
    end: () => check(d.end() ?? '')
  }
}

/** True when the whole buffer decodes as `encoding` without an error or a suspect code point. */
export function decodesCleanly (bytes: Uint8Array, encoding: TextEncodingName): boolean {
  try {
    const d = createDecoder(encoding)
    d.write(bytes)
    d.end()
    return true
  } catch {
    return false
  }
}

/** Decodes a whole buffer (small inputs: webhook bodies, tests). */
export function decodeAll (bytes: Uint8Array, encoding: TextEncodingName): string {
  const d = createDecoder(encoding)
  const text = d.write(bytes) + d.end()
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/** Reads a file as decoded text chunks. */
export async function * readTextChunks (path: string, encoding: TextEncodingName, highWaterMark = 1 << 20): AsyncGenerator<string> {
  const d = createDecoder(encoding)
  let first = true
  for await (const chunk of createReadStream(path, { highWaterMark })) {
    let text: string
    try {
      text = d.write(chunk as Buffer)
    } catch (err) {
      throw asEncodingError(err, encoding)
    }
    if (first && text.length > 0) {
      first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (text) yield text
  }
  let tail: string
  try { tail = d.end() } catch (err) { throw asEncodingError(err, encoding) }
  if (tail) yield tail
}

function asEncodingError (err: unknown, encoding: string): Error {
  if (err instanceof EncodingError) return err
  return new EncodingError(`the file is not valid ${encoding}`)
}
