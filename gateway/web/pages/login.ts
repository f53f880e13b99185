import { html, type Html } from '../html.ts'
import { layout, type Page } from '../layout.ts'

export type LoginProblem = 'failed' | 'locked' | 'signedOut' | null

export function loginPage (p: Page, opts: { next: string, problem: LoginProblem, minutes?: number, username?: string }): Html {
  const { t } = p
  const message = opts.problem === 'failed' ? html`<p class="error" role="alert">${t('login.failed')}</p>`
    : opts.problem === 'locked' ? html`<p class="error" role="alert">${t('login.locked', { minutes: opts.minutes ?? 15 })}</p>`
      : opts.problem === 'signedOut' ? html`<p class="notice">${t('login.signedOut')}</p>` : ''
  return layout(p, t('login.title'), html`<form class="login" method="post" action="/login">
  <h1>${t('login.title')}</h1>${message}
  <input type="hidden" name="next" value="${opts.next}">
  <label>${t('login.username')}<br><input type="text" name="username" autocomplete="username" required maxlength="64" value="${opts.username ?? ''}" autofocus></label>
  <label>${t('login.password')}<br><input type="password" name="password" autocomplete="current-password" required maxlength="200"></label>
  <p><button type="submit">${t('login.submit')}</button></p>
</form>`)
}
