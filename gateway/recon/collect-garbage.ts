// A full garbage collection on demand, for the offline run's one moment where it pays: when the
// matching is done and the day's input has just become garbage, before the report is written. V8
// collects the old generation only when it reaches a limit set at its last collection, which on a
// chain day was during the POS events; until then every byte the matching left behind stays resident
// and the report's writing comes on top of it.
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

let collect: (() => void) | null = null

/** Collects garbage now, and says how many milliseconds it took. */
export function collectGarbage (): number {
  if (collect === null) {
    // `gc` is given to contexts made after the flag is set (Node's documented way is the --expose-gc
    // option, but the offline run is started by several launchers: recon, npm scripts, the benchmark)
    setFlagsFromString('--expose-gc')
    collect = runInNewContext('gc') as () => void
  }
  const t0 = performance.now()
  collect()
  return performance.now() - t0
}
