import t from 'tap'
import { csvCell, csvDocument, exceptionsCsv } from './csv.ts'

// The cases are OWASP's CSV injection examples and the ones a till or a provider file can carry.
t.test('a value a spreadsheet would run as a formula is written as text; plain numbers stay numbers', async t => {
  const defused: Array<[string, string]> = [
    ['=1+1', "'=1+1"],
    ['+1+1', "'+1+1"],
    ['-2+3+cmd|\' /C calc\'!A0', "'-2+3+cmd|' /C calc'!A0"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['-', "'-"],
    ['-12.50 HKD', "'-12.50 HKD"]
  ]
  for (const [value, written] of defused) t.equal(csvCell(value), written, JSON.stringify(value))
  for (const plain of ['-24.00', '24.00', '+5', '-3', '0', '2026-11-20', 'MK01-T1-000123']) t.equal(csvCell(plain), plain, plain)
  t.equal(csvCell(-24), '-24')
  t.equal(csvCell(null), '')
})

t.test('a document has a BOM, CRLF line ends and quotes only where needed', async t => {
  t.equal(csvDocument(['a', 'b'], [['x,y', '1'], ['say "hi"', null]]), '\ufeffa,b\r\n"x,y",1\r\n"say ""hi""",\r\n')
})

t.test('a resolved exception\'s time is written as Hong Kong time with its offset, under an HKT header', async t => {
  const report = {
    business_date: '2026-11-20', generated_at: '2026-11-21T01:30:00Z', stores: [], exceptions: [], matches: [], providers: {}, verified_movements: {}, provisional_movements: [], payouts: [], bridge: [],
    resolved: [{ code: 'AMOUNT_MISMATCH' as const, store_id: 'MK01', sale_id: 'S1', tender: 0, provider: 'octopus', expected: 4200, actual: 4100, detail: 'x', resolution: { action: 'write_off' as const, category: 'goodwill' as const, reason: 'old price', actor: 'user:amy', at: '2026-11-21T02:00:00.000Z' } }]
  }
  const [header, line] = exceptionsCsv(report, 'bilingual').replace('\ufeff', '').split('\r\n')
  t.match(header, /處理時間 At \(HKT\)$/)
  // 02:00 UTC is 10:00 in Hong Kong
  t.match(line, /,user:amy,2026-11-21T10:00:00\+08:00$/)
})
