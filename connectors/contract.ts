// The contract every connector produces (../shared/design.md, "Canonical model"). Connectors are pure
// adapters: they turn provider bytes into these shapes and never touch the database or HTTP server.
import type { CardDetails } from './_shared/cards.ts'
import type { Minor } from './_shared/money.ts'

export type { CardDetails, Minor }

// ---------------------------------------------------------------- POS side

/** How a tender was paid at the till: a base method below, or one a registered provider settles. */
export type TenderMethod = string
/** The till's own methods, whatever providers are registered (a provider's descriptor adds its own). */
export const BASE_TENDER_METHODS: readonly TenderMethod[] = ['cash', 'card', 'fps', 'other']
/**
 * Till methods that several providers may settle: a chain takes cards through one acquirer or another
 * (Adyen, Stripe, KPay…), FPS through one bank or another. Each provider that settles one lists it; the
 * reconciler finds, per tender, the provider whose records hold it (reconciler/match.ts).
 */
export const SHARED_TENDER_METHODS: readonly TenderMethod[] = ['card', 'fps']

export interface SaleLine {
  lineNo: number
  sku: string
  /** Units sold (or returned, for a refund); positive; up to 3 decimals for goods sold by weight. */
  qty: number
  unitPrice: Minor
  discount: Minor
  /** qty × unitPrice − discount, rounded half up to the cent. */
  amount: Minor
  locationId: string
  /** False when a returned item does not go back on the shelf (Shopify `restock_type: no_restock`). */
  restock: boolean
}

export interface Tender {
  tenderNo: number
  method: TenderMethod
  /** Signed as money moves to the shop: a refund's tenders are negative. */
  amount: Minor
  /** What the till sent the provider as the merchant reference, when it knows it. */
  reference: string | null
  providerTxnId: string | null
  /** A card tender: the scheme, last four digits and authorisation code, when the till sends them. */
  card?: CardDetails | null
}

export type PosEventKind = 'sale' | 'refund' | 'void'

export interface PosEvent {
  /** The connector (vendor) id. */
  vendor: string
  /** Idempotency key of the delivery (the vendor's event id). */
  eventId: string
  kind: PosEventKind
  /** sale: the sale; refund: the refund's own id; void: the sale or refund being voided. */
  saleId: string
  refundOf: string | null
  storeId: string
  terminalId: string | null
  receiptNo: string | null
  occurredAt: Date
  lines: SaleLine[]
  tenders: Tender[]
  /** Non-stock amounts on the bill (service charge, tip, tax added on top), signed like the tenders. */
  charges: Minor
  /** Σ tenders − Σ lines − charges (signed like the tenders): a cash/Octopus rounding of at most ±5 cents. */
  rounding: Minor
}

// ---------------------------------------------------------------- provider side

/** A settlement provider's id, as registered by its connector (registry.ts). */
export type Provider = string

/**
 * A settlement provider as data: everything the gateway and the reconciler need to know about it,
 * registered with its connector. Nothing outside the connector branches on a provider's name; the
 * engine reads these fields.
 */
export interface ProviderDescriptor {
  id: Provider
  /** What people read, in the web app's languages. */
  names: { en: string, 'zh-HK': string }
  /** The till tender methods whose money this provider settles (usually its own id). */
  tenderMethods: TenderMethod[]
  /**
   * Where a record can belong: `merchant` — one account for the whole chain, matched across stores;
   * `store` — within its store; `device` — within its store, and per reader once the reader's till is
   * known (a stand-alone reader's records follow its till).
   */
  matchScope: 'merchant' | 'store' | 'device'
  /** Readers upload their days on their own schedule: a day not yet uploaded is pending, not missing. */
  devicesUploadLate: boolean
  /** The cash rounding tolerance (±roundingCents) applies between the till and the record. */
  cashRounding: boolean
  /** The fee rate a record is expected within; outside it is a soft exception. */
  feeBand: { min: number, max: number }
  /** HK business days from a sale's day to its settlement (T+1 = 1). */
  settlementDays: number
  /**
   * How the provider's settled money reaches the bank: `days` HK business days from a batch's settlement
   * to the credit's value day, and `bankNames`, words the bank's narrative uses for its credits (an
   * unclaimed credit naming one is an unexpected deposit). Absent: no payout to look for (FPS credits
   * are the bank's own entries).
   */
  payout?: { days: number, bankNames: string[] }
  /**
   * Words the bank's narrative uses for this provider's payments when the bank's credits are its
   * records (FPS at the till): such a credit is read as one of its payments when no file lists them.
   */
  bankReceipts?: string[]
  /** When its file of a trade day is due: `days` HK business days later by `at` (HH:MM, HKT); past it, the file is late. */
  fileDue?: { days: number, at: string }
  /** JSON schema of the options the connector takes from RECON_CONFIG (`providers.<id>`), if any. */
  optionsSchema?: Record<string, unknown>
}
/**
 * `chargeback`: a card scheme took a payment's money back for a dispute (negative); `chargeback_reversal`:
 * the dispute was won and the money returned (positive). Both name the payment by its references.
 */
export type PaymentType = 'payment' | 'refund' | 'cancel' | 'reversal' | 'chargeback' | 'chargeback_reversal' | 'add_value' | 'fee' | 'adjustment'
export type FileKind = 'settlement' | 'transaction' | 'batch'

export interface PaymentRecord {
  provider: Provider
  /** 1-based physical line in the source file. */
  lineNo: number
  providerTxnId: string | null
  /** Our sale or tender reference, as the till sent it to the provider. */
  merchantRef: string | null
  /** For refunds, cancels and reversals: the original payment's merchant reference. */
  originalRef: string | null
  /** For refunds, cancels and reversals: the original payment's provider transaction id. */
  originalProviderTxnId: string | null
  type: PaymentType
  /** Signed as money moves to the merchant (a refund is negative). */
  gross: Minor
  /** What the provider charged; negative when a fee is given back. net = gross − fee. */
  fee: Minor
  net: Minor
  currency: string
  paidAt: Date | null
  settlementDate: string | null
  batchId: string | null
  storeId: string | null
  deviceId: string | null
  /**
   * The account or shop the provider booked the record under, as the file names it: AlipayHK's partner
   * id (one per shop in layout A) or layout C's Secondary_merchant_name, WeChat Pay's 特约商户号, Adyen's
   * merchant account. With the store and device codes, what attributes an unmatched record to a store.
   */
  account: string | null
  /** Masked card or buyer id, as delivered (PII: encrypted before it is stored). */
  cardMasked: string | null
  /** A card payment's scheme, as one name (cards.ts cardBrand), when the acquirer lists it. */
  cardBrand?: string | null
  status: string | null
  remarks: string | null
  /** Soft findings that do not refuse the row, e.g. 'amount_not_multiple_of_10_cents'. */
  flags: string[]
}

/** The flags of a row without findings: one shared, frozen array rather than one per row. */
export const NO_FLAGS: string[] = Object.freeze([]) as unknown as string[]

/** A payout batch total (layout B's settle-batch file): checked against the rows of that batch. */
export interface BatchTotal {
  provider: Provider
  lineNo: number
  batchId: string
  settledAt: Date | null
  gross: Minor
  fee: Minor
  net: Minor
  currency: string
  /**
   * The trade days (HKT calendar) a batch pays for, when its rows carry no batch id (WeChat Pay's bill):
   * the batch is checked against that provider's rows of those days.
   */
  covers?: { from: string, to: string }
}

/** A problem with one line of an input; `line` 0 means the file as a whole. */
export interface LineIssue {
  line: number
  column?: string
  message: string
}
