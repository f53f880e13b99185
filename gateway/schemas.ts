// JSON schemas shared by the routes (validation, response serialisation, and the OpenAPI document).
// Money is always integer cents; instants are ISO-8601 UTC; business days are YYYY-MM-DD in HKT.

export const issueSchema = {
  type: 'object',
  properties: { line: { type: 'integer', description: '1-based line in the file (0: the file as a whole)' }, column: { type: 'string' }, message: { type: 'string' } },
  required: ['line', 'message']
} as const

export const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'stable error code' },
    message: { type: 'string' },
    issues: { type: 'array', items: issueSchema },
    issue_count: { type: 'integer' }
  },
  required: ['error', 'message']
} as const

export const errorResponses = {
  400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 422: errorSchema, 503: errorSchema
} as const

export const dateParam = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'HKT business day, YYYY-MM-DD' } as const
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  after: { type: 'integer', minimum: 0, description: 'return rows with an id greater than this (the previous page\'s next_after)' }
} as const

const nullableString = { type: ['string', 'null'] } as const

export const saleSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    vendor: { type: 'string' },
    sale_id: { type: 'string' },
    kind: { type: 'string', enum: ['sale', 'refund'] },
    refund_of: nullableString,
    store_id: { type: 'string' },
    terminal_id: nullableString,
    receipt_no: nullableString,
    occurred_at: { type: 'string', format: 'date-time' },
    business_date: { type: 'string' },
    lines_total: { type: 'integer', description: 'cents, signed (a refund is negative)' },
    tenders_total: { type: 'integer' },
    rounding: { type: 'integer', description: 'tenders − lines − charges: cash/Octopus rounding of at most ±5 cents' },
    voided: { type: 'boolean' },
    lines: {
      type: 'array',
      items: { type: 'object', properties: { line_no: { type: 'integer' }, sku: { type: 'string' }, qty: { type: 'string' }, unit_price: { type: 'integer' }, discount: { type: 'integer' }, amount: { type: 'integer' }, location_id: { type: 'string' } } }
    },
    tenders: {
      type: 'array',
      items: { type: 'object', properties: { tender_no: { type: 'integer' }, method: { type: 'string' }, amount: { type: 'integer' }, reference: nullableString, provider_txn_id: nullableString } }
    }
  }
} as const

export const paymentSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    import_id: { type: 'integer' },
    line_no: { type: 'integer' },
    provider: { type: 'string' },
    layout: { type: 'string' },
    file_kind: { type: 'string' },
    provider_txn_id: nullableString,
    merchant_ref: nullableString,
    original_ref: nullableString,
    original_provider_txn_id: nullableString,
    type: { type: 'string', enum: ['payment', 'refund', 'cancel', 'reversal', 'add_value', 'fee', 'adjustment'] },
    gross: { type: 'integer', description: 'cents, signed as money moves to the merchant' },
    fee: { type: 'integer' },
    net: { type: 'integer' },
    currency: { type: 'string' },
    paid_at: { type: ['string', 'null'], format: 'date-time' },
    business_date: nullableString,
    settlement_date: nullableString,
    batch_id: nullableString,
    store_id: nullableString,
    device_id: nullableString,
    card_masked: { ...nullableString, description: 'masked card / Octopus number (stored encrypted)' },
    status: nullableString,
    remarks: nullableString,
    flags: { type: 'array', items: { type: 'string' } }
  }
} as const

export const importSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['imported', 'already_imported', 'refused'] },
    import_id: { type: 'integer' },
    sha256: nullableString,
    filename: nullableString,
    provider: nullableString,
    layout: nullableString,
    file_kind: nullableString,
    encoding: nullableString,
    lines: { type: ['integer', 'null'] },
    records: { type: ['integer', 'null'] },
    batches: { type: ['integer', 'null'] },
    by_type: { type: ['object', 'null'], additionalProperties: { type: 'object', properties: { count: { type: 'integer' }, gross: { type: 'integer' }, fee: { type: 'integer' }, net: { type: 'integer' } } } },
    controls: { type: ['object', 'null'], additionalProperties: true },
    error: nullableString,
    message: nullableString,
    issues: { type: 'array', items: issueSchema },
    issue_count: { type: 'integer' },
    warnings: { type: 'array', items: issueSchema, description: 'findings that did not refuse the file (e.g. a payout batch whose totals disagree with its rows)' },
    started_at: { type: 'string', format: 'date-time' },
    finished_at: { type: ['string', 'null'], format: 'date-time' }
  },
  required: ['status', 'import_id']
} as const

const money = { type: 'integer', description: 'cents' } as const
const nullableMoney = { type: ['integer', 'null'], description: 'cents' } as const
const amounts = { type: 'object', properties: { gross: money, fee: money, net: money } } as const

export const reconExceptionSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    store_id: nullableString,
    sale_id: nullableString,
    tender: { type: ['integer', 'null'], description: '0-based tender of the sale' },
    provider: nullableString,
    expected: nullableMoney,
    actual: nullableMoney,
    detail: { type: 'string' },
    reference: nullableString,
    provider_txn_id: nullableString,
    payment_id: nullableString,
    batch_id: nullableString,
    sku: nullableString,
    line: { type: ['integer', 'null'] },
    expected_qty: { type: 'number' },
    actual_qty: { type: 'number' },
    key: { type: 'string', description: 'what a write-off, a review, a re-open or the exception detail names' },
    store_inferred: { type: 'boolean', description: 'the record names no store: its store was learnt from the day\'s matched records of the same account or device' },
    store_evidence: { type: 'string', description: 'how the store was found (configured code, or which matched records)' },
    fee_band: { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } }, description: 'FEE_OUT_OF_BAND: the rates the fee was held to' },
    gross: { type: 'integer', description: 'FEE_OUT_OF_BAND: the amount the fee was charged on (cents)' },
    score: { type: 'number', description: 'PROPOSED_MATCH: the pairing\'s confidence (0..1)' },
    duplicate_of: { type: 'string', description: 'DUPLICATE_PAYMENT: the record that listed the transaction first' },
    bank_entry: { type: 'string', description: 'PAYOUT_AMOUNT_MISMATCH, UNEXPECTED_DEPOSIT: the bank entry (GET /v1/bank-entries id)' },
    value_date: { type: 'string', format: 'date', description: 'PAYOUT_AMOUNT_MISMATCH, UNEXPECTED_DEPOSIT: the bank entry\'s value day' },
    due_by: { type: 'string', format: 'date', description: 'PAYOUT_MISSING: the last value day the credit was due (the provider\'s payout cycle on HK business days)' },
    alternatives: {
      type: 'array',
      description: 'PROPOSED_MATCH: the pairings it competes with (an unpaid sale the record could have paid, or a free record that could have paid the sale)',
      items: {
        type: 'object',
        properties: { sale_id: { type: 'string' }, store_id: { type: 'string' }, tender: { type: 'integer' }, payment_id: { type: 'string' }, provider_txn_id: nullableString, seconds_after_sale: { type: 'integer' }, score: { type: 'number' } }
      }
    }
  },
  required: ['code', 'store_id', 'sale_id', 'tender', 'provider', 'expected', 'actual', 'detail']
} as const

/** A written-off exception: the exception and who accepted it, when, why. */
export const resolvedExceptionSchema = {
  ...reconExceptionSchema,
  properties: {
    ...reconExceptionSchema.properties,
    resolution: {
      type: 'object',
      properties: { action: { type: 'string', enum: ['write_off', 'claim'], description: 'claim: the provider credited a claim on it' }, category: { type: ['string', 'null'], enum: ['fee', 'rounding', 'goodwill', null] }, reason: { type: 'string' }, actor: { type: 'string' }, at: { type: 'string', format: 'date-time' } },
      required: ['action', 'category', 'reason', 'actor', 'at']
    }
  },
  required: [...reconExceptionSchema.required, 'resolution']
} as const

export const storeDayStatus = { type: 'string', enum: ['balanced', 'pending', 'exceptions'], description: 'balanced: nothing open; pending: only settlements not yet due; exceptions: something to act on' } as const

const bridgeStep = {
  type: 'object',
  properties: {
    difference: { ...money, description: 'this figure minus the one before (cents, signed)' },
    explained: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, amount: money, count: { type: 'integer' } } } },
    unexplained: { ...money, description: 'what no exception or reason accounts for (cents, signed)' }
  }
} as const

/** The contract §3 report, with the run that produced it. */
export const reportSchema = {
  type: 'object',
  properties: {
    business_date: { type: 'string' },
    generated_at: { type: 'string', format: 'date-time' },
    run: {
      type: 'object',
      properties: {
        id: { type: 'integer' },
        trigger: { type: 'string' },
        as_of: { type: 'string', description: 'settlements due after this day are pending, not missing' },
        finished_at: { type: 'string', format: 'date-time' },
        last_run_at: { type: 'string', format: 'date-time', description: 'the latest run, which may have found nothing new' },
        reopened: { type: 'boolean', description: 'data arrived after this report; a new run is queued' },
        reopened_by: nullableString
      }
    },
    stores: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          store_id: { type: 'string' },
          status: storeDayStatus,
          sales: { type: 'integer' },
          tenders: { type: 'object', additionalProperties: money },
          settled: { type: 'object', additionalProperties: amounts },
          verified_sales: { type: 'integer' },
          verified_movements: { type: 'integer' },
          provisional_movements: { type: 'integer' },
          exceptions: { type: 'object', additionalProperties: { type: 'integer' }, description: 'open exceptions per code' },
          resolved: { type: 'object', additionalProperties: { type: 'integer' }, description: 'exceptions written off, per code' }
        }
      }
    },
    exceptions: { type: 'array', items: reconExceptionSchema, description: 'the open exceptions' },
    resolved: { type: 'array', items: resolvedExceptionSchema, description: 'exceptions a person accepted, with the resolution' },
    matches: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sale_id: { type: 'string' }, store_id: { type: 'string' }, tender: { type: 'integer' }, provider: { type: 'string' }, provider_txn_id: nullableString,
          payment_id: { type: 'string' }, by: { type: 'string', enum: ['manual', 'reference', 'amount_time', 'amount_date'], description: 'amount_date: an FPS credit the bank alone records, the only one of its amount on the sale\'s day' },
          score: { type: 'number', description: 'amount_time: the confidence, from how near the record lies and what else could have been paired (0..1)' },
          review: { type: 'string', enum: ['proposed', 'confirmed'], description: 'proposed: below reconciliation.reviewBelow, awaiting a person (PROPOSED_MATCH); confirmed: a person confirmed it' }
        }
      }
    },
    providers: {
      type: 'object',
      additionalProperties: { type: 'object', properties: { records: { type: 'integer' }, gross: money, matched_gross: money, unmatched_gross: money, other_gross: money } }
    },
    verified_movements: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'per store, the stock movement ids now verified' },
    bridge: {
      type: 'array',
      description: 'per store and provider: till → settled gross → fees → net → paid out → in the bank; each step\'s difference and the items that make it (exception codes, or ROUNDING, OTHER_DAY, LISTED_NOT_SETTLED, OTHER_RECORDS, CANCELLED, NOT_PAID_OUT, AWAITING_BANK), and what none explains',
      items: {
        type: 'object',
        properties: {
          store_id: { type: 'string' }, provider: { type: 'string' }, till: money, gross: money, fee: money, net: money, paid_out: money, in_bank: money,
          settled: bridgeStep, payout: bridgeStep, bank: bridgeStep
        }
      }
    },
    payouts: {
      type: 'array',
      description: 'the payouts whose last records are of this day, and where their money is',
      items: {
        type: 'object',
        properties: {
          provider: { type: 'string' },
          payout: { type: 'string', description: 'the batch or payout id, else provider:settlement day' },
          batch_id: nullableString,
          store_id: { ...nullableString, description: 'the store, when all its records are one store\'s' },
          amount: money,
          settlement_date: { type: 'string', format: 'date' },
          due_by: { type: 'string', format: 'date', description: 'the last value day the bank credit may carry' },
          status: { type: 'string', enum: ['in_bank', 'amount_mismatch', 'missing', 'pending'], description: 'pending: not yet due, or no imported statement reaches the due day' },
          bank: {
            type: 'object',
            properties: { entry: { type: 'string' }, account: { type: 'string' }, value_date: { type: 'string', format: 'date' }, amount: money, by: { type: 'string', enum: ['reference', 'amount_date'] } }
          }
        }
      }
    },
    provisional_movements: {
      type: 'array',
      items: {
        type: 'object',
        properties: { movement: { type: 'string' }, store_id: { type: 'string' }, sale_id: { type: 'string' }, line: { type: 'integer' }, sku: { type: 'string' }, why: { type: 'array', items: { type: 'string' } } }
      }
    }
  },
  required: ['business_date', 'generated_at', 'stores', 'exceptions', 'matches']
} as const
