// DingTalk's events, wherever they come from: the HTTP callback (routes/dingtalk.ts) or the Stream
// connection (dingtalk-stream.ts). Each is acted on once: its key is what it says (the approval, its
// change and result), so a redelivery, or the same event arriving by both ways, finds its row taken.
import type { Db } from '../db/pool.ts'
import { decideOrder } from '../replenish/orders.ts'

/** An approval event as both sources carry it (the callback's decrypted JSON, the Stream frame's data). */
export interface DingTalkEvent { EventType: string, processInstanceId?: string, type?: string, result?: string }

/** Acts on an event; false when it was acted on before (or is of no interest). */
export async function applyDingTalkEvent (db: Db, e: DingTalkEvent, source: 'callback' | 'stream'): Promise<boolean> {
  if (e.EventType !== 'bpms_instance_change' || !e.processInstanceId) return false
  if (e.type !== 'finish' && e.type !== 'terminate') return false
  const decision = e.type === 'finish' && e.result === 'agree' ? 'approved' : 'rejected'
  return await db.withTransaction(async c => {
    const { rows } = await c.query('INSERT INTO dingtalk_events (event_key, event_type, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_key',
      [`${e.EventType}:${e.processInstanceId}:${e.type}:${e.result ?? ''}`, e.EventType, JSON.stringify({ ...e, source })])
    if (!rows.length) return false // a redelivery: acted on already
    const { rows: po } = await c.query(`SELECT id FROM purchase_orders WHERE approval_instance_id = $1 AND status = 'pending_approval'`, [e.processInstanceId])
    if (po.length) await decideOrder(c, Number(po[0].id), decision, `dingtalk:${e.processInstanceId}`)
    return true
  })
}
