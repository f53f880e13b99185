// collectGarbage() runs a full collection there and then: an object nothing refers to any more is
// finalized after it (the registry's callback is the signal), in a process started without --expose-gc.
import t from 'tap'
import { collectGarbage } from './collect-garbage.ts'

function dropped (registry: FinalizationRegistry<string>, label: string): void {
  registry.register({ payload: new Array(1000).fill(label) }, label)
}

t.test('an object nothing refers to is collected, on the first call and on later ones', async t => {
  t.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'this process was not started with --expose-gc')
  const finalized: string[] = []
  let told: () => void = () => {}
  const registry = new FinalizationRegistry<string>(label => { finalized.push(label); told() })
  for (const label of ['first', 'second']) {
    dropped(registry, label)
    // a new task: a job keeps what it made alive until it ends
    await new Promise(resolve => setImmediate(resolve))
    const signal = new Promise<void>(resolve => { told = resolve })
    const ms = collectGarbage()
    t.ok(ms >= 0, `the collection's milliseconds are told (${ms.toFixed(1)})`)
    await signal
    t.ok(finalized.includes(label), `the ${label} object was finalized`)
  }
})
