// Column lookup by name and field clean-up shared by the file connectors. Providers reorder columns,
// add optional ones per merchant and spell the same header in different cases
// ("original_partner_transaction_ID" vs "Original_partner_transaction_ID"), so columns are found by a
// normalised name, never by position.

/**
 * Lower-case and drop everything but letters and digits, of any script: "Original_partner_transaction_ID"
 * → "originalpartnertransactionid", "商户订单号" stays itself (WeChat Pay's bill names its columns in Chinese).
 */
export function normaliseHeader (name: string): string {
  return clean(name).toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')
}

/** Trims spaces, tabs and NBSP (Alipay pads values, some exports prefix tabs) and undoes Excel's ="…" text trick. */
export function clean (value: string | undefined): string {
  if (value === undefined) return ''
  let v = value
  const c0 = v.charCodeAt(0)
  const cl = v.charCodeAt(v.length - 1)
  if (c0 === 32 || c0 === 9 || c0 === 160 || c0 === 0xfeff || cl === 32 || cl === 9 || cl === 160) {
    v = v.replace(/^[\s\u00a0\ufeff]+|[\s\u00a0]+$/g, '')
  }
  if (v.length > 3 && v.charCodeAt(0) === 61 && v.charCodeAt(1) === 34 && v.endsWith('"')) v = v.slice(2, -1)
  return v
}

export type ColumnMap<K extends string> = Record<K, number>

/**
 * Finds each wanted field's column index from a header row; -1 when absent. `aliases` lists the
 * accepted header names for each field (any case, any punctuation).
 */
export function mapColumns<K extends string> (header: string[], aliases: Record<K, readonly string[]>): ColumnMap<K> {
  const index = new Map<string, number>()
  header.forEach((h, i) => { const k = normaliseHeader(h); if (!index.has(k)) index.set(k, i) })
  const out = {} as ColumnMap<K>
  for (const key of Object.keys(aliases) as K[]) {
    out[key] = -1
    for (const alias of aliases[key]) {
      const i = index.get(normaliseHeader(alias))
      if (i !== undefined) { out[key] = i; break }
    }
  }
  return out
}

/** Names of required fields whose column is missing. */
export function missingColumns<K extends string> (cols: ColumnMap<K>, required: readonly K[]): K[] {
  return required.filter(k => cols[k] < 0)
}

/** The cleaned field at `index`, or '' when the column is absent or the row is short. */
export function field (fields: string[], index: number): string {
  return index < 0 ? '' : clean(fields[index])
}

/** Empty string → null. */
export function orNull (v: string): string | null {
  return v === '' ? null : v
}

/** The fields with a layout's value prefixes taken off, in place (WeChat Pay writes a backtick before every value). */
export function stripPrefixes (fields: string[], prefixes: readonly string[]): string[] {
  if (prefixes.length === 0) return fields
  for (let i = 0; i < fields.length; i++) {
    const v = fields[i].trimStart()
    for (const p of prefixes) if (v.startsWith(p)) { fields[i] = v.slice(p.length); break }
  }
  return fields
}
