// The daily retention job (migration 0005 says what is kept and why). Personal data older than the
// configured period is erased in place; the records around it stay, so an auditor still finds every
// sale, payment and movement with its amounts and references for the 7 years the law asks. Each step
// is idempotent and works in bounded transactions, so a crash or a database restart mid-way loses
// nothing and the next run carries on where this one stopped.
import type { PgBoss } from 'pg-boss'
import type { Db } from '../db/pool.ts'
import { ensureQueue } from '../jobs.ts'

export const RETENTION_QUEUE = 'maintenance.retention'
const RETENTION_CRON = '30 3 * * *' // 03:30 HKT, when shops are closed
const INBOX_BATCH = 5000
// one settlement file's card numbers in one statement: a 1M-row file takes seconds, not the pool's 30 s
const IMPORT_STATEMENT_TIMEOUT = '10min'

export interface Purged { inboxBodies: number, paymentCards: number, bankTexts: number, imports: number, loginAttempts: number, sessions: number, dingtalkBodies: number }

export interface RetentionSettings { personalDataDays: number }

/** Erases personal data received before `now − personalDataDays`; returns what it erased. */
export async function purgePersonalData (db: Db, settings: RetentionSettings, now = new Date(), progress?: (step: string, n: number) => void): Promise<Purged> {
  const cutoff = new Date(now.getTime() - settings.personalDataDays * 86_400_000)
  const { rows: [run] } = await db.query<{ id: number }>('INSERT INTO retention_runs (cutoff) VALUES ($1) RETURNING id', [cutoff])
  const purged: Purged = { inboxBodies: 0, paymentCards: 0, bankTexts: 0, imports: 0, loginAttempts: 0, sessions: 0, dingtalkBodies: 0 }
  // webhook bodies: a pending delivery keeps its body, whatever its age (it has not been worked yet)
  for (;;) {
    const { rowCount } = await db.query(
      `UPDATE inbox_events SET body_enc = NULL, key_id = NULL, purged_at = $2
        WHERE id IN (SELECT id FROM inbox_events WHERE purged_at IS NULL AND received_at < $1 AND status <> 'pending' LIMIT ${INBOX_BATCH})`, [cutoff, now])
    purged.inboxBodies += rowCount ?? 0
    progress?.('webhook bodies', purged.inboxBodies)
    if ((rowCount ?? 0) < INBOX_BATCH) break
  }
  const { rows: files } = await db.query<{ id: number }>(
    `SELECT id FROM imports WHERE pii_purged_at IS NULL AND status = 'imported' AND started_at < $1 ORDER BY id`, [cutoff])
  for (const f of files) {
    const [cards, texts] = await db.withTransaction(async c => {
      await c.query(`SET LOCAL statement_timeout = '${IMPORT_STATEMENT_TIMEOUT}'`)
      const { rowCount } = await c.query('UPDATE payments SET card_enc = NULL, card_key_id = NULL WHERE import_id = $1 AND card_enc IS NOT NULL', [f.id])
      // a bank statement's entry texts (an FPS credit names its payer)
      const bank = await c.query('UPDATE bank_entries SET narrative_enc = NULL, key_id = NULL WHERE import_id = $1 AND narrative_enc IS NOT NULL', [f.id])
      await c.query('UPDATE imports SET pii_purged_at = $2 WHERE id = $1', [f.id, now])
      return [rowCount ?? 0, bank.rowCount ?? 0]
    })
    purged.paymentCards += cards
    purged.bankTexts += texts
    purged.imports++
    progress?.('settlement files', purged.imports)
  }
  // sign-in attempts (a name and an address) only serve the rate limit, and sessions end: as at sign-in
  // (auth/sessions.ts), kept a day and until expiry, also when nobody signs in for months
  purged.loginAttempts = (await db.query(`DELETE FROM login_attempts WHERE at < $1::timestamptz - interval '1 day'`, [now])).rowCount ?? 0
  purged.sessions = (await db.query(`DELETE FROM sessions WHERE expires_at < $1`, [now])).rowCount ?? 0
  purged.dingtalkBodies = (await db.query(`UPDATE dingtalk_events SET body = '{}' WHERE received_at < $1 AND body <> '{}'`, [cutoff])).rowCount ?? 0
  await db.query('UPDATE retention_runs SET finished_at = clock_timestamp(), purged = $2 WHERE id = $1', [run.id, JSON.stringify(purged)])
  return purged
}

export async function ensureRetentionQueue (boss: PgBoss): Promise<void> {
  await ensureQueue(boss, RETENTION_QUEUE, { policy: 'stately', retryLimit: 5, retryDelay: 300, expireInSeconds: 3600 })
  await boss.schedule(RETENTION_QUEUE, RETENTION_CRON, null, { tz: 'Asia/Hong_Kong' })
}

export async function startRetentionWorker (deps: { db: Db, boss: PgBoss, settings: RetentionSettings, log?: { info: (o: object, m: string) => void } }): Promise<void> {
  await deps.boss.work(RETENTION_QUEUE, { pollingIntervalSeconds: 60 }, async () => {
    const purged = await purgePersonalData(deps.db, deps.settings)
    deps.log?.info({ ...purged, days: deps.settings.personalDataDays }, 'retention: personal data past its period erased')
    return purged
  })
}
