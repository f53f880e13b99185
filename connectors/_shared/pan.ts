// Full card numbers (PANs) must never enter our systems: a settlement file or webhook that carries one
// is refused whole, and the number is never stored, echoed or logged. Masked or truncated numbers
// ("123456******1234", "****4821") are fine. A PAN here is a 13–19 digit run (optionally grouped by
// single spaces or dashes) that passes the Luhn check and starts like a card brand's IIN; the IIN
// test keeps 16-digit AlipayHK partner ids (2088…) and long provider ids from false alarms.

// A maximal run of digits where single spaces or dashes may separate groups.
const RUN = /\d(?:[ -]?\d)*/g

export function luhnValid (digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) { d *= 2; if (d > 9) d -= 9 }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

/** Visa, Mastercard (51–55, 2221–2720), Amex, UnionPay, JCB, Diners, Discover. */
export function looksLikeCardIin (digits: string): boolean {
  const n2 = Number(digits.slice(0, 2))
  const n4 = Number(digits.slice(0, 4))
  return digits[0] === '4' || (n2 >= 51 && n2 <= 55) || (n4 >= 2221 && n4 <= 2720) || n2 === 34 || n2 === 37 ||
    n2 === 62 || n2 === 81 || n2 === 35 || n2 === 36 || n2 === 38 || n2 === 30 || n2 === 64 || n2 === 65 || n4 === 6011
}

function isPan (digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && looksLikeCardIin(digits) && luhnValid(digits)
}

/** True when a run holds a PAN: the whole run, or (when grouped) any whole groups in a row. */
function runHoldsPan (run: string): boolean {
  const groups = run.split(/[ -]/)
  if (groups.length === 1) return isPan(run)
  for (let i = 0; i < groups.length; i++) {
    let digits = ''
    for (let j = i; j < groups.length && digits.length < 19; j++) {
      digits += groups[j]
      if (isPan(digits)) return true
    }
  }
  return false
}

/** Index of the first run holding a PAN in `text`, or -1. */
export function findPan (text: string): number {
  RUN.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = RUN.exec(text)) !== null) {
    if (m[0].length >= 13 && runHoldsPan(m[0])) return m.index
  }
  return -1
}

export function containsPan (text: string): boolean {
  return findPan(text) >= 0
}

/**
 * Scans streamed text chunk by chunk, carrying the tail of each chunk so a number split across two
 * chunks is still seen. Reports the 1-based line of the first PAN.
 */
export class PanScanner {
  #carry = ''
  #line = 1
  #found: number | null = null

  get foundAtLine (): number | null { return this.#found }

  push (chunk: string): void {
    if (this.#found !== null) return
    const text = this.#carry + chunk
    const idx = findPan(text)
    if (idx >= 0) {
      this.#found = this.#line + countNewlines(text, 0, idx)
      return
    }
    // Keep the trailing digits/spaces/dashes (at most 40 chars): they may continue in the next chunk.
    let keep = text.length
    while (keep > 0 && text.length - keep < 40 && /[\d -]/.test(text[keep - 1])) keep--
    this.#line += countNewlines(text, 0, keep)
    this.#carry = text.slice(keep)
  }
}

function countNewlines (s: string, from: number, to: number): number {
  let n = 0
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) n++
  return n
}
