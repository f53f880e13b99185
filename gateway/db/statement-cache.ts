// Parameterised statements that the process sends again and again are prepared once per connection,
// as pgjdbc (prepareThreshold) and Npgsql (auto-prepare) do. Otherwise node-postgres sends each one
// unnamed, and PostgreSQL parses, analyses and plans it on every call. On the hot paths (a webhook's
// inbox flush, a sale's rows, its ledger posting, the pg-boss sends and completions run in our
// transactions) that work cost about as much as running the statements: bench:forward's fifth run and
// bench:ingest's webhooks measure it.
import pg from 'pg'

/** Which statement texts are prepared, and under what name; one per process, shared by its pools. */
export class StatementNames {
  readonly #uses = new Map<string, number>()
  readonly #names = new Map<string, string>()
  #next = 0
  readonly prepareAfter: number
  readonly maxNamed: number
  readonly maxCounted: number

  /**
   * @param prepareAfter uses of a text before it is named (a text built around literals rarely repeats)
   * @param maxNamed named texts at most, so each connection holds a bounded number of statements
   * @param maxCounted texts counted at most before the count starts again
   */
  constructor (prepareAfter = 2, maxNamed = 500, maxCounted = 10_000) {
    this.prepareAfter = prepareAfter
    this.maxNamed = maxNamed
    this.maxCounted = maxCounted
  }

  /** The name to send `text` under, or undefined to send it unnamed. */
  nameFor (text: string): string | undefined {
    const known = this.#names.get(text)
    if (known !== undefined) return known
    const uses = (this.#uses.get(text) ?? 0) + 1
    if (uses < this.prepareAfter || this.#names.size >= this.maxNamed) {
      if (this.#uses.size >= this.maxCounted) this.#uses.clear()
      this.#uses.set(text, uses)
      return undefined
    }
    this.#uses.delete(text)
    const name = `s${this.#next++}`
    this.#names.set(text, name)
    return name
  }

  /**
   * After PostgreSQL refused a prepared statement ('cached plan must not change result type': a
   * migration changed a table under a `SELECT *`): the text is named afresh, and prepared again.
   */
  forget (text: string): void {
    this.#names.delete(text)
  }
}

const STALE_PLAN = '0A000'
type Callback = (err: Error | null, res?: unknown) => void

/** A node-postgres Client that sends the statements `names` has named as prepared statements. */
export function preparingClient (names: StatementNames): typeof pg.Client {
  return class PreparingClient extends pg.Client {
    override query (config: unknown, values?: unknown, callback?: unknown): any {
      const name = typeof config === 'string' && Array.isArray(values) && values.length > 0 ? names.nameFor(config) : undefined
      if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(config, values, callback)
      const text = config as string
      const seen = (err: unknown): void => { if ((err as { code?: string } | null)?.code === STALE_PLAN) names.forget(text) }
      if (typeof callback === 'function') {
        return super.query({ name, text, values: values as unknown[] }, (err: Error | null, res: unknown) => { seen(err); (callback as Callback)(err, res) })
      }
      const result = super.query({ name, text, values: values as unknown[] })
      result.catch(seen)
      return result
    }
  }
}
