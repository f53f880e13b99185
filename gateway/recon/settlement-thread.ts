// The settlement files read on a thread of their own while this one reads the POS events (threads.ts).
// The records come back as columns (payment-columns.ts).
import { registryOf, type Config } from '../config.ts'
import { dayRules } from './convert.ts'
import { fromColumns, toColumns, type PaymentColumns } from './payment-columns.ts'
import { readSettlements, type SettlementsRead } from './read-settlements.ts'
import { serveThread, startAlongside, yieldToCreator, type Alongside } from './threads.ts'

type ThreadConfig = Pick<Config, 'stores' | 'recon' | 'connectors' | 'limits'>
interface Job { paths: string[], config: ThreadConfig }
interface Read { columns: PaymentColumns, batches: SettlementsRead['batches'], findings: SettlementsRead['findings'] }

const KIND = 'settlements'

export function readSettlementsAlongside (paths: string[], config: ThreadConfig): Alongside<SettlementsRead> {
  const job: Job = { paths, config: { stores: config.stores, recon: config.recon, connectors: config.connectors, limits: config.limits } }
  const thread = startAlongside<Read>(new URL(import.meta.url), KIND, job)
  return {
    result: async progress => {
      const { columns, batches, findings } = await thread.result(progress)
      return { payments: fromColumns(columns), batches, findings }
    },
    stop: thread.stop
  }
}

await serveThread<Job, Read>(KIND, async (job, progress) => {
  // The POS events on the main thread take longer than these files (a chain day: 8 s against 6 s of
  // this thread's CPU), yet the three shared both cores with V8's collector threads, and the main thread
  // got about 0.7 of one. At ten steps below it, this thread still finishes first; the POS events are
  // read about 0.5 s sooner (README, Performance).
  yieldToCreator(10)
  const read = await readSettlements(job.paths, job.config, registryOf(job.config), dayRules(job.config), progress)
  const { columns, transferables } = toColumns(read.payments)
  return { value: { columns, batches: read.batches, findings: read.findings }, transfer: transferables }
})
