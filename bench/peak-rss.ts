// Preloaded into a measured process (`node --import ./bench/peak-rss.ts …`): reports its peak resident
// set size on exit, so the benchmark measures the real command, unmodified.
process.on('exit', () => {
  process.stderr.write(`\nPEAK_RSS_BYTES ${process.resourceUsage().maxRSS * 1024}\n`)
})
