// A month of business days as a calendar (Monday first): each day lists the stores with their
// standing (coloured, with open and resolved counts, files still late), each linking to the day's
// report; records no store could be given have a line of their own for those who see every store.
import { addDays } from '../../../connectors/_shared/time.ts'
import { UNASSIGNED } from '../../../reconciler/report.ts'
import type { StoreDay } from '../../recon/days.ts'
import { html, qs, type Html } from '../html.ts'
import { label } from '../i18n.ts'
import { layout, type Page } from '../layout.ts'
import type { MessageKey } from '../messages/en.ts'

const sum = (counts: Record<string, number> | undefined): number => Object.values(counts ?? {}).reduce((a, b) => a + b, 0)
/** 1 = Monday … 7 = Sunday. */
const weekday = (day: string): number => (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7 + 1

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

/** The month's weeks, Monday to Sunday; days outside the month are null. */
export function monthWeeks (month: string): Array<Array<string | null>> {
  const days = monthDays(month)
  const cells: Array<string | null> = [...Array(weekday(days[0]) - 1).fill(null), ...days]
  while (cells.length % 7) cells.push(null)
  return Array.from({ length: cells.length / 7 }, (_, w) => cells.slice(w * 7, w * 7 + 7))
}

export interface CalendarData { items: StoreDay[], reconciled: ReadonlySet<string>, late: ReadonlyMap<string, string[]> }

export function calendarPage (p: Page, month: string, stores: Array<{ id: string, name: string }>, data: CalendarData): Html {
  const { t } = p
  const byCell = new Map(data.items.map(i => [`${i.business_date}|${i.store_id}`, i]))
  const storeDay = (day: string, store: { id: string, name: string }): Html => {
    const i = byCell.get(`${day}|${store.id}`)
    // a store with no sales and no records on a reconciled day had nothing to reconcile: balanced, not "not reconciled"
    const quiet = !i && data.reconciled.has(day)
    const status = i?.status ?? (quiet ? 'balanced' : 'none')
    const open = sum(i?.exceptions)
    const resolved = sum(i?.resolved)
    const late = data.late.get(`${day}|${store.id}`) ?? []
    const name = store.id === UNASSIGNED ? t('calendar.unassigned') : store.id
    // the unassigned records are in the all-stores report of the day
    return html`<li><a href="/days/${day}${store.id === UNASSIGNED ? '' : qs({ store: store.id })}" data-day="${day}" data-store="${store.id}" data-status="${status}" title="${store.name}">
      <span class="status ${status}">${name}</span> <small>${label(t, 'status', status)}</small>${quiet ? html` <small class="muted">${t('calendar.quiet')}</small>` : ''}${open ? html` <small>${t('calendar.open', { n: open })}</small>` : ''}${resolved ? html` <small class="muted">${t('calendar.resolved', { n: resolved })}</small>` : ''}${late.length ? html`<br><small class="bad" data-late="${late.join(' ')}">${t('calendar.fileLate', { files: late.map(f => { const [provider, till] = f.split(':'); return till ? `${label(t, 'method', provider)} (${till})` : label(t, 'method', provider) }).join(', ') })}</small>` : ''}</a></li>`
  }
  const dayCell = (day: string | null, wd: number): Html => day === null
    ? html`<td class="outside"></td>`
    : html`<td class="day" data-label="${t(`weekday.${wd}` as MessageKey)}"><a class="date" href="/days/${day}">${Number(day.slice(8))}</a><ul>${stores.map(s => storeDay(day, s))}</ul></td>`
  const body = stores.length === 0
    ? html`<p>${t('calendar.noStores')}</p>`
    : html`<table class="month"><thead><tr>${[1, 2, 3, 4, 5, 6, 7].map(d => html`<th scope="col">${t(`weekday.${d}` as MessageKey)}</th>`)}</tr></thead>
      <tbody>${monthWeeks(month).map(week => html`<tr>${week.map((d, i) => dayCell(d, i + 1))}</tr>`)}</tbody></table>`
  return layout(p, t('calendar.title'), html`<h1>${t('calendar.title')} · ${month}</h1>
  <div class="toolbar"><a href="/calendar${qs({ month: shiftMonth(month, -1) })}">${t('calendar.prev')}</a><a href="/calendar${qs({ month: shiftMonth(month, 1) })}">${t('calendar.next')}</a>
  ${(['balanced', 'pending', 'exceptions', 'none'] as const).map(s => html`<span class="status ${s}">${label(t, 'status', s)}</span>`)}</div>
  ${body}`)
}
