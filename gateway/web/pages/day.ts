// The daily report: per store the till's tenders, what each provider settled (gross, fee, net), stock
// verified vs provisional and the open exceptions by type; then every open exception, the payouts and
// where their money is, those resolved, and the payments linked by hand. The same page prints (print=1) for the file.
import { exceptionKey } from '../../../reconciler/reconcile.ts'
import { UNASSIGNED } from '../../../reconciler/report.ts'
import { EXCEPTION_CODES, type ReconException, type ReconReport, type Resolution, type StoreSummary } from '../../../reconciler/types.ts'
import { can } from '../../auth/roles.ts'
import type { RunInfo } from '../../recon/days.ts'
import { html, qs, type Html } from '../html.ts'
import { actorName, hkt, label, money } from '../i18n.ts'
import { csrfField, layout, type Page } from '../layout.ts'
import { amountOf, describe, resolutionLabel } from './describe.ts'
import { bridgeTable } from './bridge.ts'
import { claimBadge } from './claims.ts'
import type { ClaimRow } from '../../recon/claims.ts'

export interface DayView {
  date: string, store: string | null, stores: Array<{ id: string, name: string }>, report: ReconReport | null, run: RunInfo | null, notice: string | null, error: string | null, printable: boolean
  /** The standing claim of each exception, by key. */
  claims?: ReadonlyMap<string, ClaimRow>
}

const keyUrl = (date: string, key: string): string => `/days/${date}/exceptions/${encodeURIComponent(key)}`

/** What a store's open exceptions of one code come to: the signed sum of the amounts their rows show. */
export function codeTotal (r: ReconReport, storeId: string, code: ReconException['code']): number {
  return r.exceptions.filter(e => (e.store_id ?? UNASSIGNED) === storeId && e.code === code).reduce((a, e) => a + (amountOf(e) ?? 0), 0)
}

function storeCard (p: Page, r: ReconReport, s: StoreSummary, name: string): Html {
  const { t } = p
  const byCode = EXCEPTION_CODES.filter(c => s.exceptions[c]).map(c => {
    const amount = codeTotal(r, s.store_id, c)
    return html`<tr><td>${label(t, 'code', c)}</td><td class="num">${s.exceptions[c]}</td><td class="num">${c === 'STOCK_MISMATCH' ? '—' : money(amount)}</td></tr>`
  })
  const title = s.store_id === UNASSIGNED ? t('day.unassigned') : html`${name} <span class="muted">${s.store_id}</span>`
  return html`<section class="card" data-store="${s.store_id}"><h3>${title} <span class="status ${s.status}">${label(t, 'status', s.status)}</span></h3>
  <table><tbody><tr><th>${t('day.sales')}</th><td class="num">${s.sales}</td></tr><tr><th>${t('day.verifiedSales')}</th><td class="num">${s.verified_sales}</td></tr></tbody></table>
  <table><thead><tr><th>${t('day.tenders')}</th><th class="num">${t('day.amount')}</th></tr></thead>
  <tbody>${Object.entries(s.tenders).map(([m, v]) => html`<tr><td>${label(t, 'method', m)}</td><td class="num">${money(v)}</td></tr>`)}</tbody></table>
  <table><thead><tr><th>${t('day.settled')}</th><th class="num">${t('day.gross')}</th><th class="num">${t('day.fee')}</th><th class="num">${t('day.net')}</th></tr></thead>
  <tbody>${Object.entries(s.settled).map(([prov, v]) => html`<tr><td>${label(t, 'method', prov)}</td><td class="num">${money(v!.gross)}</td><td class="num">${money(v!.fee)}</td><td class="num">${money(v!.net)}</td></tr>`)}</tbody></table>
  <table><thead><tr><th>${t('day.stock')}</th><th class="num">${t('day.count')}</th></tr></thead>
  <tbody><tr><td>${t('day.verified')}</td><td class="num">${s.verified_movements}</td></tr><tr><td>${t('day.provisional')}</td><td class="num">${s.provisional_movements}</td></tr></tbody></table>
  ${byCode.length ? html`<table><thead><tr><th>${t('day.exceptionsByCode')}</th><th class="num">${t('day.count')}</th><th class="num">${t('day.amount')}</th></tr></thead><tbody>${byCode}</tbody></table>` : ''}
  </section>`
}

/** The claim an open exception has on the provider, as a badge under its description. */
function claimOf (p: Page, claims: ReadonlyMap<string, ClaimRow>, e: ReconException): Html | string {
  const c = claims.get(exceptionKey(e))
  return c ? html`<br>${claimBadge(p, c)}` : ''
}

function exceptionTable (p: Page, r: ReconReport, claims: ReadonlyMap<string, ClaimRow>): Html {
  const { t } = p
  if (!r.exceptions.length) return html`<p class="notice">${t('day.noExceptions')}</p>`
  return html`<div class="scroll"><table id="open-exceptions" class="phone-cards"><thead><tr><th>${t('col.code')}</th><th>${t('day.store')}</th><th>${t('col.sale')}</th><th>${t('col.provider')}</th><th>${t('col.reference')}</th>
    <th class="num">${t('col.expected')}</th><th class="num">${t('col.actual')}</th><th>${t('col.description')}</th><th class="noprint"></th></tr></thead>
  <tbody>${r.exceptions.map(e => html`<tr data-code="${e.code}"><td data-label="${t('col.code')}">${label(t, 'code', e.code)}</td><td data-label="${t('day.store')}">${e.store_id ?? '—'}</td><td data-label="${t('col.sale')}">${e.sale_id ?? '—'}</td>
    <td data-label="${t('col.provider')}">${e.provider ? label(t, 'method', e.provider) : '—'}</td><td data-label="${t('col.reference')}">${e.reference ?? e.provider_txn_id ?? e.batch_id ?? '—'}</td><td class="num" data-label="${t('col.expected')}">${money(e.expected)}</td><td class="num" data-label="${t('col.actual')}">${money(e.actual)}</td><td data-label="${t('col.description')}">${describe(t, e)}${claimOf(p, claims, e)}${e.store_inferred ? html`<br><small class="muted">${t('day.storeInferred', { evidence: e.store_evidence ?? '' })}</small>` : ''}</td>
    <td class="noprint"><a href="${keyUrl(r.business_date, exceptionKey(e))}">${t('day.details')}</a></td></tr>`)}</tbody></table></div>`
}

function resolvedTable (p: Page, r: ReconReport): Html {
  const { t } = p
  if (!r.resolved.length) return html``
  return html`<h2>${t('day.resolvedExceptions')}</h2><div class="scroll"><table id="resolved-exceptions"><thead><tr><th>${t('col.code')}</th><th>${t('day.store')}</th><th>${t('col.sale')}</th>
    <th class="num">${t('day.amount')}</th><th>${t('col.category')}</th><th>${t('col.reason')}</th><th>${t('col.by')}</th><th>${t('col.at')}</th><th class="noprint"></th></tr></thead>
  <tbody>${r.resolved.map(e => html`<tr data-code="${e.code}"><td>${label(t, 'code', e.code)}</td><td>${e.store_id ?? '—'}</td><td>${e.sale_id ?? '—'}</td><td class="num">${money(amountOf(e))}</td>
    <td>${resolutionLabel(t, e.resolution as Resolution)}</td><td>${e.resolution.reason}</td><td>${actorName(t, e.resolution.actor)}</td><td>${hkt(e.resolution.at)}</td>
    <td class="noprint"><a href="${keyUrl(r.business_date, exceptionKey(e))}">${t('day.details')}</a></td></tr>`)}</tbody></table></div>`
}

function payoutTable (p: Page, r: ReconReport): Html {
  const { t } = p
  // a report from before payouts were judged has none
  const lines = r.payouts ?? []
  if (!lines.length) return html``
  return html`<h2>${t('day.payouts')}</h2><p class="muted">${t('day.payoutsNote')}</p><div class="scroll"><table id="payouts" class="phone-cards"><thead><tr><th>${t('col.provider')}</th><th>${t('col.payout')}</th><th>${t('day.store')}</th>
    <th class="num">${t('day.amount')}</th><th>${t('col.settledOn')}</th><th>${t('col.dueBy')}</th><th>${t('col.status')}</th><th>${t('col.bankCredit')}</th></tr></thead>
  <tbody>${lines.map(l => html`<tr data-status="${l.status}"><td data-label="${t('col.provider')}">${label(t, 'method', l.provider)}</td><td data-label="${t('col.payout')}">${l.batch_id ?? '—'}</td><td data-label="${t('day.store')}">${l.store_id ?? '—'}</td>
    <td class="num" data-label="${t('day.amount')}">${money(l.amount)}</td><td data-label="${t('col.settledOn')}">${l.settlement_date}</td><td data-label="${t('col.dueBy')}">${l.due_by}</td>
    <td data-label="${t('col.status')}"><span class="status ${l.status === 'in_bank' ? 'balanced' : l.status === 'pending' ? 'pending' : 'exceptions'}">${label(t, 'payout', l.status)}</span></td>
    <td data-label="${t('col.bankCredit')}">${l.bank ? `${l.bank.value_date} · ${money(l.bank.amount)}` : '—'}</td></tr>`)}</tbody></table></div>`
}

function manualLinks (p: Page, r: ReconReport): Html {
  const { t } = p
  // hand-made links, and proposed matches a person confirmed (undone by their exception's key)
  const links = r.matches.filter(m => m.by === 'manual' || m.review === 'confirmed')
  const undo = (m: ReconReport['matches'][number]): Html => m.review === 'confirmed'
    ? html`<input type="hidden" name="key" value="${exceptionKey({ code: 'PROPOSED_MATCH', store_id: m.store_id, sale_id: m.sale_id, tender: m.tender, provider: m.provider, expected: null, actual: null, detail: '', payment_id: m.payment_id })}">`
    : html`<input type="hidden" name="payment_id" value="${m.payment_id}">`
  if (!links.length) return html``
  const mayUndo = p.principal !== null && can(p.principal.role, 'exceptions:resolve')
  return html`<h2>${t('day.manualLinks')}</h2><table id="manual-links"><thead><tr><th>${t('day.store')}</th><th>${t('col.sale')}</th><th>${t('col.tender')}</th><th>${t('col.provider')}</th><th>${t('col.payment')}</th><th class="noprint"></th></tr></thead>
  <tbody>${links.map(m => html`<tr><td>${m.store_id}</td><td>${m.sale_id}</td><td>${m.tender + 1}</td><td>${label(t, 'method', m.provider)}</td><td>${m.provider_txn_id ?? `#${m.payment_id}`}${m.review === 'confirmed' ? html` <span class="muted">${t('day.confirmedMatch')}</span>` : ''}</td>
    <td class="noprint">${mayUndo ? html`<form method="post" action="/days/${r.business_date}/actions/reopen">${csrfField(p)}${undo(m)}
      <input type="text" name="reason" required minlength="3" maxlength="500" placeholder="${t('action.reason')}" aria-label="${t('action.reason')}"> <button type="submit">${t('day.reopenLink')}</button></form>` : ''}</td></tr>`)}</tbody></table>`
}

export function dayPage (p: Page, v: DayView): Html {
  const { t } = p
  const names = new Map(v.stores.map(s => [s.id, s.name]))
  const mayRun = p.principal !== null && can(p.principal.role, 'reconciliation:run')
  const toolbar = html`<div class="toolbar">
    ${v.stores.length > 1 ? html`<a href="/days/${v.date}">${t('day.allStores')}</a>` : ''}${v.stores.map(s => html`<a href="/days/${v.date}${qs({ store: s.id })}"${v.store === s.id ? html` aria-current="page"` : ''}>${s.name}</a>`)}
    ${v.report ? html`<a href="/days/${v.date}/report.csv${qs({ store: v.store })}" download>${t('day.exportCsv')}</a><a href="/days/${v.date}/bridge.csv${qs({ store: v.store })}" download>${t('bridge.exportCsv')}</a><a href="/days/${v.date}${qs({ store: v.store, print: 1 })}">${t('day.print')}</a>` : ''}
    ${mayRun ? html`<form method="post" action="/days/${v.date}/run" class="inline">${csrfField(p)}<button type="submit">${t('day.runNow')}</button></form>` : ''}</div>`
  const messages = html`${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}`
  if (!v.report) return layout(p, t('day.title', { date: v.date }), html`<h1>${t('day.title', { date: v.date })}</h1>${toolbar}${messages}<p>${t('day.notReconciled')}</p>`)
  const r = v.report
  return layout(p, t('day.title', { date: v.date }), html`<h1>${t('day.title', { date: v.date })}${v.store ? html` · ${names.get(v.store) ?? v.store}` : ''}</h1>
  ${v.printable ? '' : toolbar}${messages}
  <p class="muted">${t('day.generatedAt', { time: hkt(v.run?.finished_at ?? r.generated_at) })}</p>
  ${v.run?.reopened ? html`<p class="notice">${t('status.reopened')}</p>` : ''}
  <div class="cards">${r.stores.map(s => storeCard(p, r, s, names.get(s.store_id) ?? s.store_id))}</div>
  ${bridgeTable(p, r, names)}
  <h2>${t('day.openExceptions')}</h2>${exceptionTable(p, r, v.claims ?? new Map())}${payoutTable(p, r)}${resolvedTable(p, r)}${manualLinks(p, r)}`, { printable: v.printable })
}
