// Claims on the page: on an exception, the claim standing for it with the moves it may make (sent,
// credited, rejected), or the form that opens one with what it would ask; and the list of claims by
// status, each leading to its exception.
import { formatMinor } from '../../../connectors/_shared/money.ts'
import { CLAIM_MOVES, CLAIM_STATUSES, type ClaimStatus } from '../../../reconciler/claims.ts'
import type { ClaimRow } from '../../recon/claims.ts'
import type { ExceptionDetail } from '../../recon/detail.ts'
import { html, qs, type Html } from '../html.ts'
import { actorName, hkt, label, money } from '../i18n.ts'
import { csrfField, layout, type Page } from '../layout.ts'

const STATUS_CLASS: Record<ClaimStatus, string> = { open: 'exceptions', sent: 'pending', credited: 'balanced', rejected: 'none' }
const exceptionUrl = (c: Pick<ClaimRow, 'business_date' | 'exception_key'>): string => `/days/${c.business_date}/exceptions/${encodeURIComponent(c.exception_key)}`

/** A claim's status as a badge. */
export const claimBadge = (p: Page, c: Pick<ClaimRow, 'id' | 'status'>): Html => html`<span class="status ${STATUS_CLASS[c.status]}" data-claim="${c.status}">${p.t('claim.badge', { id: c.id, status: label(p.t, 'claimStatus', c.status) })}</span>`

function moveForm (p: Page, c: ClaimRow, move: keyof typeof CLAIM_MOVES): Html {
  return html`<form class="action" method="post" action="/claims/${c.id}/${move}" data-move="${move}">${csrfField(p)}<strong>${p.t(`claim.move.${move}` as never)}</strong>
    <label>${p.t('claim.note')}<br><input type="text" name="note" required minlength="3" maxlength="500"></label>
    <button type="submit"${move === 'reject' ? html` class="danger"` : ''}>${p.t('action.submit')}</button></form>`
}

/** On an exception's page: its claim and the moves left, or the form that opens one. */
export function claimSection (p: Page, d: ExceptionDetail, mayAct: boolean): Html {
  const { t } = p
  const c = d.claim
  const standing = c && c.status !== 'rejected' ? c : null
  const opener = mayAct && d.actions.includes('claim') && d.claim_defaults
    ? html`<form class="action" method="post" action="/days/${d.business_date}/actions/claim" data-action="claim">${csrfField(p)}<input type="hidden" name="key" value="${d.key}">
      <strong>${t('claim.open')}</strong><p class="muted">${t('claim.openNote')}</p>
      <label>${t('claim.amount')}<br><input type="text" name="amount" inputmode="decimal" required pattern="[0-9]{1,8}(\\.[0-9]{1,2})?" value="${formatMinor(d.claim_defaults.amount)}"></label>
      <label>${t('claim.reference')}<br><input type="text" name="claim_reference" maxlength="128" value="${d.claim_defaults.reference ?? ''}"></label>
      <label>${t('claim.note')}<br><input type="text" name="reason" required minlength="3" maxlength="500"></label>
      <button type="submit">${t('action.submit')}</button></form>`
    : html``
  if (!c) return opener
  const moves = standing && mayAct ? (Object.keys(CLAIM_MOVES) as Array<keyof typeof CLAIM_MOVES>).filter(m => CLAIM_MOVES[m].includes(standing.status)) : []
  return html`<h2>${t('claim.title')}</h2><table id="claim"><tbody>
    <tr><th>${t('col.status')}</th><td>${claimBadge(p, c)}</td></tr><tr><th>${t('claim.amount')}</th><td class="num">${money(c.amount)}</td></tr>
    <tr><th>${t('claim.reference')}</th><td>${c.reference ?? '—'}</td></tr><tr><th>${t('claim.opened')}</th><td>${actorName(t, c.opened_by)} · ${hkt(c.opened_at)} · ${c.note}</td></tr>
    ${c.sent_at ? html`<tr><th>${t('claim.sentAt')}</th><td>${hkt(c.sent_at)}</td></tr>` : ''}
    ${c.closed_at ? html`<tr><th>${t('claim.closed')}</th><td>${actorName(t, c.closed_by)} · ${hkt(c.closed_at)}${c.close_note ? ` · ${c.close_note}` : ''}</td></tr>` : ''}
  </tbody></table>${moves.length ? html`<div class="actions">${moves.map(m => moveForm(p, standing!, m))}</div>` : ''}${standing ? '' : opener}`
}

export function claimsPage (p: Page, status: ClaimStatus | null, claims: readonly ClaimRow[]): Html {
  const { t } = p
  const tabs = [null, ...CLAIM_STATUSES].map(s => html`<a href="/claims${qs({ status: s })}"${s === status ? html` aria-current="page"` : ''}>${s ? label(t, 'claimStatus', s) : t('claim.all')}</a>`)
  const rows = claims.map(c => html`<tr data-claim="${c.id}"><td data-label="${t('claim.number')}">#${c.id}</td><td data-label="${t('col.status')}">${claimBadge(p, c)}</td><td data-label="${t('claim.day')}">${c.business_date}</td>
    <td data-label="${t('day.store')}">${c.store_id ?? '—'}</td><td data-label="${t('col.provider')}">${c.provider ? label(t, 'method', c.provider) : '—'}</td><td data-label="${t('col.code')}">${label(t, 'code', c.code)}</td>
    <td data-label="${t('claim.reference')}">${c.reference ?? '—'}</td><td class="num" data-label="${t('claim.amount')}">${money(c.amount)}</td><td data-label="${t('claim.opened')}">${hkt(c.opened_at)}</td>
    <td data-label="${t('claim.note')}">${c.note}${c.close_note ? html`<br><small class="muted">${c.close_note}</small>` : ''}</td>
    <td><a href="${c.status === 'open' || c.status === 'sent' ? exceptionUrl(c) : `/days/${c.business_date}${qs({ store: c.store_id })}`}">${t('day.details')}</a></td></tr>`)
  return layout(p, t('claim.listTitle'), html`<h1>${t('claim.listTitle')}</h1><div class="toolbar">${tabs}</div>
    ${claims.length ? html`<div class="scroll"><table id="claims" class="phone-cards"><thead><tr><th>${t('claim.number')}</th><th>${t('col.status')}</th><th>${t('claim.day')}</th><th>${t('day.store')}</th><th>${t('col.provider')}</th><th>${t('col.code')}</th>
      <th>${t('claim.reference')}</th><th class="num">${t('claim.amount')}</th><th>${t('claim.opened')}</th><th>${t('claim.note')}</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="muted">${t('claim.none')}</p>`}`)
}
