import t from 'tap'
import { freshDb } from '../../fixtures/support/db.ts'
import { StatementNames } from './statement-cache.ts'

const prepared = async (client: { query: (text: string) => Promise<{ rows: Array<{ statement: string }> }> }): Promise<string[]> =>
  (await client.query('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time')).rows.map(r => r.statement)

t.test('a text is named from its second use on; texts used once, and texts past the limit, stay unnamed', async t => {
  const names = new StatementNames(2, 2, 100)
  t.equal(names.nameFor('SELECT $1'), undefined, 'first use: unnamed')
  const a = names.nameFor('SELECT $1')
  t.type(a, 'string', 'second use: named')
  t.equal(names.nameFor('SELECT $1'), a, 'the same name after')
  t.equal(names.nameFor('SELECT $2'), undefined)
  const b = names.nameFor('SELECT $2')
  t.not(b, a, 'another text, another name')
  names.nameFor('SELECT $3')
  t.equal(names.nameFor('SELECT $3'), undefined, 'a third text past a limit of two stays unnamed')
  names.forget('SELECT $1')
  t.equal(names.nameFor('SELECT $1'), undefined, 'forgotten: counted again from its next use')
  const again = names.nameFor('SELECT $1')
  t.type(again, 'string')
  t.not(again, a, 'and prepared under a new name, since connections may still hold the old one')
})

t.test('the counts start again past their limit, so texts built around literals cannot grow it without end', async t => {
  const names = new StatementNames(2, 10, 3)
  for (const n of [1, 2, 3, 4]) names.nameFor(`SELECT ${n} + $1`)
  t.equal(names.nameFor('SELECT 1 + $1'), undefined, 'its first use was forgotten with the rest')
})

t.test('on a connection, a parameterised statement is prepared at its second use; one without parameters never is', async t => {
  const db = await freshDb(t)
  await db.withTransaction(async client => {
    const sum = 'SELECT $1::int + 41 AS answer /* statement-cache test */'
    t.equal((await client.query(sum, [1])).rows[0].answer, 42)
    t.notOk((await prepared(client)).includes(sum), 'not after its first use')
    t.equal((await client.query(sum, [2])).rows[0].answer, 43)
    t.equal((await client.query(sum, [3])).rows[0].answer, 44)
    t.equal((await prepared(client)).filter(s => s === sum).length, 1, 'prepared once, then run by name')
    await client.query('SELECT 1 /* no parameters */')
    await client.query('SELECT 1 /* no parameters */')
    t.notOk((await prepared(client)).some(s => s.includes('no parameters')), 'the simple protocol, as before')
  })
})

t.test('a table changed under a prepared SELECT *: that call fails, the next one is prepared afresh and sees the new column', async t => {
  const db = await freshDb(t)
  await db.query('CREATE TABLE cache_scratch (id int PRIMARY KEY)')
  await db.query('INSERT INTO cache_scratch VALUES (1)')
  await db.withTransaction(async client => {
    const read = 'SELECT * FROM cache_scratch WHERE id = $1'
    await client.query(read, [1])
    t.same((await client.query(read, [1])).rows, [{ id: 1 }])
    await client.query('ALTER TABLE cache_scratch ADD COLUMN note text DEFAULT \'added\'')
    await client.query('SAVEPOINT before_stale')
    await t.rejects(client.query(read, [1]), { code: '0A000' }, 'PostgreSQL refuses the old plan')
    await client.query('ROLLBACK TO SAVEPOINT before_stale')
    await client.query(read, [1]) // unnamed: counted again
    t.same((await client.query(read, [1])).rows, [{ id: 1, note: 'added' }], 'prepared again, with the new column')
  })
})
