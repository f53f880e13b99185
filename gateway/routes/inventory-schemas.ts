// JSON schemas of the inventory, replenishment and forwarding routes. Quantities are decimal strings
// in answers (exact to the thousandth), numbers in requests.
const nullableString = { type: ['string', 'null'] } as const
const when = { type: 'string', format: 'date-time' } as const
const nullableWhen = { type: ['string', 'null'], format: 'date-time' } as const
const qty = { type: 'string', description: 'decimal quantity, up to 3 decimals' } as const

export const skuParam = { type: 'string', minLength: 1, maxLength: 100 } as const
export const qtyInput = { type: 'number', exclusiveMinimum: 0, maximum: 1e9, description: 'up to 3 decimals' } as const

export const locationSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, kind: { type: 'string', enum: ['central', 'store', 'temporary'] }, active: { type: 'boolean' } }
} as const

export const stockSchema = {
  type: 'object',
  properties: { sku: { type: 'string' }, location_id: { type: 'string' }, on_hand: qty, verified: qty, provisional: qty }
} as const

export const movementSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, location_id: { type: 'string' }, seq: { type: 'integer', description: 'position in the location\'s hash chain' }, sku: { type: 'string' }, qty,
    reason: { type: 'string' }, source_type: { type: 'string' }, source_id: { type: 'string' }, transfer_id: { type: ['integer', 'null'] }, actor: { type: 'string' }, note: nullableString,
    occurred_at: when, posted_at: when, status: { type: 'string', enum: ['provisional', 'verified'] }, hash: { type: 'string' }
  }
} as const

export const stockTakeSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, location_id: { type: 'string' }, status: { type: 'string', enum: ['open', 'posted', 'cancelled'] }, opened_by: { type: 'string' }, opened_at: when, as_of: when,
    closed_by: nullableString, closed_at: nullableWhen, reason: nullableString,
    counts: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, counted: qty, counted_by: { type: 'string' }, counted_at: when } } },
    adjustments: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, sku: { type: 'string' }, qty } } }
  }
} as const

export const thresholdSchema = {
  type: 'object',
  properties: {
    sku: { type: 'string' }, location_id: { type: 'string' }, min_level: qty, reorder_point: { type: ['string', 'null'] }, lookback_days: { type: 'integer' }, lead_days: { type: 'integer' },
    safety_days: { type: 'integer' }, reorder_qty: { type: ['string', 'null'] }, responsible_mobile: nullableString, responsible_user: nullableString, updated_at: when
  }
} as const

export const orderSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, supplier: { type: 'string' }, location_id: { type: 'string' }, status: { type: 'string' }, approval_instance_id: nullableString,
    created_at: when, submitted_at: nullableWhen, decided_at: nullableWhen, decided_by: nullableString, received_at: nullableWhen,
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty, received_qty: { type: ['string', 'null'] } } } }
  }
} as const

export const sinkStatusSchema = {
  type: 'object',
  properties: { sink: { type: 'string' }, pending: { type: 'integer' }, delivered: { type: 'integer' }, dead: { type: 'integer' }, oldest_pending_seconds: { type: ['integer', 'null'] } }
} as const
