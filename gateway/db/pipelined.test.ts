import t from 'tap'
import { freshDb } from '../../fixtures/support/db.ts'

const rowsIn = async (db: Awaited<ReturnType<typeof freshDb>>): Promise<number[]> =>
  (await db.query<{ n: number }>('SELECT n FROM pipelined_scratch ORDER BY n')).rows.map(r => r.n)

t.test('a pipelined transaction commits its statements together and returns what its function returned', async t => {
  const db = await freshDb(t)
  await db.query('CREATE TABLE pipelined_scratch (n int PRIMARY KEY)')
  const out = await db.withPipelinedTransaction(async (client, commit) => {
    const first = await client.query<{ n: number }>('INSERT INTO pipelined_scratch VALUES (1), (2) RETURNING n')
    const last = client.query('INSERT INTO pipelined_scratch VALUES ($1)', [3])
    commit()
    await last
    return first.rows.map(r => r.n)
  })
  t.same(out, [1, 2])
  t.same(await rowsIn(db), [1, 2, 3], 'all three rows committed')
})

t.test('a statement that fails after COMMIT was sent: the call rejects with its error and nothing is stored', async t => {
  const db = await freshDb(t)
  await db.query('CREATE TABLE pipelined_scratch (n int PRIMARY KEY)')
  await t.rejects(db.withPipelinedTransaction(async (client, commit) => {
    await client.query('INSERT INTO pipelined_scratch VALUES (1)')
    const last = client.query('INSERT INTO pipelined_scratch VALUES (1)') // a duplicate key
    commit()
    await last
  }), { code: '23505' })
  t.same(await rowsIn(db), [], 'the first row went with the failed transaction')
})

t.test('a function that returns without awaiting its failed last statement still does not count as committed', async t => {
  const db = await freshDb(t)
  await db.query('CREATE TABLE pipelined_scratch (n int PRIMARY KEY)')
  await t.rejects(db.withPipelinedTransaction(async (client, commit) => {
    await client.query('INSERT INTO pipelined_scratch VALUES (7)')
    client.query('SELECT 1 / 0').catch(() => {})
    commit()
  }), /the transaction ended with ROLLBACK, not COMMIT/)
  t.same(await rowsIn(db), [])
  // the connection went back to the pool out of the failed transaction: the next one works on it
  await db.withPipelinedTransaction(async client => { await client.query('INSERT INTO pipelined_scratch VALUES (8)') })
  t.same(await rowsIn(db), [8])
})

t.test('without commit() the COMMIT follows the function, and an error thrown by the function rolls back', async t => {
  const db = await freshDb(t)
  await db.query('CREATE TABLE pipelined_scratch (n int PRIMARY KEY)')
  await db.withPipelinedTransaction(async client => { await client.query('INSERT INTO pipelined_scratch VALUES (1)') })
  await t.rejects(db.withPipelinedTransaction(async client => {
    await client.query('INSERT INTO pipelined_scratch VALUES (2)')
    throw new Error('changed my mind')
  }), /changed my mind/)
  t.same(await rowsIn(db), [1])
})
