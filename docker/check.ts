// The container check CI runs without a Docker engine: docker/Dockerfile is followed line by line in
// an empty folder — each COPY copies exactly what it names (from the repository, the build context),
// each RUN runs (only `npm ci …` is expected), ENV is kept — then its CMD is started against a real
// PostgreSQL (DATABASE_URL, or an embedded one) with production secrets, and must answer /readyz and
// stop cleanly on SIGTERM. A file the image forgets to copy fails here, as `reconciler/` once did.
//   node docker/check.ts      (npm run check:container)
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { startEmbeddedPostgres, freePort } from '../gateway/db/embedded.ts'

const ROOT = resolve(import.meta.dirname, '..')

export interface Step { op: 'COPY' | 'RUN' | 'ENV' | 'WORKDIR' | 'CMD', args: string[] }

/** The Dockerfile's instructions that shape the filesystem and the start (comments and continuations handled). */
export function parseDockerfile (text: string): Step[] {
  const steps: Step[] = []
  for (const line of text.replace(/\\\n/g, ' ').split('\n').map(l => l.trim())) {
    const m = /^(COPY|RUN|ENV|WORKDIR|CMD)\s+(.*)$/.exec(line)
    if (!m) continue
    const op = m[1] as Step['op']
    const rest = m[2].trim()
    const args = rest.startsWith('[') ? JSON.parse(rest) as string[] : rest.split(/\s+/)
    if (op === 'COPY' && args.some(a => a.startsWith('--'))) throw new Error(`COPY flags are not supported by this check: ${line}`)
    steps.push({ op, args })
  }
  return steps
}

function envOf (args: string[]): Record<string, string> {
  return Object.fromEntries(args.map(a => { const i = a.indexOf('='); return [a.slice(0, i), a.slice(i + 1)] }))
}

/** Builds the image's filesystem under `dir` (its WORKDIR inside it); returns the CMD, the ENV and the WORKDIR. */
function build (dir: string, steps: Step[], log: (s: string) => void): { cmd: string[], env: Record<string, string>, workdir: string } {
  let workdir = dir
  let env: Record<string, string> = {}
  let cmd: string[] = []
  for (const s of steps) {
    if (s.op === 'WORKDIR') { workdir = join(dir, s.args[0]); mkdirSync(workdir, { recursive: true }) }
    if (s.op === 'ENV') env = { ...env, ...envOf(s.args) }
    if (s.op === 'CMD') cmd = s.args
    if (s.op === 'COPY') {
      const dest = s.args[s.args.length - 1]
      for (const src of s.args.slice(0, -1)) {
        const target = dest.endsWith('/') ? join(workdir, dest, src.split('/').pop()!) : join(workdir, dest)
        mkdirSync(dirname(target), { recursive: true })
        cpSync(join(ROOT, src), target, { recursive: true })
        log(`COPY ${src} → ${target.slice(dir.length) || '/'}`)
      }
    }
    if (s.op === 'RUN') {
      const command = s.args.join(' ')
      if (!/^npm ci\b/.test(command)) throw new Error(`only npm ci is expected in RUN, found: ${command}`)
      log(`RUN ${command}`)
      const r = spawnSync('npm', s.args.slice(1), { cwd: workdir, stdio: 'inherit', env: { ...process.env, ...env } })
      if (r.status !== 0) throw new Error(`${command} failed (${r.status})`)
    }
  }
  return { cmd, env, workdir }
}

async function readyWithin (url: string, ms: number, exited: () => boolean): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until && !exited()) {
    try { if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return true } catch {}
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return false
}

export async function checkContainer (log: (s: string) => void = console.log): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'recon-image-'))
  const pgDir = mkdtempSync(join(tmpdir(), 'recon-image-pg-'))
  const problems: string[] = []
  const pg = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: pgDir })
  try {
    const { cmd, env, workdir } = build(dir, parseDockerfile(readFileSync(join(ROOT, 'docker/Dockerfile'), 'utf8')), log)
    if (cmd[0] !== 'node') throw new Error(`CMD should start node, found ${cmd.join(' ')}`)
    const port = await freePort()
    const secrets = {
      RECON_PII_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
      RECON_API_KEYS: 'finance:finance-key-0123456789,pos_vendor:pos-key-0123456789abc,owner:admin-key-0123456789ab',
      RECON_POS_VENDORS: 'pos-canonical,loyverse,shopify-pos',
      RECON_WEBHOOK_SECRETS_POS_CANONICAL: `whsec_${Buffer.alloc(24, 5).toString('base64')}`,
      RECON_WEBHOOK_SECRETS_LOYVERSE: 'loyverse-secret-0123456789',
      RECON_WEBHOOK_SECRETS_SHOPIFY_POS: 'shopify-secret-0123456789'
    }
    // the image's environment, a clean one otherwise: nothing from this checkout's shell leaks in
    const childEnv = { PATH: process.env.PATH ?? '', ...env, ...secrets, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: process.env.DATABASE_URL ?? pg!.url }
    log(`CMD ${cmd.join(' ')} (port ${port})`)
    const child = spawn(process.execPath, cmd.slice(1), { cwd: workdir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', d => { output += String(d) })
    child.stderr.on('data', d => { output += String(d) })
    const exit = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)))
    if (!await readyWithin(`http://127.0.0.1:${port}/readyz`, 120_000, () => child.exitCode !== null)) {
      problems.push(`the image's CMD did not answer /readyz:\n${output.slice(-3000)}`)
      child.kill('SIGKILL')
    } else {
      log('/readyz answered 200')
      child.kill('SIGTERM')
      const code = await exit
      if (code !== 0) problems.push(`SIGTERM: exit code ${code}, expected 0:\n${output.slice(-2000)}`)
      else log('SIGTERM: stopped cleanly (exit 0)')
    }
    await exit
  } catch (err) {
    problems.push((err as Error).message)
  } finally {
    await pg?.stop()
    rmSync(dir, { recursive: true, force: true })
    rmSync(pgDir, { recursive: true, force: true })
  }
  return problems
}

if (import.meta.main) {
  const problems = await checkContainer()
  if (problems.length) { console.error(`✖ container check:\n${problems.join('\n')}`); process.exit(1) }
  console.log('✔ container check: the image layout installs, starts, is ready and stops cleanly')
}
