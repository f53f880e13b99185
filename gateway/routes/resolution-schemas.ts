// The exception detail's response schema (every field named: nothing leaves that is not listed here).
import { reconExceptionSchema, resolvedExceptionSchema } from '../schemas.ts'

const str = { type: 'string' } as const
const nstr = { type: ['string', 'null'] } as const
const int = { type: 'integer' } as const
const time = { type: 'string', format: 'date-time' } as const
const ntime = { type: ['string', 'null'], format: 'date-time' } as const

const paymentView = {
  type: 'object',
  properties: { id: str, provider: str, type: str, gross: int, fee: int, net: int, paid_at: ntime, business_date: nstr, provider_txn_id: nstr, merchant_ref: nstr, device_id: nstr, store_id: nstr, filename: nstr, line_no: int }
} as const

/** A claim on a provider (gateway/recon/claims.ts). */
export const claimSchema = {
  type: 'object',
  properties: {
    id: int, business_date: str, exception_key: str, code: str, store_id: nstr, provider: nstr, reference: { ...nstr, description: 'what a credit must name to pay it back (null: credited by hand only)' },
    amount: { ...int, description: 'cents claimed' }, note: str, status: { type: 'string', enum: ['open', 'sent', 'credited', 'rejected'] }, opened_by: str, opened_at: time,
    sent_at: ntime, closed_at: ntime, closed_by: nstr, close_note: nstr, credit_source: { ...nstr, description: 'manual, or import:<id>:<line> for the record or bank credit that paid it back' }
  }
} as const

export const detailSchema = {
  type: 'object',
  properties: {
    business_date: str,
    key: str,
    state: { type: 'string', enum: ['open', 'resolved'] },
    exception: { ...resolvedExceptionSchema, required: reconExceptionSchema.required },
    sale: {
      type: ['object', 'null'],
      properties: {
        vendor: str, sale_id: str, kind: str, store_id: str, terminal_id: nstr, receipt_no: nstr, occurred_at: time, voided: { type: 'boolean' },
        lines: { type: 'array', items: { type: 'object', properties: { line_no: int, sku: str, qty: str, amount: int } } },
        tenders: { type: 'array', items: { type: 'object', properties: { tender: int, method: str, amount: int, reference: nstr, card_brand: nstr, card_last4: nstr, auth_code: nstr } } }
      }
    },
    payment: { ...paymentView, type: ['object', 'null'] },
    first_listing: { ...paymentView, type: ['object', 'null'], description: 'DUPLICATE_PAYMENT: the same transaction as first listed' },
    candidates: {
      type: 'array',
      description: 'best first: for a tender, payment records that could pay it; for a payment, unpaid tenders',
      items: {
        type: 'object',
        properties: { id: str, score: { type: 'number' }, amount_diff: int, minutes_apart: { type: ['number', 'null'] }, same_reference: { type: 'boolean' }, payment: paymentView, sale_id: str, tender: int }
      }
    },
    movements: { type: 'array', items: { type: 'object', properties: { id: int, sku: str, location_id: str, qty: str, reason: str, actor: str, occurred_at: time, verified: { type: 'boolean' } } } },
    links: { type: 'array', items: { type: 'object', properties: { tender: int, payment_id: str, reason: str, actor: str, at: time } } },
    trail: { type: 'array', items: { type: 'object', properties: { id: int, at: time, actor: str, action: str, target: str, reason: nstr, details: { type: 'object', additionalProperties: true } } } },
    claim: { ...claimSchema, type: ['object', 'null'], description: 'the claim on the provider standing for this exception (the latest)' },
    claim_defaults: { type: ['object', 'null'], properties: { amount: int, reference: nstr }, description: 'what a new claim asks unless told otherwise' },
    actions: { type: 'array', items: { type: 'string', enum: ['link', 'write_off', 'void', 'reopen', 'confirm', 'reject', 'claim', 'assign_store'] } }
  },
  required: ['business_date', 'key', 'state', 'exception', 'sale', 'payment', 'first_listing', 'candidates', 'movements', 'links', 'trail', 'actions']
} as const
