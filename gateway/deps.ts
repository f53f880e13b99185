// What the HTTP app and the workers are built from (wired in runtime.ts, or by a test).
import type { PgBoss } from 'pg-boss'
import type { Registry } from '../connectors/registry.ts'
import type { Config } from './config.ts'
import type { PiiCipher } from './crypto.ts'
import type { Db } from './db/pool.ts'
import type { InboxWriter } from './ingest/inbox.ts'

export interface AppDeps {
  config: Config
  db: Db
  boss: PgBoss
  registry: Registry
  cipher: PiiCipher
  inbox: InboxWriter
}
