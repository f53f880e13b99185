// Bank statements: upload one (MT940, camt.053, or the bank's CSV/Excel export), and the files imported
// or refused lately with what each brought.
import type { BankImportRow } from '../../bank/imports.ts'
import { html, type Html } from '../html.ts'
import { hkt } from '../i18n.ts'
import { csrfField, layout, type Page } from '../layout.ts'

export function bankPage (p: Page, rows: BankImportRow[], messages: { notice: string | null, error: string | null }): Html {
  const { t } = p
  const row = (r: BankImportRow): Html => html`<tr><td>${hkt(r.at)}</td><td>${r.filename ?? '—'}</td>
    <td><span class="status ${r.status === 'imported' ? 'balanced' : 'exceptions'}">${t(r.status === 'imported' ? 'bank.imported' : 'bank.refused')}</span></td>
    <td>${r.format ?? '—'}</td><td>${r.accounts.join(', ') || '—'}</td><td class="num">${r.entries ?? '—'}</td><td class="num">${r.duplicates ?? '—'}</td>
    <td>${r.status === 'refused' ? r.first_issue ?? r.message ?? r.error_code ?? '' : ''}</td></tr>`
  return layout(p, t('bank.title'), html`<h1>${t('bank.title')}</h1>
  ${messages.notice ? html`<p class="notice" role="status">${messages.notice}</p>` : ''}${messages.error ? html`<p class="error" role="alert">${messages.error}</p>` : ''}
  <p class="muted">${t('bank.help')}</p>
  <form class="action" method="post" action="/bank/statements" enctype="multipart/form-data">${csrfField(p)}
    <label>${t('bank.file')}<br><input type="file" name="file" required accept=".sta,.mt940,.txt,.xml,.csv,.xlsx"></label>
    <label>${t('bank.account')}<br><input type="text" name="account" maxlength="40" pattern="[A-Za-z0-9][A-Za-z0-9 \\-]{2,40}"></label>
    <button type="submit">${t('bank.upload')}</button></form>
  <h2>${t('bank.recent')}</h2>
  ${rows.length ? html`<div class="scroll"><table id="bank-imports"><thead><tr><th>${t('col.at')}</th><th>${t('bank.file')}</th><th>${t('bank.status')}</th><th>${t('bank.format')}</th>
    <th>${t('bank.account')}</th><th class="num">${t('bank.entries')}</th><th class="num">${t('bank.duplicates')}</th><th>${t('bank.reason')}</th></tr></thead><tbody>${rows.map(row)}</tbody></table></div>`
    : html`<p class="muted">${t('bank.none')}</p>`}`)
}
