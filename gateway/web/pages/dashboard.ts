// The owner's month at a glance: per store the sales, what the tills took per tender, the fees each
// provider kept and the rate that is, the open exceptions and their signed amount, the days closed;
// then charts drawn on the server (the takings day by day per store, per tender, the fee rates).
import { UNASSIGNED } from '../../../reconciler/report.ts'
import type { MonthStore } from '../../recon/month.ts'
import { monthDays, shiftMonth } from './calendar.ts'
import { html, qs, type Html } from '../html.ts'
import { label, money } from '../i18n.ts'
import { layout, type Page } from '../layout.ts'
import { barChart, stackedColumns } from '../svg.ts'

const rate = (fee: number, gross: number): string => gross === 0 ? '—' : `${(fee / gross * 100).toFixed(2)}%`

function totals (stores: readonly MonthStore[]) {
  const tenders: Record<string, number> = {}
  const fees: Record<string, { gross: number, fee: number }> = {}
  for (const s of stores) {
    for (const [m, v] of Object.entries(s.tenders)) tenders[m] = (tenders[m] ?? 0) + v
    for (const [p, v] of Object.entries(s.fees)) { const f = fees[p] ??= { gross: 0, fee: 0 }; f.gross += v.gross; f.fee += v.fee }
  }
  return { tenders, fees }
}

function storeTable (p: Page, stores: readonly MonthStore[], names: ReadonlyMap<string, string>): Html {
  const { t } = p
  const name = (id: string): Html | string => id === UNASSIGNED ? t('day.unassigned') : html`${names.get(id) ?? id} <span class="muted">${id}</span>`
  return html`<div class="scroll"><table id="month-stores" class="phone-cards"><thead><tr><th>${t('day.store')}</th><th class="num">${t('day.sales')}</th><th class="num">${t('month.takings')}</th>
    <th class="num">${t('month.fees')}</th><th class="num">${t('month.feeRate')}</th><th class="num">${t('month.open')}</th><th class="num">${t('month.openAmount')}</th><th class="num">${t('month.closed')}</th></tr></thead>
  <tbody>${stores.map(s => {
    const took = Object.values(s.tenders).reduce((a, b) => a + b, 0)
    const fee = Object.values(s.fees).reduce((a, b) => a + b.fee, 0)
    const gross = Object.values(s.fees).reduce((a, b) => a + b.gross, 0)
    return html`<tr data-store="${s.store_id}"><td data-label="${t('day.store')}">${name(s.store_id)}</td><td class="num" data-label="${t('day.sales')}">${s.sales}</td><td class="num" data-label="${t('month.takings')}">${money(took)}</td>
      <td class="num" data-label="${t('month.fees')}">${money(fee)}</td><td class="num" data-label="${t('month.feeRate')}">${rate(fee, gross)}</td><td class="num" data-label="${t('month.open')}">${s.open.count}</td>
      <td class="num" data-label="${t('month.openAmount')}">${money(s.open.amount)}</td><td class="num" data-label="${t('month.closed')}">${t('month.daysClosed', { closed: s.closed, days: s.days })}</td></tr>`
  })}</tbody></table></div>`
}

export function dashboardPage (p: Page, month: string, stores: readonly MonthStore[], names: ReadonlyMap<string, string>): Html {
  const { t } = p
  const nav = html`<div class="toolbar"><a href="/dashboard${qs({ month: shiftMonth(month, -1) })}">${t('calendar.prev')}</a><a href="/dashboard${qs({ month: shiftMonth(month, 1) })}">${t('calendar.next')}</a><a href="/calendar${qs({ month })}">${t('calendar.title')}</a></div>`
  if (!stores.length) return layout(p, t('month.title', { month }), html`<h1>${t('month.title', { month })}</h1>${nav}<p class="muted">${t('month.empty')}</p>`)
  const { tenders, fees } = totals(stores)
  const days = monthDays(month)
  const byStore = stores.filter(s => s.store_id !== UNASSIGNED).map(s => ({ name: names.get(s.store_id) ?? s.store_id, values: s.daily }))
  const tenderBars = Object.entries(tenders).sort((a, b) => b[1] - a[1]).map(([m, v]) => ({ label: label(t, 'method', m), value: v }))
  const feeBars = Object.entries(fees).filter(([, v]) => v.gross > 0).sort((a, b) => b[1].fee / b[1].gross - a[1].fee / a[1].gross).map(([pr, v]) => ({ label: label(t, 'method', pr), value: v.fee / v.gross * 100 }))
  return layout(p, t('month.title', { month }), html`<h1>${t('month.title', { month })}</h1>${nav}
  ${storeTable(p, stores, names)}
  <h2>${t('month.dailyChart')}</h2>${stackedColumns(t('month.dailyChart'), days, byStore, d => String(Number(d.slice(8))), money)}
  <div class="cards"><section class="card"><h3>${t('month.tenderChart')}</h3>${barChart(t('month.tenderChart'), tenderBars, money)}</section>
  <section class="card"><h3>${t('month.feeChart')}</h3>${barChart(t('month.feeChart'), feeBars, v => `${v.toFixed(2)}%`)}
  <table id="month-fees"><thead><tr><th>${t('col.provider')}</th><th class="num">${t('day.gross')}</th><th class="num">${t('month.fees')}</th><th class="num">${t('month.feeRate')}</th></tr></thead>
  <tbody>${Object.entries(fees).map(([pr, v]) => html`<tr data-provider="${pr}"><td>${label(t, 'method', pr)}</td><td class="num">${money(v.gross)}</td><td class="num">${money(v.fee)}</td><td class="num">${rate(v.fee, v.gross)}</td></tr>`)}</tbody></table></section></div>`)
}
