import t from 'tap'
import { freshDb } from '../../fixtures/support/db.ts'
import { loadMigrations, migrate, SchemaTooNewError } from './migrate.ts'

t.test('migrations are recorded, re-running applies nothing, concurrent runs serialise', async t => {
  const db = await freshDb(t)
  t.same(await migrate(db.url), [], 'the template is already migrated')
  const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)])
  t.same(results, [[], [], []])
  const { rows } = await db.query('SELECT version, name FROM schema_migrations ORDER BY version')
  t.same(rows.map(r => r.version), (await loadMigrations()).map(m => m.version))
})

t.test('a database newer than the code is refused', async t => {
  const db = await freshDb(t)
  await db.query(`INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_from_the_future')`)
  await t.rejects(migrate(db.url), SchemaTooNewError)
  await t.rejects(migrate(db.url), /schema is at version 9999 but this code only knows up to/)
})

t.test('a failing migration rolls back and names itself', async t => {
  const db = await freshDb(t)
  const all = await loadMigrations()
  const bad = [...all, { version: 9000, name: '9000_broken', sql: 'CREATE TABLE ok_table (id int); SELECT no_such_column FROM sales;' }]
  await t.rejects(migrate(db.url, bad), /migration 9000_broken failed/)
  const { rows } = await db.query(`SELECT to_regclass('ok_table') AS t, (SELECT count(*) FROM schema_migrations WHERE version = 9000)::int AS n`)
  t.same(rows[0], { t: null, n: 0 })
})

t.test('money columns are bigint and come back as exact numbers', async t => {
  const db = await freshDb(t)
  const { rows } = await db.query(`SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE column_name IN ('gross', 'fee', 'net', 'amount', 'unit_price', 'discount', 'lines_total', 'tenders_total', 'rounding') AND table_schema = 'public' ORDER BY 1, 2`)
  t.ok(rows.length >= 12)
  t.ok(rows.every(r => r.data_type === 'bigint'), 'all bigint')
  const big = await db.query('SELECT 9007199254740991::bigint AS v')
  t.equal(big.rows[0].v, Number.MAX_SAFE_INTEGER)
  await t.rejects(db.query('SELECT 9007199254740993::bigint AS v'), /outside the safe integer range/)
})
