// Purchase orders: a draft (built by the low-stock checks, per supplier and location) is submitted for
// approval as a DingTalk OA approval instance (through the outbox); DingTalk's callback, or an admin,
// approves or rejects it; receiving it posts receipt movements to the ledger in the same transaction.
import type { Sql } from '../db/pool.ts'
import { DomainError } from '../domain-error.ts'
import { enqueue } from '../outbox/outbox.ts'
import { milli, qtyText } from '../ledger/chain.ts'
import { postAndForward, type LedgerDeps } from '../ledger/operations.ts'

export interface OrderLine { sku: string, qty: string, received_qty: string | null }
export interface Order { id: number, supplier: string, location_id: string, status: string, approval_instance_id: string | null, created_at: Date, submitted_at: Date | null, decided_at: Date | null, decided_by: string | null, received_at: Date | null, lines: OrderLine[] }

export async function getOrder (sql: Sql, id: number, lock = false): Promise<Order> {
  const { rows } = await sql.query<Omit<Order, 'lines'>>(`SELECT * FROM purchase_orders WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])
  if (!rows.length) throw new DomainError('not_found', 'NOT_FOUND', `no purchase order ${id}`)
  const { rows: lines } = await sql.query<OrderLine>('SELECT sku, qty::text AS qty, received_qty::text AS received_qty FROM purchase_order_lines WHERE purchase_order_id = $1 ORDER BY sku', [id])
  return { ...rows[0], lines }
}

export async function listOrders (sql: Sql, status: string | null, locations: readonly string[] | null = null): Promise<Array<Omit<Order, 'lines'> & { lines: number }>> {
  const { rows } = await sql.query<Omit<Order, 'lines'> & { lines: number }>(
    `SELECT o.*, (SELECT count(*)::int FROM purchase_order_lines l WHERE l.purchase_order_id = o.id) AS lines
       FROM purchase_orders o WHERE ($1::text IS NULL OR o.status = $1) AND ($2::text[] IS NULL OR o.location_id = ANY($2)) ORDER BY o.id DESC LIMIT 500`, [status, locations])
  return rows
}

/** Orders, newest first, each with its lines (the orders page). */
export async function ordersWithLines (sql: Sql, locations: readonly string[] | null): Promise<Array<Omit<Order, 'lines'> & { lines: OrderLine[] }>> {
  const orders = await listOrders(sql, null, locations)
  const { rows: lines } = await sql.query<OrderLine & { purchase_order_id: number }>(
    'SELECT purchase_order_id, sku, qty::text AS qty, received_qty::text AS received_qty FROM purchase_order_lines WHERE purchase_order_id = ANY($1::bigint[]) ORDER BY sku', [orders.map(o => o.id)])
  return orders.map(o => ({ ...o, lines: lines.filter(l => l.purchase_order_id === o.id) }))
}

function expect (o: Order, status: string, doing: string): void {
  if (o.status !== status) throw new DomainError('conflict', 'WRONG_STATE', `purchase order ${o.id} is ${o.status}; only a ${status} order can be ${doing}`)
}

/** Sends the draft for approval in DingTalk (the approval instance is created by the outbox worker). */
export async function submitOrder (sql: Sql, deps: Pick<LedgerDeps, 'boss'>, id: number, actor: string, appConfigured: boolean): Promise<Order> {
  const o = await getOrder(sql, id, true)
  expect(o, 'draft', 'submitted')
  if (!appConfigured) throw new DomainError('conflict', 'NO_APPROVAL_APP', 'no DingTalk app is configured for approvals; an admin can decide the order directly')
  await sql.query(`UPDATE purchase_orders SET status = 'pending_approval', submitted_at = now() WHERE id = $1`, [id])
  const form = [
    { name: '供應商 Supplier', value: o.supplier },
    { name: '地點 Location', value: o.location_id },
    { name: '採購單 Order', value: `#${o.id}` },
    { name: '明細 Lines', value: JSON.stringify(o.lines.map(l => ({ sku: l.sku, qty: l.qty }))) },
    { name: '提交人 Submitted by', value: actor }
  ]
  await enqueue(sql, deps.boss, [{ sink: 'dingtalk-app', topic: 'approval', key: `po:${id}:approval`, payload: { kind: 'approval', purchase_order_id: id, form } }])
  return await getOrder(sql, id)
}

export async function decideOrder (sql: Sql, id: number, decision: 'approved' | 'rejected', actor: string): Promise<Order> {
  const o = await getOrder(sql, id, true)
  if (o.status !== 'pending_approval' && o.status !== 'draft') throw new DomainError('conflict', 'WRONG_STATE', `purchase order ${id} is ${o.status} and cannot be ${decision}`)
  await sql.query('UPDATE purchase_orders SET status = $2, decided_at = now(), decided_by = $3 WHERE id = $1', [id, decision, actor])
  return await getOrder(sql, id)
}

/** Posts receipt movements for what arrived (by default, everything ordered) and closes the order. */
export async function receiveOrder (sql: Sql, deps: LedgerDeps, id: number, actor: string, received?: Array<{ sku: string, qty: number }>): Promise<Order> {
  const o = await getOrder(sql, id, true)
  expect(o, 'approved', 'received')
  const ordered = new Map(o.lines.map(l => [l.sku, Number(l.qty)]))
  const lines = received ?? o.lines.map(l => ({ sku: l.sku, qty: Number(l.qty) }))
  for (const l of lines) {
    if (!ordered.has(l.sku)) throw new DomainError('unprocessable', 'NOT_ON_ORDER', `${l.sku} is not on purchase order ${id}`)
    if (!(l.qty >= 0)) throw new DomainError('unprocessable', 'INVALID_QTY', `${l.sku}: a received quantity is zero or more`)
    milli(l.qty)
  }
  const at = new Date()
  await postAndForward(sql, deps, lines.filter(l => l.qty > 0).map(l => ({
    locationId: o.location_id, sku: l.sku, qty: l.qty, reason: 'receipt', sourceType: 'purchase_order', sourceId: String(id), key: `po:${id}:${l.sku}`, actor, note: `from ${o.supplier}`, occurredAt: at
  })))
  for (const l of lines) await sql.query('UPDATE purchase_order_lines SET received_qty = $3 WHERE purchase_order_id = $1 AND sku = $2', [id, l.sku, qtyText(milli(l.qty))])
  await sql.query(`UPDATE purchase_orders SET status = 'received', received_at = now(), received_by = $2 WHERE id = $1`, [id, actor])
  return await getOrder(sql, id)
}
