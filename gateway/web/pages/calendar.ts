// A month of business days per store, each cell coloured by its standing, linking to the day's report.
import { addDays } from '../../../connectors/_shared/time.ts'
import { UNASSIGNED } from '../../../reconciler/report.ts'
import type { StoreDay } from '../../recon/days.ts'
import { html, qs, type Html } from '../html.ts'
import { label } from '../i18n.ts'
import { layout, type Page } from '../layout.ts'

const sum = (counts: Record<string, number> | undefined): number => Object.values(counts ?? {}).reduce((a, b) => a + b, 0)

export function monthDays (month: string): string[] {
  const days: string[] = []
  for (let d = `${month}-01`; d.startsWith(month); d = addDays(d, 1)) days.push(d)
  return days
}

export function shiftMonth (month: string, by: number): string {
  const [y, m] = month.split('-').map(Number)
  const i = y * 12 + (m - 1) + by
  return `${Math.floor(i / 12)}-${String(i % 12 + 1).padStart(2, '0')}`
}

export function calendarPage (p: Page, month: string, stores: Array<{ id: string, name: string }>, items: StoreDay[], reconciled: ReadonlySet<string> = new Set()): Html {
  const { t } = p
  const byCell = new Map(items.map(i => [`${i.business_date}|${i.store_id}`, i]))
  const cell = (day: string, store: string): Html => {
    const i = byCell.get(`${day}|${store}`)
    // a store with no sales and no records on a reconciled day had nothing to reconcile: balanced, not "not reconciled"
    const quiet = !i && reconciled.has(day)
    const status = i?.status ?? (quiet ? 'balanced' : 'none')
    const open = sum(i?.exceptions)
    const resolved = sum(i?.resolved)
    // the unassigned records are in the all-stores report of the day
    return html`<td class="cell"><a href="/days/${day}${store === UNASSIGNED ? '' : qs({ store })}" data-day="${day}" data-store="${store}" data-status="${status}">
      <span class="status ${status}">${label(t, 'status', status)}</span>
      ${quiet ? html`<br><small class="muted">${t('calendar.quiet')}</small>` : ''}${open ? html`<br><small>${t('calendar.open', { n: open })}</small>` : ''}${resolved ? html`<br><small class="muted">${t('calendar.resolved', { n: resolved })}</small>` : ''}</a></td>`
  }
  const body = stores.length === 0
    ? html`<p>${t('calendar.noStores')}</p>`
    : html`<div class="scroll"><table class="calendar"><thead><tr><th>${t('calendar.day')}</th>${stores.map(s => s.id === UNASSIGNED ? html`<th>${t('day.unassigned')}</th>` : html`<th>${s.name} <span class="muted">${s.id}</span></th>`)}</tr></thead>
      <tbody>${monthDays(month).map(d => html`<tr><th scope="row">${d}</th>${stores.map(s => cell(d, s.id))}</tr>`)}</tbody></table></div>`
  return layout(p, t('calendar.title'), html`<h1>${t('calendar.title')} · ${month}</h1>
  <div class="toolbar"><a href="/calendar${qs({ month: shiftMonth(month, -1) })}">${t('calendar.prev')}</a><a href="/calendar${qs({ month: shiftMonth(month, 1) })}">${t('calendar.next')}</a>
  ${(['balanced', 'pending', 'exceptions', 'none'] as const).map(s => html`<span class="status ${s}">${label(t, 'status', s)}</span>`)}</div>
  ${body}`)
}
