// Preloaded into a measured process (`node --import ./bench/peak-rss.ts …`): reports its peak resident
// set size on exit, so the benchmark measures the real command, unmodified. Worker threads load the
// preload too: only the main thread reports, when the whole process ends.
import { isMainThread } from 'node:worker_threads'

if (isMainThread) {
  process.on('exit', () => {
    process.stderr.write(`\nPEAK_RSS_BYTES ${process.resourceUsage().maxRSS * 1024}\n`)
  })
}
