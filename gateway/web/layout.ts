// The frame of every page: header with navigation, the language switch and sign-out, then the page's
// content. No script and nothing from another origin: styles come from /assets on this server.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { can } from '../auth/roles.ts'
import type { Principal } from '../plugins/auth.ts'
import { html, qs, type Html, type Part } from './html.ts'
import { langOf, label, translator, type Lang, type Translate } from './i18n.ts'

export interface Page { t: Translate, lang: Lang, principal: Principal | null, path: string }

export function pageOf (req: FastifyRequest): Page {
  const lang = langOf(req)
  return { t: translator(lang), lang, principal: req.principal ?? null, path: req.url }
}

/** The hidden CSRF field every form of a signed-in person carries. */
export function csrfField (p: Page): Html {
  return html`<input type="hidden" name="_csrf" value="${p.principal?.csrf ?? ''}">`
}

function nav (p: Page): Html {
  const who = p.principal
  if (!who) return html``
  const links: Array<[string, Parameters<Translate>[0], boolean]> = [
    ['/dashboard', 'nav.dashboard', can(who.role, 'reconciliation:read')],
    ['/calendar', 'nav.calendar', can(who.role, 'reconciliation:read')],
    ['/stock', 'nav.stock', can(who.role, 'inventory:read')],
    ['/orders', 'nav.orders', can(who.role, 'orders:read')],
    ['/exports', 'nav.exports', can(who.role, 'inventory:read')],
    ['/claims', 'nav.claims', can(who.role, 'exceptions:resolve')],
    ['/bank', 'nav.bank', can(who.role, 'settlements:write')]
  ]
  return html`<nav>${links.filter(l => l[2]).map(([href, key]) => html`<a href="${href}"${p.path.startsWith(href) ? html` aria-current="page"` : ''}>${p.t(key)}</a>`)}
    <span class="who">${p.t('nav.signedInAs', { name: who.displayName ?? who.actor, role: label(p.t, 'role', who.role) })}</span>
    <form method="post" action="/logout" class="inline">${csrfField(p)}<button type="submit" class="link">${p.t('nav.signOut')}</button></form></nav>`
}

export function layout (p: Page, title: string, body: Part, opts: { printable?: boolean } = {}): Html {
  const other: Lang = p.lang === 'en' ? 'zh-HK' : 'en'
  return html`<!doctype html>
<html lang="${p.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${p.t('app.name')}</title>
<link rel="stylesheet" href="/assets/app.css"></head>
<body${opts.printable ? html` class="print"` : ''}>
${opts.printable ? '' : html`<header><a class="brand" href="/">${p.t('app.name')}</a>${nav(p)}
<a class="lang" href="/lang${qs({ to: other, next: p.path })}" hreflang="${other}" lang="${other}">${p.t('lang.switch')}</a></header>`}
<main>${body}</main>
</body></html>`
}

export function sendPage (reply: FastifyReply, page: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.text)
}
