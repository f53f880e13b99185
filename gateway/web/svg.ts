// Charts drawn on the server as inline SVG: no script, nothing fetched, readable on a phone (the
// drawing scales to its box) and by a screen reader (each chart is an image with a title, each bar
// carries its figure in text). Values are in the caller's units; `format` writes them.
import { html, type Html } from './html.ts'

/** Colours for series, told apart in print and by most colour-blind readers (Okabe–Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000']

const f = (n: number): string => (Math.round(n * 10) / 10).toString()

export interface Bar { label: string, value: number }

/** Horizontal bars, one a row, each with its label on the left and its figure at its end. */
export function barChart (title: string, bars: readonly Bar[], format: (v: number) => string): Html {
  const row = 28
  const left = 150
  const width = 600
  const max = Math.max(1, ...bars.map(b => Math.abs(b.value)))
  const h = bars.length * row + 10
  return html`<svg class="chart" viewBox="0 0 ${width} ${h}" role="img" aria-labelledby="${id(title)}" xmlns="http://www.w3.org/2000/svg"><title id="${id(title)}">${title}</title>
    ${bars.map((b, i) => {
      const w = Math.abs(b.value) / max * (width - left - 120)
      const y = 5 + i * row
      return html`<g><text x="${left - 8}" y="${f(y + 17)}" text-anchor="end" font-size="13">${b.label}</text><rect x="${left}" y="${y + 4}" width="${f(w)}" height="${row - 10}" fill="${b.value < 0 ? '#a4262c' : PALETTE[i % PALETTE.length]}"></rect>
        <text x="${f(left + w + 6)}" y="${f(y + 17)}" font-size="13">${format(b.value)}</text></g>`
    })}</svg>`
}

export interface Series { name: string, values: Readonly<Record<string, number>> }

/** A column per category (a day), its series stacked; a legend names the series by colour. */
export function stackedColumns (title: string, categories: readonly string[], series: readonly Series[], tick: (category: string) => string, format: (v: number) => string): Html {
  const width = 640
  const height = 220
  const top = 12
  const bottom = 24
  const left = 8
  const plot = height - top - bottom
  const totals = categories.map(c => series.reduce((s, x) => s + Math.max(0, x.values[c] ?? 0), 0))
  const max = Math.max(1, ...totals)
  const step = (width - left) / Math.max(1, categories.length)
  const bar = Math.max(2, step * 0.7)
  const columns = categories.map((c, i) => {
    let y = top + plot
    const x = left + i * step + (step - bar) / 2
    const parts = series.map((s, k) => {
      const v = Math.max(0, s.values[c] ?? 0)
      const hgt = v / max * plot
      y -= hgt
      return v > 0 ? html`<rect x="${f(x)}" y="${f(y)}" width="${f(bar)}" height="${f(hgt)}" fill="${PALETTE[k % PALETTE.length]}"><title>${tick(c)} ${s.name}: ${format(v)}</title></rect>` : ''
    })
    return html`<g>${parts}${i % 2 === 0 ? html`<text x="${f(x + bar / 2)}" y="${height - 8}" text-anchor="middle" font-size="11">${tick(c)}</text>` : ''}</g>`
  })
  return html`<figure class="chart"><svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id(title)}" xmlns="http://www.w3.org/2000/svg"><title id="${id(title)}">${title}</title>
    <line x1="${left}" y1="${top + plot}" x2="${width}" y2="${top + plot}" stroke="#999"></line>${columns}</svg>
    <figcaption>${series.map((s, k) => html`<span class="legend"><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"></rect></svg> ${s.name}</span> `)}</figcaption></figure>`
}

function id (title: string): string {
  let h = 0
  for (const ch of title) h = (h * 31 + ch.codePointAt(0)!) >>> 0
  return `chart-${h.toString(36)}`
}
