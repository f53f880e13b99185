// Provider records as columns, to hand a million of them from the thread that read the settlement
// files to the one that matches. A structured clone of the objects costs more than reading the files
// (V8 clones object by object); columns are a few typed arrays and one JSON text per field, which move
// at memory speed, and the objects are built again by one object literal each, with the keys, key
// order and values they had (a literal keeps every field in the object, where adding them one by one
// would leave most behind a pointer, and matching reads them millions of times).
import type { ReconPayment } from '../../reconciler/types.ts'

/** The text fields, in the key order a record is built with (after the card's brand and last four). */
const TEXT = ['id', 'provider', 'fileKind', 'type', 'providerTxnId', 'merchantRef', 'originalRef', 'originalProviderTxnId'] as const
const MONEY = ['gross', 'fee', 'net', 'paidAt'] as const
const LATER = ['businessDate', 'settlementDate', 'batchId', 'storeId', 'deviceId', 'account', 'card'] as const
const CARD = ['cardBrand', 'cardLast4'] as const
const STRINGS = [...CARD, ...TEXT, ...LATER] as const
type StringField = typeof STRINGS[number]

// what a string field held: a string, null, undefined, or no key at all
const IS_TEXT = 0
const IS_NULL = 1
const IS_UNDEFINED = 2
const ABSENT = 3

/** `json`: the column's strings, in order, as one JSON array (parsed back into ordinary flat strings). */
export interface StringColumn { tags: Uint8Array, json: string }
export interface PaymentColumns { count: number, strings: Record<StringField, StringColumn>, numbers: Record<typeof MONEY[number], Float64Array> }

function packStrings (payments: readonly ReconPayment[], field: StringField): StringColumn {
  const tags = new Uint8Array(payments.length)
  const parts: string[] = []
  for (let i = 0; i < payments.length; i++) {
    const p = payments[i] as unknown as Record<string, unknown>
    const v = p[field]
    if (typeof v === 'string') parts.push(v)
    else if (v === null) tags[i] = IS_NULL
    else if (v === undefined) tags[i] = field in p ? IS_UNDEFINED : ABSENT
    else throw new TypeError(`record ${String(p.id)}: ${field} is neither text nor null`)
  }
  return { tags, json: JSON.stringify(parts) }
}

/** The records as columns; `transferables` lists the buffers a postMessage can move instead of copy. */
export function toColumns (payments: readonly ReconPayment[]): { columns: PaymentColumns, transferables: ArrayBuffer[] } {
  const strings = Object.fromEntries(STRINGS.map(f => [f, packStrings(payments, f)])) as PaymentColumns['strings']
  const numbers = Object.fromEntries(MONEY.map(f => {
    const col = new Float64Array(payments.length)
    for (let i = 0; i < payments.length; i++) col[i] = payments[i][f] ?? Number.NaN // paidAt null: NaN
    return [f, col]
  })) as PaymentColumns['numbers']
  const transferables = [...Object.values(strings).map(s => s.tags.buffer), ...Object.values(numbers).map(n => n.buffer)] as ArrayBuffer[]
  return { columns: { count: payments.length, strings, numbers }, transferables }
}

/** Reads a string column in order: each call gives the next record's value (or ABSENT). */
function reader (c: StringColumn): () => string | null | undefined | typeof ABSENT {
  const texts = JSON.parse(c.json) as string[]
  let i = 0
  let at = 0
  return () => {
    const tag = c.tags[i++]
    return tag === IS_TEXT ? texts[at++] : tag === IS_NULL ? null : tag === IS_UNDEFINED ? undefined : ABSENT
  }
}

type Value = string | null | undefined

/** The records again, each with the keys, key order and values it had. */
export function fromColumns (c: PaymentColumns): ReconPayment[] {
  const next = Object.fromEntries(STRINGS.map(f => [f, reader(c.strings[f])])) as Record<StringField, ReturnType<typeof reader>>
  const { gross, fee, net, paidAt } = c.numbers
  const out: ReconPayment[] = new Array(c.count)
  for (let i = 0; i < c.count; i++) {
    const v = {} as Record<StringField, Value | typeof ABSENT>
    for (const f of STRINGS) v[f] = next[f]()
    const at = paidAt[i]
    const fields = {
      id: v.id, provider: v.provider, fileKind: v.fileKind, type: v.type, providerTxnId: v.providerTxnId, merchantRef: v.merchantRef, originalRef: v.originalRef,
      originalProviderTxnId: v.originalProviderTxnId, gross: gross[i], fee: fee[i], net: net[i], paidAt: Number.isNaN(at) ? null : at,
      businessDate: v.businessDate, settlementDate: v.settlementDate, batchId: v.batchId, storeId: v.storeId, deviceId: v.deviceId, account: v.account, card: v.card
    }
    const p = (v.cardBrand !== ABSENT ? { cardBrand: v.cardBrand, cardLast4: v.cardLast4, ...fields } : fields) as Record<string, unknown>
    // a key the record did not have (none of the connectors' records lack one today)
    for (const f of STRINGS) if (v[f] === ABSENT) delete p[f]
    out[i] = p as unknown as ReconPayment
  }
  return out
}
