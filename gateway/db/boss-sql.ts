// The one adapter between our database port and pg-boss's: jobs sent, completed or failed inside the
// caller's transaction (so a job exists, or is done, exactly when the rows it is about were committed).
import type { Db as IDatabase } from 'pg-boss'
import { createHash } from 'node:crypto'
import type { Sql, TxClient } from './pool.ts'

/** pg-boss options that run a send or a completion in `sql`'s transaction. */
export function inTransaction (sql: Sql): { db: IDatabase } {
  return { db: { executeSql: async (text, values) => await sql.query(text, values) } }
}

/**
 * The same for a statement sent again and again with the same text (a hot queue's send): it is
 * prepared once per connection, since planning pg-boss's insert costs more than running it. `queued`
 * is called once the statement is handed to the client, so a pipelined transaction can send its COMMIT
 * right behind it.
 */
export function preparedInTransaction (client: TxClient, queued?: () => void): { db: IDatabase } {
  return {
    db: {
      executeSql: async (text, values) => {
        const result = client.query({ name: statementName(text), text, values })
        queued?.()
        return await result
      }
    }
  }
}

// pg-boss builds its SQL per queue; a name per distinct text keeps two texts from sharing a name
const names = new Map<string, string>()
function statementName (text: string): string {
  let name = names.get(text)
  if (name === undefined) names.set(text, name = `boss-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`)
  return name
}
