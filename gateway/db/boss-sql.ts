// The one adapter between our database port and pg-boss's: jobs sent inside the caller's transaction
// (so a job exists exactly when the rows it is about were committed), and a transactional worker's
// transaction handed to domain functions as the same `Sql` port they take everywhere else.
import type { Db as IDatabase } from 'pg-boss'
import type { Row, Rows, Sql } from './pool.ts'

/** pg-boss send options that run the send in `sql`'s transaction. */
export function inTransaction (sql: Sql): { db: IDatabase } {
  return { db: { executeSql: async (text, values) => await sql.query(text, values) } }
}

/** A transactional worker's transaction, as our port. */
export function sqlOf (tx: IDatabase): Sql {
  return { query: async <R extends object = Row>(text: string, values?: unknown[]) => await tx.executeSql(text, values) as Rows<R> }
}
