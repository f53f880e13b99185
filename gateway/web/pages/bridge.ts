// The day's money bridge on the page: per store and provider what the tills took, what the provider
// settled, kept as fees, paid out and what reached the bank, each step with its difference and the
// items that make it (signed, counted), and what nothing explains; then the signed totals.
import type { BridgeItem, BridgeRow, BridgeStep } from '../../../reconciler/bridge.ts'
import { UNASSIGNED } from '../../../reconciler/report.ts'
import type { ReconReport } from '../../../reconciler/types.ts'
import { html, type Html } from '../html.ts'
import { label, money, type Translate } from '../i18n.ts'
import type { Page } from '../layout.ts'

/** A difference with its sign: "+HK$30.00", "-HK$50.00", "HK$0.00". */
export const signed = (cents: number): string => cents > 0 ? `+${money(cents)}` : money(cents)

/** An item of a step in the page's language: an exception's name, or a reason's. */
export function itemLabel (t: Translate, code: BridgeItem['code']): string {
  return code in BRIDGE_KEYS ? t(BRIDGE_KEYS[code as keyof typeof BRIDGE_KEYS]) : label(t, 'code', code)
}
const BRIDGE_KEYS = {
  ROUNDING: 'bridge.ROUNDING', OTHER_DAY: 'bridge.OTHER_DAY', LISTED_NOT_SETTLED: 'bridge.LISTED_NOT_SETTLED', OTHER_RECORDS: 'bridge.OTHER_RECORDS',
  CANCELLED: 'bridge.CANCELLED', NOT_PAID_OUT: 'bridge.NOT_PAID_OUT', AWAITING_BANK: 'bridge.AWAITING_BANK'
} as const

/** The signed totals of some rows (all stores, or one provider's). */
export function bridgeTotal (rows: readonly BridgeRow[], store: string, provider: string): Omit<BridgeRow, 'settled' | 'payout' | 'bank'> & Record<'settled' | 'payout' | 'bank', Pick<BridgeStep, 'difference' | 'unexplained'>> {
  const sum = (f: (r: BridgeRow) => number): number => rows.reduce((s, r) => s + f(r), 0)
  const step = (k: 'settled' | 'payout' | 'bank') => ({ difference: sum(r => r[k].difference), unexplained: sum(r => r[k].unexplained) })
  return { store_id: store, provider, till: sum(r => r.till), gross: sum(r => r.gross), fee: sum(r => r.fee), net: sum(r => r.net), paid_out: sum(r => r.paid_out), in_bank: sum(r => r.in_bank), settled: step('settled'), payout: step('payout'), bank: step('bank') }
}

function figure (t: Translate, col: string, amount: number, step?: Pick<BridgeStep, 'difference' | 'unexplained'>): Html {
  // one child under the label: on a phone the cell is a flex row of its label and this
  return html`<td class="num" data-label="${t(col as never)}"><span>${money(amount)}${step && step.difference !== 0 ? html`<br><small class="${step.unexplained !== 0 ? 'bad' : 'muted'}">${signed(step.difference)}</small>` : ''}</span></td>`
}

function why (t: Translate, r: BridgeRow): Html {
  const items = [...r.settled.explained, ...r.payout.explained, ...r.bank.explained]
  const unexplained = r.settled.unexplained + r.payout.unexplained + r.bank.unexplained
  if (!items.length && unexplained === 0) return html`<span class="muted">${t('bridge.agrees')}</span>`
  return html`<span class="items">${items.map(i => html`<span class="item">${itemLabel(t, i.code)} ${signed(i.amount)}${i.count > 1 ? ` ×${i.count}` : ''}</span> `)}${unexplained !== 0 ? html`<strong class="bad">${t('bridge.unexplained')} ${signed(unexplained)}</strong>` : ''}</span>`
}

export function bridgeTable (p: Page, r: ReconReport, names: ReadonlyMap<string, string>): Html {
  const { t } = p
  const rows = r.bridge ?? []
  if (!rows.length) return html``
  const store = (id: string): Html | string => id === UNASSIGNED ? t('day.unassigned') : html`${names.get(id) ?? id} <span class="muted">${id}</span>`
  const total = bridgeTotal(rows, '', '')
  return html`<h2>${t('bridge.title')}</h2><p class="muted">${t('bridge.note')}</p><div class="scroll"><table id="bridge" class="phone-cards"><thead><tr><th>${t('day.store')}</th><th>${t('col.provider')}</th>
    <th class="num">${t('bridge.till')}</th><th class="num">${t('bridge.gross')}</th><th class="num">${t('day.fee')}</th><th class="num">${t('day.net')}</th><th class="num">${t('bridge.paidOut')}</th><th class="num">${t('bridge.inBank')}</th><th>${t('bridge.why')}</th></tr></thead>
  <tbody>${rows.map(b => html`<tr data-store="${b.store_id}" data-provider="${b.provider}"><td data-label="${t('day.store')}">${store(b.store_id)}</td><td data-label="${t('col.provider')}">${label(t, 'method', b.provider)}</td>
    ${figure(t, 'bridge.till', b.till)}${figure(t, 'bridge.gross', b.gross, b.settled)}${figure(t, 'day.fee', b.fee)}${figure(t, 'day.net', b.net)}${figure(t, 'bridge.paidOut', b.paid_out, b.payout)}${figure(t, 'bridge.inBank', b.in_bank, b.bank)}
    <td data-label="${t('bridge.why')}">${why(t, b)}</td></tr>`)}
  <tr class="total"><th data-label="${t('day.store')}">${t('bridge.total')}</th><td></td>${figure(t, 'bridge.till', total.till)}${figure(t, 'bridge.gross', total.gross, total.settled)}${figure(t, 'day.fee', total.fee)}${figure(t, 'day.net', total.net)}${figure(t, 'bridge.paidOut', total.paid_out, total.payout)}${figure(t, 'bridge.inBank', total.in_bank, total.bank)}<td></td></tr></tbody></table></div>`
}
