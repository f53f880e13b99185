// A progress line for long imports: redrawn in place on a terminal, a line per 10% otherwise (CI logs).
export interface ProgressSink { update (done: number, total: number, rows: number): void, finish (): void }

function mb (n: number): string { return (n / 1_048_576).toFixed(1) }

export function progressBar (label: string, out: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressSink {
  const started = now()
  let lastDecile = -1
  let lastDraw = 0
  const line = (done: number, total: number, rows: number): string => {
    const pct = total ? Math.min(100, Math.floor(done / total * 100)) : 100
    const width = 24
    const filled = Math.round(pct / 100 * width)
    const secs = Math.max(0.001, (now() - started) / 1000)
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ${rows.toLocaleString('en')} rows  ${mb(done)}/${mb(total)} MB  ${Math.round(rows / secs).toLocaleString('en')} rows/s`
  }
  return {
    update (done, total, rows) {
      if (out.isTTY) {
        if (now() - lastDraw < 100 && done < total) return
        lastDraw = now()
        out.write(`\r${line(done, total, rows)}`)
        return
      }
      const decile = total ? Math.floor(done / total * 10) : 10
      if (decile > lastDecile) { lastDecile = decile; out.write(line(done, total, rows) + '\n') }
    },
    finish () { if (out.isTTY) out.write('\n') }
  }
}
