// `recon keys rotate|status` and `recon retention run`: the personal-data chores, on the same database
// as the gateway. The gateway runs the purge daily by itself; the command is for an operator who wants
// it now (after lowering the period, say) and for the first run on an old database.
import type { Config } from '../config.ts'
import { rotateKeys, valuesUnderOldKeys } from '../retention/keys.ts'
import { purgePersonalData } from '../retention/purge.ts'
import { withRuntime } from './ledger.ts'


export async function maintenanceCommand (config: Config, command: string, args: string[]): Promise<number | null> {
  const [sub, ...extra] = args
  if (extra.length) return null
  if (command === 'keys' && (sub === 'rotate' || sub === 'status')) {
    return await withRuntime(config, async rt => {
      const result = sub === 'rotate'
        ? await rotateKeys(rt.db, rt.cipher, (what, n) => process.stderr.write(`  ${what}: ${n.toLocaleString('en')} re-encrypted\n`))
        : await valuesUnderOldKeys(rt.db, rt.cipher)
      for (const r of result) console.log(`${r.what}: ${sub === 'rotate' ? `${r.rotated.toLocaleString('en')} re-encrypted, ` : ''}${r.left.toLocaleString('en')} under older keys`)
      const left = result.reduce((n, r) => n + r.left, 0)
      console.log(left === 0 ? `✔ everything is under the active key "${rt.cipher.activeKeyId}"; older keys may be removed` : `${left.toLocaleString('en')} value(s) still need an older key: run recon keys rotate`)
      return 0
    })
  }
  if (command === 'retention' && sub === 'run') {
    return await withRuntime(config, async rt => {
      const purged = await purgePersonalData(rt.db, config.retention, new Date(), (step, n) => process.stderr.write(`  ${step}: ${n.toLocaleString('en')}\n`))
      console.log(`✔ personal data older than ${config.retention.personalDataDays} days erased: ${purged.inboxBodies} webhook bodies, ${purged.paymentCards} card / buyer ids in ${purged.imports} settlement file(s), ${purged.loginAttempts} sign-in attempts, ${purged.sessions} expired sessions, ${purged.dingtalkBodies} DingTalk callbacks`)
      return 0
    })
  }
  return null
}
