// The `recon` entry: the same command line as main.ts, with Node's compile cache filled on the first
// run (in the installation's node_modules/.cache), or where NODE_COMPILE_CACHE says.
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const ENTRY = join(import.meta.dirname, 'recon.ts')
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [ENTRY, ...args], { env: { ...process.env, NODE_COMPILE_CACHE: '', ...env } }).then(r => ({ code: 0, ...r }), (e: { code: number, stdout: string, stderr: string }) => e)

const files = (dir: string): string[] => existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter(d => d.isFile()).map(d => d.name) : []

t.test('runs the command line, filling the installation\'s compile cache', async t => {
  const cache = join(import.meta.dirname, '../../node_modules/.cache/node-compile-cache')
  rmSync(cache, { recursive: true, force: true })
  const tmp = t.testdir({})
  const r = await run(['reconcile'], { TMPDIR: tmp })
  t.equal(r.code, 2, 'a usage error, as from main.ts')
  t.match(r.stderr, /--date YYYY-MM-DD is required[\s\S]*recon reconcile/)
  t.ok(files(cache).length > 50, `the modules it loaded are cached (${files(cache).length} files)`)
  t.same(files(tmp), [], 'nothing in the shared temporary directory')
})

t.test('a compile cache given in the environment is the one used', async t => {
  const own = t.testdir({})
  const r = await run(['reconcile'], { NODE_COMPILE_CACHE: own })
  t.equal(r.code, 2)
  t.ok(files(own).length > 50, 'cached where the environment says')
})
