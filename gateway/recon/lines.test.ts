// Our line reader against node:readline (crlfDelay: Infinity), the reader it replaces, on texts made
// of every kind of break and of characters of 1 to 4 UTF-8 bytes, read in chunks that split both.
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { eachLine } from './lines.ts'

const PIECES = ['a', '{"x":1}', 'é', '漢', '🧾', '\n', '\r', '\r\n', '\n\n', ' ', '\uFEFF']

async function readlineLines (path: string): Promise<string[]> {
  const out: string[] = []
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) out.push(line)
  return out
}

t.test('the same lines as readline, whatever the breaks, characters and chunk sizes', async t => {
  const dir = t.testdir({})
  let seed = 7
  const next = (k: number): number => { seed = (seed * 48271) % 2147483647; return seed % k }
  for (let n = 0; n < 60; n++) {
    const text = Array.from({ length: 1 + next(80) }, () => PIECES[next(PIECES.length)]).join('')
    const path = join(dir, `${n}.txt`)
    writeFileSync(path, text)
    const expected = await readlineLines(path)
    for (const chunk of [1, 2, 3, 5, 1 << 20]) {
      const got: string[] = []
      await eachLine(path, l => got.push(l), chunk)
      t.same(got, expected, `text ${n} in ${chunk}-byte chunks: ${JSON.stringify(text).slice(0, 60)}`)
    }
  }
})

t.test('the edges: empty file, no final break, a final \\r, \\r\\n split between chunks', async t => {
  const dir = t.testdir({})
  const cases: Array<[string, string[]]> = [['', []], ['a', ['a']], ['a\r', ['a']], ['a\r\nb', ['a', 'b']], ['\n', ['']], ['a\r\r\nb\n', ['a', '', 'b']]]
  for (const [text, lines] of cases) {
    const path = join(dir, 'edge.txt')
    writeFileSync(path, text)
    for (const chunk of [1, 2, 1 << 20]) {
      const got: string[] = []
      await eachLine(path, l => got.push(l), chunk)
      t.same(got, lines, `${JSON.stringify(text)} in ${chunk}-byte chunks`)
    }
  }
})
