// Stock on hand per location (verified vs provisional, low stock highlighted) and purchase orders with
// their approval state.
import { html, qs, type Html } from '../html.ts'
import { actorName, hkt, label } from '../i18n.ts'
import { layout, type Page } from '../layout.ts'

export interface StockRow { sku: string, name: string | null, location_id: string, on_hand: string, verified: string, provisional: string, min_level: string | null, reorder_point: string | null, low: boolean }
export interface OrderRow { id: number, supplier: string, location_id: string, status: string, created_at: Date, decided_by: string | null, decided_at: Date | null, lines: Array<{ sku: string, qty: string }> }

/** A quantity as people count it: "3", "-1", "2.5" (the ledger keeps 3 decimals for weighed goods). */
export function qty (v: string | null): string {
  if (v === null) return '—'
  return v.includes('.') ? v.replace(/\.?0+$/, '') || '0' : v
}

const negative = (v: string): boolean => v.trim().startsWith('-') && Number(v) !== 0

export function stockPage (p: Page, locations: Array<{ id: string, name: string }>, location: string | null, rows: StockRow[]): Html {
  const { t } = p
  const filter = html`<form method="get" action="/stock" class="toolbar"><label>${t('col.location')} <select name="location"><option value="">${t('stock.allLocations')}</option>
    ${locations.map(l => html`<option value="${l.id}"${l.id === location ? ' selected' : ''}>${l.name} (${l.id})</option>`)}</select></label> <button type="submit">${t('stock.show')}</button></form>`
  const table = rows.length === 0 ? html`<p>${t('stock.none')}</p>` : html`<div class="scroll"><table id="stock"><thead><tr><th>${t('col.sku')}</th><th>${t('col.location')}</th>
    <th class="num">${t('stock.onHand')}</th><th class="num">${t('day.verified')}</th><th class="num">${t('day.provisional')}</th><th class="num">${t('stock.minLevel')}</th><th class="num">${t('stock.reorderPoint')}</th><th>${t('col.status')}</th></tr></thead>
    <tbody>${rows.map(r => html`<tr${r.low || negative(r.on_hand) ? html` class="low"` : ''} data-sku="${r.sku}" data-location="${r.location_id}"><td>${r.sku}${r.name ? html` <span class="muted">${r.name}</span>` : ''}</td><td>${r.location_id}</td>
      <td class="num">${qty(r.on_hand)}</td><td class="num">${qty(r.verified)}</td><td class="num">${qty(r.provisional)}</td><td class="num">${qty(r.min_level)}</td><td class="num">${qty(r.reorder_point)}</td>
      <td>${negative(r.on_hand) ? html`<span class="status exceptions">${t('stock.negative')}</span> ` : ''}${r.low ? html`<span class="status exceptions">${t('stock.low')}</span>` : ''}</td></tr>`)}</tbody></table></div>`
  return layout(p, t('stock.title'), html`<h1>${t('stock.title')}</h1>${filter}${table}`)
}

export function ordersPage (p: Page, orders: OrderRow[]): Html {
  const { t } = p
  const body = orders.length === 0 ? html`<p>${t('orders.none')}</p>` : html`<div class="scroll"><table id="orders"><thead><tr><th>${t('orders.number')}</th><th>${t('orders.supplier')}</th><th>${t('col.location')}</th>
    <th>${t('col.status')}</th><th>${t('orders.created')}</th><th>${t('orders.decidedBy')}</th><th>${t('orders.lines')}</th></tr></thead>
    <tbody>${orders.map(o => html`<tr data-order="${o.id}" data-status="${o.status}"><td>#${o.id}</td><td>${o.supplier}</td><td>${o.location_id}</td><td>${label(t, 'orders.status', o.status)}</td><td>${hkt(o.created_at)}</td>
      <td>${actorName(t, o.decided_by)}${o.decided_at ? html` <span class="muted">${hkt(o.decided_at)}</span>` : ''}</td><td>${o.lines.map(l => html`${l.sku} × ${qty(l.qty)}<br>`)}</td></tr>`)}</tbody></table></div>`
  return layout(p, t('orders.title'), html`<h1>${t('orders.title')}</h1>${body}`)
}

export function exportsPage (p: Page, locations: Array<{ id: string, name: string }>, month: string): Html {
  const { t } = p
  return layout(p, t('exports.title'), html`<h1>${t('exports.title')}</h1><p>${t('exports.intro')}</p>
  <form method="get" action="/exports" class="toolbar"><label>${t('exports.month')} <input type="month" name="month" value="${month}" required></label> <button type="submit">${t('stock.show')}</button></form>
  <table id="exports"><thead><tr><th>${t('col.location')}</th><th></th><th></th></tr></thead><tbody>
  ${locations.map(l => html`<tr><td>${l.name} (${l.id})</td><td><a href="/exports/movements.csv${qs({ month, location: l.id })}" download>${t('exports.movements')}</a></td>
    <td><a href="/exports/stock-takes.csv${qs({ month, location: l.id })}" download>${t('exports.stockTakes')}</a></td></tr>`)}</tbody></table>`)
}
