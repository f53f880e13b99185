import t from 'tap'
import { getPriority } from 'node:os'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'

/** The priority a new thread has after it calls yieldToCreator(steps). */
async function priorityAfterYield (steps: number): Promise<number> {
  const url = new URL('./threads.ts', import.meta.url).href
  const worker = new Worker(`import(${JSON.stringify(url)}).then(m => { m.yieldToCreator(${steps}); require('node:worker_threads').parentPort.postMessage(require('node:os').getPriority()) })`, { eval: true })
  const [priority] = await once(worker, 'message') as [number]
  await worker.terminate()
  return priority
}

t.test('a thread that yields to its creator runs that many steps below it, the main thread unchanged', { skip: process.platform !== 'linux' && 'a priority is per thread on Linux only' }, async t => {
  const main = getPriority()
  t.equal(await priorityAfterYield(3), Math.min(19, main + 3))
  t.equal(getPriority(), main, 'the creator keeps its priority')
  t.equal(await priorityAfterYield(40), 19, 'never below the lowest priority, 19')
})
