// What a card tender and an acquirer's record may say about the card, in one form: the scheme
// ("brand") as one lower-case name whatever the till or the acquirer calls it, and the last four
// digits. Two pairings of the same amount and time are told apart by them; nothing more of a card is
// ever kept (a full number is refused where it arrives: pan.ts).

/** A card tender's details as the till sent them. */
export interface CardDetails { brand: string | null, last4: string | null, authCode: string | null }

const BRANDS: Array<[RegExp, string]> = [
  [/^visa/, 'visa'],
  [/^(mc|master|eurocard|maestro)/, 'mastercard'],
  [/^(cup|unionpay|union pay|china ?unionpay|银联|銀聯)/, 'unionpay'],
  [/^(amex|american ?express)/, 'amex'],
  [/^jcb/, 'jcb'],
  [/^(diners|dinersclub)/, 'diners'],
  [/^discover/, 'discover']
]

/** The scheme's one name ("MC", "mastercard", "MasterCard Debit" → "mastercard"); null when blank. */
export function cardBrand (text: string | null | undefined): string | null {
  const t = (text ?? '').trim().toLowerCase()
  if (!t) return null
  for (const [re, name] of BRANDS) if (re.test(t)) return name
  return t.split(/[\s_-]/)[0]
}

/** The last four digits of a masked number ("4***********1111", "****4821"), when it shows them. */
export function lastFour (masked: string | null | undefined): string | null {
  const m = /(\d{4})\s*$/.exec(masked ?? '')
  return m ? m[1] : null
}

/** Whether a tender's card and a record's can be the same card: unknown on either side never rules out. */
export function sameCard (tender: CardDetails | null | undefined, brand: string | null | undefined, last4: string | null | undefined): boolean {
  if (!tender) return true
  if (tender.brand && brand && tender.brand !== brand) return false
  return !(tender.last4 && last4 && tender.last4 !== last4)
}

/** The scheme a masked number's leading digit shows, when it shows one (a bank card's IIN). */
function brandOfMasked (masked: string): string | null {
  const d = /^\s*(\d{1,2})/.exec(masked)?.[1]
  if (!d) return null
  if (d[0] === '4') return 'visa'
  if (d[0] === '5' || d[0] === '2') return 'mastercard'
  if (d === '62') return 'unionpay'
  if (d === '34' || d === '37') return 'amex'
  if (d === '35') return 'jcb'
  return null
}

/**
 * A record's bank card as matching compares it: the scheme (listed, else shown by the masked number)
 * and, only for a bank card, its last four digits. An Octopus or wallet id is not a bank card: none.
 */
export function cardOfRecord (r: { cardBrand?: string | null, cardMasked: string | null }): { brand: string, last4: string | null } | null {
  const brand = r.cardBrand ?? (r.cardMasked ? brandOfMasked(r.cardMasked) : null)
  return brand ? { brand, last4: lastFour(r.cardMasked) } : null
}
