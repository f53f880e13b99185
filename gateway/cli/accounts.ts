// `recon user …` and `recon key …`: people and integration keys, from the command line of the server
// (how the first owner is made). A password is read from RECON_PASSWORD, from a pipe, or typed at a
// hidden prompt; an API key is printed once and only its digest is kept.
import { userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { createApiKey, createUser, listApiKeys, listUsers, revokeApiKey, setActive, setPassword } from '../auth/accounts.ts'
import type { Config } from '../config.ts'
import { DomainError } from '../domain-error.ts'
import { withRuntime } from './ledger.ts'


export type ReadPassword = () => Promise<string>

/** RECON_PASSWORD, else one line from a pipe, else a prompt that does not echo. */
export const readPassword: ReadPassword = async () => {
  if (process.env.RECON_PASSWORD) return process.env.RECON_PASSWORD
  const stdin = process.stdin
  if (!stdin.isTTY) {
    let text = ''
    for await (const chunk of stdin) text += chunk
    return text.split(/\r?\n/)[0]
  }
  process.stderr.write('password (at least 10 characters): ')
  stdin.setRawMode(true)
  stdin.resume()
  return await new Promise<string>(resolve => {
    let typed = ''
    const onData = (b: Buffer): void => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') { stdin.setRawMode(false); stdin.pause(); stdin.off('data', onData); process.stderr.write('\n'); resolve(typed); return }
        if (ch === '\u0003') process.exit(130)
        typed = ch === '\u007f' ? typed.slice(0, -1) : typed + ch
      }
    }
    stdin.on('data', onData)
  })
}

const stores = (v: string | undefined): string[] | null => v ? v.split(',').map(s => s.trim()).filter(Boolean) : null

export async function accountCommand (config: Config, command: string, args: string[], password: ReadPassword = readPassword): Promise<number | null> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string' }, stores: { type: 'string' }, 'display-name': { type: 'string' } } })
  const [sub, name] = positionals
  const actor = `cli:${userInfo().username}`
  const needsName = ['add', 'password', 'disable', 'enable', 'revoke'].includes(sub)
  if (!['add', 'list', 'password', 'disable', 'enable', 'revoke'].includes(sub) || (needsName && !name) || (sub === 'add' && !values.role)) return null
  if (command === 'key' && ['password', 'disable', 'enable'].includes(sub)) return null
  if (command === 'user' && sub === 'revoke') return null
  const secret = command === 'user' && (sub === 'add' || sub === 'password') ? await password() : ''
  try {
    return await withRuntime(config, async rt => {
      const tx = rt.db.withTransaction.bind(rt.db)
      if (command === 'user' && sub === 'add') {
        const u = await tx(c => createUser(c, { username: name, password: secret, role: values.role!, stores: stores(values.stores), displayName: values['display-name'] }, actor))
        console.log(`✔ user ${u.username} (${u.role}${u.stores ? `: ${u.stores.join(', ')}` : ''}) can sign in`)
      } else if (command === 'user' && sub === 'list') {
        for (const u of await listUsers(rt.db)) console.log(`${u.username.padEnd(20)} ${u.role.padEnd(14)} ${(u.stores ?? ['*']).join(',').padEnd(16)} ${u.active ? 'active' : 'disabled'}  ${u.display_name}`)
      } else if (command === 'user' && sub === 'password') {
        await tx(c => setPassword(c, name, secret, actor))
        console.log(`✔ new password for ${name}; their sessions are ended`)
      } else if (command === 'user') {
        await tx(c => setActive(c, name, sub === 'enable', actor))
        console.log(`✔ ${name} ${sub === 'enable' ? 'can sign in again' : 'can no longer sign in; their sessions are ended'}`)
      } else if (sub === 'add') {
        const k = await tx(c => createApiKey(c, { name, role: values.role!, stores: stores(values.stores) }, actor))
        console.log(`✔ key #${k.id} "${k.name}" (${k.role}). It is shown this once; keep it in the integration's secrets:\n${k.key}`)
      } else if (sub === 'list') {
        for (const k of await listApiKeys(rt.db)) console.log(`#${String(k.id).padEnd(5)} ${k.name.padEnd(24)} ${k.role.padEnd(14)} ${k.prefix}…  ${k.revoked_at ? `revoked ${k.revoked_at.toISOString()}` : `last used ${k.last_used_at?.toISOString() ?? 'never'}`}`)
      } else {
        if (!/^\d+$/.test(name)) { console.error('recon key revoke ID: the key\'s number, as `recon key list` shows it'); return 2 }
        await tx(c => revokeApiKey(c, Number(name), actor))
        console.log(`✔ key #${name} revoked`)
      }
      return 0
    })
  } catch (err) {
    if (!(err instanceof DomainError)) throw err
    console.error(`✖ ${err.message}`)
    return 1
  }
}
