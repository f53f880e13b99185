// The reconciler's input and output. Pure data: the gateway loads it from PostgreSQL, the offline CLI
// from files; `reconcile()` is the same for both. Money is integer cents, instants are epoch ms.
import type { CardDetails, Minor, PaymentType, Provider, ProviderDescriptor, TenderMethod } from '../connectors/contract.ts'
import type { PayoutLine, PayoutRecords, PayoutRule, StatedPayout } from './payout-build.ts'
import type { Deposit } from './payouts.ts'
import type { BridgeRow } from './bridge.ts'
import type { FileDue } from './late-files.ts'

export type { Minor, Provider }

/** How the engine treats a provider's records: its descriptor's matching fields (connectors/contract.ts). */
export type ProviderRules = Pick<ProviderDescriptor, 'tenderMethods' | 'matchScope' | 'devicesUploadLate' | 'cashRounding'>

export interface ReconLine { lineNo: number, sku: string, qty: number, restock: boolean }

export interface ReconTender {
  tenderNo: number
  method: TenderMethod
  /** Signed: a refund's tenders are negative. */
  amount: Minor
  reference: string | null
  providerTxnId: string | null
  /** A card tender's scheme, last four digits and authorisation code, when the till sent them. */
  card?: CardDetails | null
}

export interface ReconSale {
  /** `${vendor}:${saleId}`: unique across vendors. */
  key: string
  saleId: string
  storeId: string
  terminalId: string | null
  kind: 'sale' | 'refund'
  /** For a refund: the original sale's key. */
  refundOf: string | null
  occurredAt: number
  businessDate: string
  voided: boolean
  lines: ReconLine[]
  tenders: ReconTender[]
  /** The stock movements the POS posted for this sale, when known; absent: taken to equal the lines. */
  movements?: ReconMovement[]
}

export interface ReconPayment {
  /** Stable and unique: import id (or file) and line. */
  id: string
  provider: Provider
  fileKind: 'settlement' | 'transaction'
  type: PaymentType
  providerTxnId: string | null
  merchantRef: string | null
  originalRef: string | null
  originalProviderTxnId: string | null
  gross: Minor
  fee: Minor
  net: Minor
  paidAt: number | null
  /** HKT business day of the payment (store cut-off applied when the store is known). */
  businessDate: string | null
  settlementDate: string | null
  batchId: string | null
  storeId: string | null
  deviceId: string | null
  /** The account or shop the provider booked it under (connectors/contract.ts PaymentRecord.account). */
  account?: string | null
  /** The masked card or buyer id as the provider printed it: only to tell two listings apart, never reported. */
  card?: string | null
  /** A card record's scheme and last four digits: a card tender's must not contradict them. */
  cardBrand?: string | null
  cardLast4?: string | null
}

/** A stock movement the POS posted for a sale line (negative for a sale, positive for a return). */
export interface ReconMovement { lineNo: number, sku: string, qty: number, id?: number }
/** A movement named by its sale's key, for inputs that list movements apart from their sales. */
export interface ReconSaleMovement extends ReconMovement { saleKey: string }

/** A payout batch whose stated totals disagree with its rows (found at import). */
export interface BatchFinding { provider: Provider, batchId: string, expected: Minor, actual: Minor, detail: string }

export interface FeeBand { min: number, max: number }

export interface ReconSettings {
  /** Every provider the day may hold records of, and how each is matched. */
  providers: Record<Provider, ProviderRules>
  /** Fuzzy matching window between a POS time and a provider time. */
  windowMinutes: number
  /** ±cents accepted between a tender and its record when the provider rounds like cash (HK rounds to 10 cents). */
  roundingCents: number
  /** Fee rate bands per provider, with per-store overrides. */
  feeBands: Record<Provider, FeeBand>
  storeFeeBands?: Record<string, Partial<Record<Provider, FeeBand>>>
  /** Business days from the sale's day to its settlement, per provider (T+1 = 1). */
  settlementDays: Record<Provider, number>
  /** HK public holidays ('YYYY-MM-DD'); weekends are never business days. */
  holidays: ReadonlySet<string>
  /** The day the run is for: a settlement not due by then is pending, not missing. */
  asOf: string
  /** Codes a provider's files use for a store (account, device or store code), from stores.<id>.aliases. */
  storeAliases?: Record<Provider, Record<string, string>>
  /**
   * Which of the providers settling a shared method (card, fps) the chain uses: `{ card: ['adyen'] }`.
   * Unset for a method: the providers with records in the run's input, so a chain that has connected
   * no acquirer sees its card tenders as the till's own, not as missing.
   */
  tenderProviders?: Record<TenderMethod, Provider[]>
  /**
   * A pairing by amount and time whose confidence (0..1) is below this is only proposed: listed for a
   * person to confirm or reject, its sale's stock still provisional. 0 or unset: every pairing is taken.
   */
  reviewBelow?: number
  /** Known reader → till assignments (`${storeId}:${terminalId}` per device) for providers matched per device. */
  devices?: Record<string, string>
  /** How each provider that pays out to the bank does so; a provider without one pays nothing out (FPS lands in the bank itself). */
  payouts?: Record<Provider, PayoutRule>
  /** Providers whose records are the bank's own credits (FPS), with the words their credits carry. */
  bankReceipts?: Record<Provider, readonly string[]>
  /** When each provider's file of a trade day is due (late-files.ts). */
  fileDue?: Record<Provider, FileDue>
}

/**
 * What the providers paid out around the day, and the bank's credits: the settlement records summed
 * per batch, settlement day, business day and store, the batch totals the providers stated, and the
 * bank's credits (text: references and narrative together). Absent: no payout is judged.
 */
export interface PayoutInput { records: PayoutRecords[], stated: StatedPayout[], deposits: Deposit[], /** The last day the imported statements cover. */ bankThrough: string | null }

export interface ReconInput {
  date: string
  /** The day's sales and refunds, plus neighbouring days' (matched, never reported). */
  sales: ReconSale[]
  payments: ReconPayment[]
  /**
   * Movements listed apart from their sales (loaders attach them to `ReconSale.movements` instead);
   * given, every sale's are known, and a sale with none has none.
   */
  movements?: ReconSaleMovement[]
  batchFindings?: BatchFinding[]
  /** Payments a person linked to a tender by hand: paired before anything else. */
  manualLinks?: ManualLink[]
  /** Proposed pairings a person confirmed (paired before anything else) or rejected (never made again). */
  matchReviews?: MatchReview[]
  /** Differences a person accepted (write-offs), by exception key (`exceptionKey`). */
  resolutions?: Resolution[]
  payouts?: PayoutInput
  settings: ReconSettings
  generatedAt?: string
}

export const EXCEPTION_CODES = [
  'MISSING_PAYMENT', 'PENDING_SETTLEMENT', 'UNEXPECTED_PAYMENT', 'AMOUNT_MISMATCH', 'DUPLICATE_PAYMENT', 'REFUND_WITHOUT_RETURN',
  'RETURN_WITHOUT_REFUND', 'VOID_BUT_SETTLED', 'STOCK_MISMATCH', 'FEE_OUT_OF_BAND', 'BATCH_TOTAL_MISMATCH', 'CHARGEBACK', 'PROPOSED_MATCH',
  'PAYOUT_MISSING', 'PAYOUT_AMOUNT_MISMATCH', 'UNEXPECTED_DEPOSIT'
] as const
export type ExceptionCode = typeof EXCEPTION_CODES[number]

export interface ManualLink { saleKey: string, tenderNo: number, paymentId: string }
export interface MatchReview extends ManualLink { decision: 'confirmed' | 'rejected' }

/** Another pairing a proposed one competes with: an unpaid sale the record could have paid, or a free record that could have paid the sale. */
export interface MatchAlternative {
  sale_id: string
  store_id: string
  tender: number
  payment_id: string
  provider_txn_id: string | null
  /** The record's time after the sale's (negative: before). */
  seconds_after_sale: number
  /** How near that offset lies to where the reader's records lie (0..1). */
  score: number
}

export const WRITE_OFF_CATEGORIES = ['fee', 'rounding', 'goodwill'] as const
export type WriteOffCategory = typeof WRITE_OFF_CATEGORIES[number]
/**
 * The write-offs that fit each exception: a difference the shop may accept as a fee, a rounding or a
 * goodwill loss. Money that came or went without a sale (an unexpected payment, a refund without a
 * return, a duplicate listing, a chargeback) is not written off: it is linked, or claimed back.
 */
export const WRITE_OFF_FITS: Partial<Record<ExceptionCode, readonly WriteOffCategory[]>> = {
  AMOUNT_MISMATCH: ['rounding', 'goodwill', 'fee'],
  FEE_OUT_OF_BAND: ['fee'],
  BATCH_TOTAL_MISMATCH: ['fee', 'rounding'],
  // the receiving bank's charge on an inward payment, or a cent the provider rounded away
  PAYOUT_AMOUNT_MISMATCH: ['fee', 'rounding'],
  MISSING_PAYMENT: ['goodwill'],
  RETURN_WITHOUT_REFUND: ['goodwill'],
  STOCK_MISMATCH: ['goodwill']
}
/** A difference a person accepted (write_off, with its category), or money the provider gave back on a claim (claim, no category). */
export interface Resolution { key: string, action: 'write_off' | 'claim', category: WriteOffCategory | null, reason: string, actor: string, at: string }

/** Contract §3 exception, with the ids that locate it. */
export interface ReconException {
  code: ExceptionCode
  store_id: string | null
  sale_id: string | null
  tender: number | null
  provider: Provider | null
  expected: Minor | null
  actual: Minor | null
  detail: string
  reference?: string | null
  provider_txn_id?: string | null
  payment_id?: string | null
  batch_id?: string | null
  sku?: string | null
  line?: number | null
  /** STOCK_MISMATCH: quantities, not money. */
  expected_qty?: number
  actual_qty?: number
  /** The store was inferred from the day's matched records of the same account or device (evidence says how). */
  store_inferred?: boolean
  store_evidence?: string
  /** FEE_OUT_OF_BAND: the band (rates) the fee was held to, and the amount it was charged on. */
  fee_band?: { min: number, max: number }
  gross?: Minor
  /** DUPLICATE_PAYMENT: the record that listed the transaction first (payment_id is the second listing). */
  duplicate_of?: string
  /** PAYOUT_AMOUNT_MISMATCH, UNEXPECTED_DEPOSIT: the bank entry (bank_entries id) it is about, and its value day. */
  bank_entry?: string
  value_date?: string
  /** PAYOUT_MISSING: the last value day the credit was due. */
  due_by?: string
  /** PROPOSED_MATCH: the pairing's confidence, and the pairings it competes with. */
  score?: number
  alternatives?: MatchAlternative[]
}

export interface ResolvedException extends ReconException { resolution: Omit<Resolution, 'key'> }

export interface ReconMatch {
  sale_id: string
  store_id: string
  tender: number
  provider: Provider
  provider_txn_id: string | null
  payment_id: string
  by: 'manual' | 'reference' | 'amount_time' | 'amount_date'
  /** amount_time: the confidence, from the residual and the rivals (0..1). */
  score?: number
  /** proposed: awaiting a person (a PROPOSED_MATCH exception); confirmed: a person confirmed it. */
  review?: 'proposed' | 'confirmed'
}

export interface StoreSummary {
  store_id: string
  /** balanced: nothing open; pending: only settlements not yet due; exceptions: something to act on. */
  status: 'balanced' | 'pending' | 'exceptions'
  sales: number
  tenders: Record<string, Minor>
  settled: Partial<Record<Provider, { gross: Minor, fee: Minor, net: Minor }>>
  verified_sales: number
  /** Stock movements of the day's sales now verified (payment matched), and those still provisional. */
  verified_movements: number
  provisional_movements: number
  /** Open exceptions per code (what the status is computed from). */
  exceptions: Partial<Record<ExceptionCode, number>>
  /** Exceptions a person resolved (written off), per code. */
  resolved: Partial<Record<ExceptionCode, number>>
}

/** A movement that stays provisional, with the exception codes that keep it in doubt. */
export interface ProvisionalMovement { movement: string, store_id: string, sale_id: string, line: number, sku: string, why: ExceptionCode[] }

export interface ReconReport {
  business_date: string
  generated_at: string
  stores: StoreSummary[]
  /** The open exceptions. */
  exceptions: ReconException[]
  /** Exceptions a person accepted, each with its resolution (who, when, why). */
  resolved: ResolvedException[]
  matches: ReconMatch[]
  /** Per provider: every payment record counted once, matched or not (money is conserved). */
  providers: Partial<Record<Provider, { records: number, gross: Minor, matched_gross: Minor, unmatched_gross: Minor, other_gross: Minor }>>
  /** Per store: the movement ids (offline, `sale key#line`) the run verified. */
  verified_movements: Record<string, string[]>
  provisional_movements: ProvisionalMovement[]
  /** The payouts that close on the day (their last records are the day's), and where their money is. */
  payouts: PayoutLine[]
  /** Per store and provider: till → settled gross → fees → net → paid out → in the bank, each difference itemised. */
  bridge: BridgeRow[]
}
