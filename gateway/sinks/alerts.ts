// What an alert says in DingTalk, in 繁體中文 and English. One alert is one message; several waiting
// for the same robot become one digest (a robot may send 20 messages a minute: a burst of alerts must
// never be 200 messages). An @ only notifies when the mobile also appears as @… in the text.
import { formatHkd } from '../../connectors/_shared/money.ts'
import type { RobotMessage } from '../forward/dingtalk.ts'

export interface LowStockAlert { kind: 'low_stock', sku: string, name: string | null, location_id: string, on_hand: string, reorder_point: string, supplier: string | null, purchase_order_id: number | null, mobiles: string[], user_ids: string[] }
export interface MismatchAlert { kind: 'mismatch', business_date: string, counts: Record<string, number>, top: Array<{ code: string, store_id: string | null, sale_id: string | null, reference: string | null, amount: number, detail: string }>, url: string }
export interface DeadLetterAlert { kind: 'dead_letter', sink: string, count: number, error: string }
/** Files past their due time: each trade day, provider, store (and reader) missing, with when it was due. */
export interface LateFilesAlert { kind: 'late_files', items: Array<{ business_date: string, provider: string, store_id: string, terminal_id: string | null, due_at: string }>, url: string }
export type Alert = LowStockAlert | MismatchAlert | DeadLetterAlert | LateFilesAlert

/** DingTalk refuses long messages; a digest stops before this and says how many it left out. */
const MAX_TEXT = 15_000

function lowStockLine (a: LowStockAlert): string {
  const who = [...a.mobiles.map(m => `@${m}`), ...a.user_ids.map(u => `@${u}`)].join(' ')
  const po = a.purchase_order_id ? `；採購單草稿 Draft PO #${a.purchase_order_id}${a.supplier ? ` (${a.supplier})` : ''}` : ''
  return `- **${a.sku}**${a.name ? ` ${a.name}` : ''} @ ${a.location_id}：存貨 on hand ${a.on_hand}，補貨點 reorder at ${a.reorder_point}${po} ${who}`.trimEnd()
}

function mismatchText (a: MismatchAlert): string {
  const counts = Object.entries(a.counts).map(([c, n]) => `- ${c}: ${n}`).join('\n')
  const top = a.top.map(t => `- ${[t.code, t.store_id, t.sale_id ?? t.reference].filter(Boolean).join(' ')}: ${formatHkd(t.amount)} — ${t.detail}`).join('\n')
  return `#### 對賬異常 Reconciliation ${a.business_date}\n${counts}\n\n**最大金額 Largest amounts**\n${top}\n\n[報表 Report](${a.url})`
}

function lateFilesText (a: LateFilesAlert): string {
  const lines = a.items.map(i => `- ${i.business_date} **${i.provider}** ${i.store_id}${i.terminal_id ? ` 收銀機 till ${i.terminal_id}` : ''}：應於 due ${i.due_at}`)
  return `#### 檔案逾時未到 Files late (${a.items.length})\n${lines.join('\n')}\n\n[月曆 Calendar](${a.url})`
}

function deadLetterText (a: DeadLetterAlert): string {
  return `#### 轉送失敗 Forwarding stopped\n${a.count} item(s) for **${a.sink}** exhausted their retries and wait in the dead-letter queue.\nLast error: ${a.error}\nFix the sink, then \`recon outbox redrive --sink ${a.sink}\`.`
}

/** An alert's title, in both languages (a robot message's title, an e-mail's subject). */
export function alertTitle (a: Alert): string {
  if (a.kind === 'low_stock') return `低庫存 Low stock: ${a.sku} @ ${a.location_id}`
  if (a.kind === 'late_files') return `檔案逾時未到 Files late (${a.items.length})`
  return a.kind === 'mismatch' ? `對賬異常 Reconciliation ${a.business_date}` : `轉送失敗 Forwarding stopped: ${a.sink}`
}

/** An alert's text (Markdown, which reads as plain text too). */
export function textOf (a: Alert): string {
  if (a.kind === 'low_stock') return `#### 低庫存 Low stock\n${lowStockLine(a)}`
  if (a.kind === 'late_files') return lateFilesText(a)
  return a.kind === 'mismatch' ? mismatchText(a) : deadLetterText(a)
}

function mentions (alerts: readonly Alert[]): { atMobiles: string[], atUserIds: string[] } {
  const low = alerts.filter((a): a is LowStockAlert => a.kind === 'low_stock')
  return { atMobiles: [...new Set(low.flatMap(a => a.mobiles))], atUserIds: [...new Set(low.flatMap(a => a.user_ids))] }
}

/**
 * One message for as many waiting alerts as fit (in order); `used` says how many. The rest wait for
 * the next message, so nothing is cut off.
 */
export function robotMessage (alerts: readonly Alert[]): { message: RobotMessage, used: number } {
  if (alerts.length === 1 && alerts[0].kind === 'mismatch') {
    const a = alerts[0]
    return { used: 1, message: { msgtype: 'actionCard', actionCard: { title: `對賬異常 Reconciliation ${a.business_date}`, text: mismatchText(a), singleTitle: '查看報表 Open report', singleURL: a.url } } }
  }
  const texts = alerts.map(a => a.kind === 'low_stock' ? lowStockLine(a) : textOf(a))
  let used = 0
  let size = 0
  while (used < alerts.length && (used === 0 || size + texts[used].length < MAX_TEXT)) size += texts[used++].length + 1
  const taken = alerts.slice(0, used)
  const at = mentions(taken)
  if (used === 1) return { used, message: { msgtype: 'markdown', markdown: { title: alertTitle(taken[0]), text: textOf(taken[0]) }, at } }
  const title = `提醒摘要 Alert digest (${used})`
  return { used, message: { msgtype: 'markdown', markdown: { title, text: [`#### ${title}`, ...texts.slice(0, used)].join('\n') }, at } }
}
