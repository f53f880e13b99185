// Provider records as columns, to hand a million of them from the thread that read the settlement
// files to the one that matches. A structured clone of the objects costs more than reading the files
// (V8 clones object by object); columns are a few typed arrays and the strings end to end (cut apart
// again by their lengths), which move at memory speed, and the objects are built again by one object
// literal each, with the keys, key order and values they had (a literal keeps every field in the
// object, where adding them one by one would leave most behind a pointer, and matching reads them
// millions of times).
import type { ReconPayment } from '../../reconciler/types.ts'
import { PLACE } from '../../reconciler/index-payments.ts'

/** The text fields, in the key order a record is built with; packStrings and fromColumns list them by position. */
const STRINGS = ['cardBrand', 'cardLast4', 'id', 'provider', 'fileKind', 'type', 'providerTxnId', 'merchantRef', 'originalRef', 'originalProviderTxnId',
  'businessDate', 'settlementDate', 'batchId', 'storeId', 'deviceId', 'account', 'card'] as const
const MONEY = ['gross', 'fee', 'net', 'paidAt'] as const

// what a string field held: a string, null, undefined, or no key at all
const IS_TEXT = 0
const IS_NULL = 1
const IS_UNDEFINED = 2
const ABSENT = 3

/** Records per text: keeps each text far below V8's longest string, whatever the day's size. */
const BLOCK = 1 << 16

/**
 * Fields a day repeats (a few providers, stores, tills, dates and batches): sent once each and named
 * by their index, so neither thread copies them per record and the rebuilt records share one string
 * each. The other fields (ids and references) are nearly all distinct and travel as text.
 */
const REPEATED = new Set<string>(['cardBrand', 'provider', 'fileKind', 'type', 'businessDate', 'settlementDate', 'batchId', 'storeId', 'deviceId', 'account'])

/**
 * The string fields record by record (STRINGS order): per field its tag; per string, in `codes` and in the same order,
 * its index in `words` (a repeated field) or its length in UTF-16 units with the text itself in `texts`,
 * end to end, one text per BLOCK records. Record-major because both ends walk the records one at a time:
 * a column-major pass touched every record 17 times (a cache miss each) and JSON arrays per column took
 * 3.3 s of JSON.stringify over a chain day's 700k records; joined text needs no escaping and comes back
 * by slicing.
 */
export interface StringFields { tags: Uint8Array, codes: Uint32Array, texts: string[], words: Array<string[] | null> }
export interface PaymentColumns { count: number, strings: StringFields, numbers: Record<typeof MONEY[number], Float64Array> }

function packStrings (payments: readonly ReconPayment[]): StringFields {
  const tags = new Uint8Array(payments.length * STRINGS.length)
  const codes = new Uint32Array(payments.length * STRINGS.length)
  const indexes = STRINGS.map(f => REPEATED.has(f) ? new Map<string, number>() : null)
  const words = STRINGS.map(f => REPEATED.has(f) ? [] as string[] : null)
  const texts: string[] = []
  let parts: string[] = []
  let n = 0
  for (let i = 0; i < payments.length; i++) {
    if (i % BLOCK === 0 && i > 0) { texts.push(parts.join('')); parts = [] }
    const p = payments[i]
    const values = [p.cardBrand, p.cardLast4, p.id, p.provider, p.fileKind, p.type, p.providerTxnId, p.merchantRef, p.originalRef, p.originalProviderTxnId,
      p.businessDate, p.settlementDate, p.batchId, p.storeId, p.deviceId, p.account, p.card] as unknown[]
    for (let f = 0; f < STRINGS.length; f++) {
      const v = values[f]
      if (typeof v === 'string') {
        const index = indexes[f]
        if (index === null) { codes[n++] = v.length; parts.push(v); continue }
        let at = index.get(v)
        if (at === undefined) { at = index.size; index.set(v, at); words[f]!.push(v) }
        codes[n++] = at
      } else if (v === null) tags[i * STRINGS.length + f] = IS_NULL
      else if (v === undefined) tags[i * STRINGS.length + f] = STRINGS[f] in p ? IS_UNDEFINED : ABSENT
      else throw new TypeError(`record ${String(p.id)}: ${STRINGS[f]} is neither text nor null`)
    }
  }
  texts.push(parts.join(''))
  return { tags, codes: codes.slice(0, n), texts, words }
}

/** The records as columns; `transferables` lists the buffers a postMessage can move instead of copy. */
export function toColumns (payments: readonly ReconPayment[]): { columns: PaymentColumns, transferables: ArrayBuffer[] } {
  const strings = packStrings(payments)
  const numbers = Object.fromEntries(MONEY.map(f => {
    const col = new Float64Array(payments.length)
    for (let i = 0; i < payments.length; i++) col[i] = payments[i][f] ?? Number.NaN // paidAt null: NaN
    return [f, col]
  })) as PaymentColumns['numbers']
  const transferables = [strings.tags.buffer, strings.codes.buffer, ...Object.values(numbers).map(n => n.buffer)] as ArrayBuffer[]
  return { columns: { count: payments.length, strings, numbers }, transferables }
}

type Value = string | null | undefined

/**
 * An amount read from a Float64Array as a small integer where it is one (nearly always: cents; -0 stays
 * -0): stored as a double, V8 keeps the field of every record as a number object of its own.
 */
const whole = (x: number): number => Object.is(x | 0, x) ? x | 0 : x

/** The records again, each with the keys, key order and values it had. */
export function fromColumns (c: PaymentColumns): ReconPayment[] {
  const { tags, codes, texts, words } = c.strings
  const { gross, fee, net, paidAt } = c.numbers
  const out: ReconPayment[] = new Array(c.count)
  const v = new Array<Value | typeof ABSENT>(STRINGS.length)
  let n = 0
  let text = ''
  let at = 0
  for (let i = 0; i < c.count; i++) {
    if (i % BLOCK === 0) { text = texts[i / BLOCK]; at = 0 }
    for (let f = 0; f < STRINGS.length; f++) {
      const tag = tags[i * STRINGS.length + f]
      const known = words[f]
      if (tag !== IS_TEXT) v[f] = tag === IS_NULL ? null : tag === IS_UNDEFINED ? undefined : ABSENT
      else if (known !== null) v[f] = known[codes[n++]]
      else { const from = at; at += codes[n++]; v[f] = text.slice(from, at) }
    }
    const time = paidAt[i]
    // [PLACE]: the slot a run stamps each record's place in (reconciler/index-payments.ts)
    const fields = {
      id: v[2], provider: v[3], fileKind: v[4], type: v[5], providerTxnId: v[6], merchantRef: v[7], originalRef: v[8], originalProviderTxnId: v[9],
      gross: whole(gross[i]), fee: whole(fee[i]), net: whole(net[i]), paidAt: Number.isNaN(time) ? null : time,
      businessDate: v[10], settlementDate: v[11], batchId: v[12], storeId: v[13], deviceId: v[14], account: v[15], card: v[16], [PLACE]: -1
    }
    const p = (v[0] !== ABSENT ? { cardBrand: v[0], cardLast4: v[1], ...fields } : fields) as Record<string, unknown>
    // a key the record did not have (none of the connectors' records lack one today)
    for (let f = 0; f < STRINGS.length; f++) if (v[f] === ABSENT) delete p[STRINGS[f]]
    out[i] = p as unknown as ReconPayment
  }
  return out
}
