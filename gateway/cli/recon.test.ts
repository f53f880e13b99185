// The `recon` entry: the same command line as main.ts, with Node's compile cache filled on the first
// run (in the temporary directory, node-compile-cache), or where NODE_COMPILE_CACHE says.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readdirSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const ENTRY = join(import.meta.dirname, 'recon.ts')
const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [ENTRY, ...args], { env: { ...process.env, NODE_COMPILE_CACHE: '', ...env } }).then(r => ({ code: 0, ...r }), (e: { code: number, stdout: string, stderr: string }) => e)

const files = (dir: string): string[] => existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter(d => d.isFile()).map(d => d.name) : []

t.test('runs the command line, filling the compile cache in the temporary directory', async t => {
  const tmp = t.testdir({})
  const r = await run(['reconcile'], { TMPDIR: tmp })
  t.equal(r.code, 2, 'a usage error, as from main.ts')
  t.match(r.stderr, /--date YYYY-MM-DD is required[\s\S]*recon reconcile/)
  t.ok(files(join(tmp, 'node-compile-cache')).length > 50, `the modules it loaded are cached (${files(join(tmp, 'node-compile-cache')).length} files)`)
})

t.test('a compile cache given in the environment is the one used', async t => {
  const tmp = t.testdir({ own: {}, other: {} })
  const r = await run(['reconcile'], { TMPDIR: join(tmp, 'other'), NODE_COMPILE_CACHE: join(tmp, 'own') })
  t.equal(r.code, 2)
  t.ok(files(join(tmp, 'own')).length > 50, 'cached where the environment says')
  t.same(files(join(tmp, 'other', 'node-compile-cache')), [], 'not in the temporary directory')
})
