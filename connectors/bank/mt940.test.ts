import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { parseMt940 } from './mt940.ts'
import type { BankStatement } from './statement.ts'

const FILE = readFileSync(join(FIXTURES, 'bank/hsbc_mt940_20261124.sta'), 'utf8')

t.test('an MT940 statement in its SWIFT blocks: entries signed as money moves in, references split, :86: attached, balances checked', async t => {
  const { statements, issues } = parseMt940(FILE)
  t.same(issues, [])
  t.equal(statements.length, 1)
  const s = statements[0]
  t.match(s, { account: '004-123456-001', statementId: '327/1', currency: 'HKD', opening: { date: '2026-11-20', amount: 1000000 }, closing: { date: '2026-11-24', amount: 1466160 } })
  // by hand: 10,000.00 + 223.39 + 4,563.21 − 25.00 − 100.00 (a reversed credit) = 14,661.60
  t.same(s.entries.map(e => [e.valueDate, e.bookingDate, e.amount, e.type, e.customerRef, e.bankRef]), [
    ['2026-11-23', '2026-11-23', 22339, 'NTRF', null, 'WXHK1123001'],
    ['2026-11-23', '2026-11-23', 456321, 'NTRF', '2088000000000001', 'B0001'],
    ['2026-11-24', '2026-11-24', -2500, 'NCHG', null, null],
    ['2026-11-24', '2026-11-24', -10000, 'NTRF', null, 'REV001']
  ])
  t.equal(s.entries[0].narrative, 'WECHAT PAY SETTLEMENT WECHAT PAY HK LTD BATCH 100000001202611220001', 'supplementary details and :86: together: where the batch id is')
  t.equal(s.entries[1].narrative, 'ALIPAY HK SETTLEMENT B0001 20261123', 'a continued :86: is one text')
  t.equal(s.entries[0].lineNo, 6, 'the line its :61: is on')
})

t.test('a statement that does not balance, or a line that is not MT940, is refused with the figures or the line', async t => {
  const off = parseMt940(FILE.replace(':62F:C261124HKD14661,60', ':62F:C261124HKD14661,70'))
  t.match(off.issues, [{ line: 0, message: 'statement 327/1 of 004-123456-001: opening 10000.00 + movements 4661.60 = 14661.60, but the closing balance says 14661.70' }])
  const bad = parseMt940(FILE.replace(':61:2611241124D25,00NCHGNONREF', ':61:2611241124D25.00NCHGNONREF'))
  t.match(bad.issues, [{ line: 12, column: '61', message: /:61: "2611241124D25\.00NCHGNONREF" is not a statement line/ }])
  t.equal(bad.issues.length, 1, 'the bad line, not also the balance it then misses')
  const noDate = parseMt940(FILE.replace(':60F:C261120HKD10000,00', ':60F:C261320HKD10000,00'))
  t.match(noDate.issues, [{ line: 5, column: '60F', message: /is not a balance/ }])
  t.match(parseMt940('hello\n').issues, [{ message: 'no MT940 statement (:20: … :62F:) in the file' }])
})

/** A seeded generator (mulberry32). */
function random (seed: number): () => number {
  let a = seed
  return () => { a = (a + 0x6d2b79f5) | 0; let x = Math.imul(a ^ (a >>> 15), 1 | a); x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x; return ((x ^ (x >>> 14)) >>> 0) / 4294967296 }
}

/** Written the way the format says, independently of the parser: what a bank would send. */
function write (s: BankStatement): string {
  const amt = (n: number): string => `${Math.trunc(Math.abs(n) / 100)},${String(Math.abs(n) % 100).padStart(2, '0')}`
  const yymmdd = (d: string): string => d.slice(2).replace(/-/g, '')
  const bal = (tag: string, b: { date: string, amount: number }): string => `:${tag}:${b.amount < 0 ? 'D' : 'C'}${yymmdd(b.date)}${s.currency}${amt(b.amount)}`
  const lines = [':20:GEN', `:25:${s.account}`, `:28C:${s.statementId}`, bal('60F', s.opening!)]
  for (const e of s.entries) {
    lines.push(`:61:${yymmdd(e.valueDate)}${e.bookingDate!.slice(5).replace('-', '')}${e.amount < 0 ? 'D' : 'C'}${amt(e.amount)}${e.type}${e.customerRef ?? 'NONREF'}${e.bankRef ? `//${e.bankRef}` : ''}`)
    lines.push(`:86:${e.narrative}`)
  }
  lines.push(bal('62F', s.closing!), '-')
  return lines.join('\r\n')
}

t.test('property: any statement a bank could write reads back as written, and one changed amount is caught by the balance', async t => {
  const next = random(20261124)
  for (let k = 0; k < 200; k++) {
    const n = Math.floor(next() * 12)
    const entries = Array.from({ length: n }, (_, i) => {
      const day = `2026-11-${String(20 + Math.floor(i / 4)).padStart(2, '0')}`
      const amount = (next() < 0.7 ? 1 : -1) * (1 + Math.floor(next() * 5_000_000))
      return { lineNo: 0, valueDate: day, bookingDate: day, amount, currency: 'HKD', type: next() < 0.5 ? 'NTRF' : 'NMSC', customerRef: next() < 0.5 ? `REF${i}` : null, bankRef: next() < 0.5 ? `B${k}X${i}` : null, narrative: `ENTRY ${i} OF ${k}` }
    })
    const opening = Math.floor(next() * 10_000_000) - 2_000_000
    const closing = opening + entries.reduce((sum, e) => sum + e.amount, 0)
    const s: BankStatement = { account: `HK-${k}`, statementId: `${k}/1`, currency: 'HKD', opening: { date: '2026-11-20', amount: opening }, closing: { date: '2026-11-24', amount: closing }, entries }
    const read = parseMt940(write(s))
    if (read.issues.length) { t.fail(`statement ${k}: ${JSON.stringify(read.issues)}`); break }
    const got = read.statements[0]
    t.same({ ...got, entries: got.entries.map(e => ({ ...e, lineNo: 0 })) }, s, `statement ${k} reads back`)
    if (n > 0) {
      const changed = write({ ...s, entries: s.entries.map((e, i) => i === 0 ? { ...e, amount: e.amount + (e.amount > 0 ? 1 : -1) } : e) })
      t.equal(parseMt940(changed).issues.length, 1, `statement ${k}: a cent changed unbalances it`)
    }
  }
})
