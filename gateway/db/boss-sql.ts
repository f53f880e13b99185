// The one adapter between our database port and pg-boss's: jobs sent, completed or failed inside the
// caller's transaction (so a job exists, or is done, exactly when the rows it is about were committed).
import type { Db as IDatabase } from 'pg-boss'
import type { Sql } from './pool.ts'

/** pg-boss options that run a send or a completion in `sql`'s transaction. */
export function inTransaction (sql: Sql): { db: IDatabase } {
  return { db: { executeSql: async (text, values) => await sql.query(text, values) } }
}
