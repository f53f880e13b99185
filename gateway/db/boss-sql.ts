// The one adapter between our database port and pg-boss's: jobs sent, completed or failed inside the
// caller's transaction (so a job exists, or is done, exactly when the rows it is about were committed).
import type { Db as IDatabase } from 'pg-boss'
import type { Sql } from './pool.ts'

/**
 * pg-boss options that run a send or a completion in `sql`'s transaction. `queued` is called once the
 * statement is handed to the client, so a pipelined transaction can send its COMMIT right behind it.
 */
export function inTransaction (sql: Sql, queued?: () => void): { db: IDatabase } {
  return {
    db: {
      executeSql: async (text, values) => {
        const result = sql.query(text, values)
        queued?.()
        return await result
      }
    }
  }
}
