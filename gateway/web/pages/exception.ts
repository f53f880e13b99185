// One exception: what it is, the sale (lines, tenders), the payment record, the candidates a link
// could pair with their scores, the stock movements, its history, and a form for each fitting action.
import { WRITE_OFF_FITS, type Resolution } from '../../../reconciler/types.ts'
import { can } from '../../auth/roles.ts'
import type { ExceptionDetail, PaymentView } from '../../recon/detail.ts'
import { html, type Html } from '../html.ts'
import { actorName, hkt, label, money } from '../i18n.ts'
import { csrfField, layout, type Page } from '../layout.ts'
import { describe, resolutionLabel } from './describe.ts'
import { claimSection } from './claims.ts'

const reasonField = (p: Page): Html => html`<label>${p.t('action.reason')}<br><input type="text" name="reason" required minlength="3" maxlength="500"></label>`

function actionForm (p: Page, d: ExceptionDetail, action: string, title: string, fields: Html, danger = false): Html {
  return html`<form class="action" method="post" action="/days/${d.business_date}/actions/${action}" data-action="${action}">${csrfField(p)}
    <input type="hidden" name="key" value="${d.key}"><strong>${title}</strong>${fields}${reasonField(p)}
    <button type="submit"${danger ? html` class="danger"` : ''}>${p.t('action.submit')}</button></form>`
}

function saleSection (p: Page, d: ExceptionDetail): Html {
  const { t } = p
  const s = d.sale
  if (!s) return html``
  return html`<h2>${t('exception.sale')}</h2>
  <table><tbody><tr><th>${t('col.sale')}</th><td>${s.sale_id}${s.voided ? html` <span class="status exceptions">${t('exception.voided')}</span>` : ''}</td></tr>
  <tr><th>${t('day.store')}</th><td>${s.store_id}</td></tr><tr><th>${t('exception.till')}</th><td>${s.terminal_id ?? '—'}</td></tr>
  <tr><th>${t('exception.receipt')}</th><td>${s.receipt_no ?? '—'}</td></tr><tr><th>${t('col.time')}</th><td>${hkt(s.occurred_at)}</td></tr></tbody></table>
  <h2>${t('exception.lines')}</h2><table><thead><tr><th>#</th><th>${t('col.sku')}</th><th class="num">${t('col.qty')}</th><th class="num">${t('day.amount')}</th></tr></thead>
  <tbody>${s.lines.map(l => html`<tr><td>${l.line_no}</td><td>${l.sku}</td><td class="num">${l.qty}</td><td class="num">${money(l.amount)}</td></tr>`)}</tbody></table>
  <h2>${t('exception.tenders')}</h2><table><thead><tr><th>#</th><th>${t('col.provider')}</th><th class="num">${t('day.amount')}</th><th>${t('col.payment')}</th></tr></thead>
  <tbody>${s.tenders.map(x => html`<tr${x.tender === d.exception.tender ? html` class="low"` : ''}><td>${x.tender + 1}</td><td>${label(t, 'method', x.method)}</td><td class="num">${money(x.amount)}</td><td>${x.reference ?? '—'}${x.card_brand || x.card_last4 ? html` · ${label(t, 'brand', x.card_brand ?? '')} ${x.card_last4 ? `•••• ${x.card_last4}` : ''}${x.auth_code ? ` (${t('exception.authCode')} ${x.auth_code})` : ''}` : ''}</td></tr>`)}</tbody></table>`
}

function recordTable (p: Page, x: PaymentView, id: string): Html {
  const { t } = p
  return html`<table id="${id}"><tbody>
  <tr><th>${t('col.provider')}</th><td>${label(t, 'method', x.provider)}</td></tr><tr><th>${t('day.gross')}</th><td class="num">${money(x.gross)}</td></tr>
  <tr><th>${t('day.fee')}</th><td class="num">${money(x.fee)}</td></tr><tr><th>${t('day.net')}</th><td class="num">${money(x.net)}</td></tr>
  <tr><th>${t('col.time')}</th><td>${hkt(x.paid_at)}</td></tr><tr><th>${t('col.payment')}</th><td>${x.provider_txn_id ?? '—'} / ${x.merchant_ref ?? '—'}</td></tr>
  <tr><th>${t('exception.file')}</th><td>${t('exception.fileLine', { file: x.filename ?? '—', line: x.line_no })}</td></tr></tbody></table>`
}

/** The record the exception is about; for a duplicate listing, both listings side by side. */
function paymentSection (p: Page, d: ExceptionDetail): Html {
  const { t } = p
  if (!d.payment) return html``
  if (!d.first_listing) return html`<h2>${t('exception.payment')}</h2>${recordTable(p, d.payment, 'payment')}`
  return html`<h2>${t('exception.bothListings')}</h2><div class="cards"><section class="card"><h3>${t('exception.firstListing')}</h3>${recordTable(p, d.first_listing, 'first-listing')}</section>
    <section class="card"><h3>${t('exception.secondListing')}</h3>${recordTable(p, d.payment, 'payment')}</section></div>`
}

function candidatesSection (p: Page, d: ExceptionDetail, mayAct: boolean): Html {
  const { t } = p
  if (!d.actions.includes('link')) return html``
  if (!d.candidates.length) return html`<h2>${t('exception.candidates')}</h2><p class="muted">${t('exception.noCandidates')}</p>`
  const row = (c: ExceptionDetail['candidates'][number]): Html => {
    const paying = c.payment
    const form = mayAct
      ? html`<form method="post" action="/days/${d.business_date}/actions/link" class="inline">${csrfField(p)}<input type="hidden" name="key" value="${d.key}">
        ${paying ? html`<input type="hidden" name="payment_id" value="${paying.id}">` : html`<input type="hidden" name="sale_id" value="${c.sale_id}"><input type="hidden" name="tender" value="${c.tender}">`}
        <input type="text" name="reason" required minlength="3" maxlength="500" placeholder="${t('action.reason')}" aria-label="${t('action.reason')}">
        <button type="submit">${paying ? t('action.link') : t('action.linkSale')}</button></form>`
      : ''
    return html`<tr data-candidate="${c.id}"><td class="num">${c.score.toFixed(3)}</td><td>${paying ? paying.provider_txn_id ?? paying.merchant_ref ?? `#${paying.id}` : `${c.sale_id} #${(c.tender ?? 0) + 1}`}${c.same_reference ? html` <em>${t('exception.sameReference')}</em>` : ''}</td>
      <td class="num">${paying ? money(paying.gross) : '—'}</td><td class="num">${money(c.amount_diff)}</td><td class="num">${c.minutes_apart ?? '—'}</td><td>${form}</td></tr>`
  }
  return html`<h2>${t('exception.candidates')}</h2><div class="scroll"><table id="candidates"><thead><tr><th class="num">${t('col.score')}</th><th>${t('col.payment')}</th><th class="num">${t('day.amount')}</th>
    <th class="num">${t('col.difference')}</th><th class="num">${t('col.minutesApart')}</th><th>${t('col.action')}</th></tr></thead><tbody>${d.candidates.map(row)}</tbody></table></div>`
}

function movementsSection (p: Page, d: ExceptionDetail): Html {
  const { t } = p
  if (!d.movements.length) return html``
  return html`<h2>${t('exception.movements')}</h2><table id="movements"><thead><tr><th>${t('col.sku')}</th><th>${t('col.location')}</th><th class="num">${t('col.qty')}</th><th>${t('col.reason')}</th><th>${t('col.status')}</th><th>${t('col.time')}</th></tr></thead>
  <tbody>${d.movements.map(m => html`<tr><td>${m.sku}</td><td>${m.location_id}</td><td class="num">${m.qty}</td><td>${label(t, 'reason', m.reason)}</td><td>${m.verified ? t('day.verified') : t('day.provisional')}</td><td>${hkt(m.occurred_at)}</td></tr>`)}</tbody></table>`
}

function historySection (p: Page, d: ExceptionDetail): Html {
  const { t } = p
  return html`<h2>${t('exception.history')}</h2>${d.trail.length === 0 ? html`<p class="muted">${t('exception.noHistory')}</p>`
    : html`<table id="history"><thead><tr><th>${t('col.at')}</th><th>${t('col.by')}</th><th>${t('col.action')}</th><th>${t('col.reason')}</th></tr></thead>
      <tbody>${d.trail.map(a => html`<tr><td>${hkt(a.at)}</td><td>${actorName(t, a.actor)}</td><td>${label(t, 'audit', a.action)}</td><td>${a.reason ?? ''}</td></tr>`)}</tbody></table>`}`
}

/** A proposed match: the pairings it competes with (another unpaid sale, or another free record). */
function alternativesSection (p: Page, d: ExceptionDetail): Html {
  const { t } = p
  const alts = d.exception.code === 'PROPOSED_MATCH' ? d.exception.alternatives ?? [] : null
  if (!alts) return html``
  if (!alts.length) return html`<h2>${t('exception.alternatives')}</h2><p class="muted">${t('exception.noAlternatives')}</p>`
  const same = (a: typeof alts[number]): boolean => a.sale_id === d.exception.sale_id && a.tender === d.exception.tender
  return html`<h2>${t('exception.alternatives')}</h2><div class="scroll"><table id="alternatives"><thead><tr><th class="num">${t('col.score')}</th><th>${t('col.sale')}</th><th>${t('col.payment')}</th><th class="num">${t('exception.secondsAfter')}</th></tr></thead>
    <tbody>${alts.map(a => html`<tr><td class="num">${a.score.toFixed(3)}</td><td>${same(a) ? t('exception.thisSale') : html`${a.sale_id} #${a.tender + 1}`}</td><td>${a.provider_txn_id ?? a.payment_id}</td><td class="num">${a.seconds_after_sale}</td></tr>`)}</tbody></table></div>`
}

function actionsSection (p: Page, d: ExceptionDetail, stores: ReadonlyArray<{ id: string, name: string }>): Html {
  const { t } = p
  const forms: Html[] = []
  if (d.actions.includes('confirm')) forms.push(actionForm(p, d, 'confirm', t('action.confirm'), html``))
  if (d.actions.includes('reject')) forms.push(actionForm(p, d, 'reject', t('action.reject'), html``, true))
  if (d.actions.includes('write_off')) {
    forms.push(actionForm(p, d, 'write-off', t('action.writeOff'), html`<label>${t('col.category')}<br><select name="category" required><option value="">${t('action.chooseCategory')}</option>${(WRITE_OFF_FITS[d.exception.code] ?? []).map(c => html`<option value="${c}">${label(t, 'category', c)}</option>`)}</select></label>`))
  }
  if (d.actions.includes('assign_store')) {
    forms.push(actionForm(p, d, 'assign-store', t('action.assignStore'), html`<p class="muted">${t('action.assignStoreNote')}</p><label>${t('day.store')}<br><select name="store_id" required><option value="">${t('action.chooseStore')}</option>${stores.map(s => html`<option value="${s.id}">${s.name} (${s.id})</option>`)}</select></label>`))
  }
  if (d.actions.includes('void') && d.sale) {
    forms.push(actionForm(p, d, 'void', t('action.void'), html`<p class="muted">${t('action.voidNote')}</p><input type="hidden" name="sale_id" value="${d.sale.sale_id}"><input type="hidden" name="vendor" value="${d.sale.vendor}">`, true))
  }
  if (d.actions.includes('reopen')) {
    const link = d.links.find(l => l.tender === d.exception.tender)
    forms.push(actionForm(p, d, 'reopen', t('action.reopen'), d.state === 'open' && link ? html`<input type="hidden" name="payment_id" value="${link.payment_id}">` : html``))
  }
  return html`${forms}`
}

export function exceptionPage (p: Page, d: ExceptionDetail, messages: { notice: string | null, error: string | null }, stores: ReadonlyArray<{ id: string, name: string }> = []): Html {
  const { t } = p
  const e = d.exception
  const title = t('exception.title', { code: label(t, 'code', e.code), date: d.business_date })
  const mayAct = p.principal !== null && can(p.principal.role, 'exceptions:resolve')
  const resolution = 'resolution' in e
    ? html`<p class="notice">${t('exception.resolvedBy', { category: resolutionLabel(t, e.resolution as Resolution), actor: actorName(t, e.resolution.actor), time: hkt(e.resolution.at), reason: e.resolution.reason })}</p>`
    : ''
  return layout(p, title, html`<p><a href="/days/${d.business_date}${e.store_id ? `?store=${encodeURIComponent(e.store_id)}` : ''}">${t('exception.back')}</a></p>
  <h1>${title}</h1>${messages.notice ? html`<p class="notice" role="status">${messages.notice}</p>` : ''}${messages.error ? html`<p class="error" role="alert">${messages.error}</p>` : ''}
  <p><span class="status ${d.state === 'open' ? 'exceptions' : 'balanced'}">${label(t, 'code', e.code)}</span> ${describe(t, e)}</p>${e.store_inferred ? html`<p class="muted">${t('day.storeInferred', { evidence: e.store_evidence ?? '' })}</p>` : ''}${resolution}
  ${claimSection(p, d, mayAct)}${saleSection(p, d)}${paymentSection(p, d)}${alternativesSection(p, d)}${candidatesSection(p, d, mayAct)}${movementsSection(p, d)}${historySection(p, d)}
  ${mayAct ? actionsSection(p, d, stores) : ''}`)
}
