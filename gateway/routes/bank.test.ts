// Bank statements through the API: imported whole and once, entries signed as money moves in, the
// payer's text stored encrypted, an overlapping statement's repeated entries skipped, and a statement
// that does not balance refused with its figures and nothing stored.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { auth, testRuntime } from '../../fixtures/support/runtime.ts'
import writeXlsxFile from 'write-excel-file/node'

const MT940 = readFileSync(join(FIXTURES, 'bank/hsbc_mt940_20261124.sta'), 'utf8')
// the next day's download: it repeats 2026-11-24's two entries and adds an Octopus payout
// (by hand: 10,000.00 + 223.39 + 4,563.21 = 14,786.60 before the 24th; − 25.00 − 100.00 + 880.00 = 15,541.60)
const NEXT = [':20:STMT20261125001', ':25:004-123456-001', ':28C:328/1', ':60F:C261123HKD14786,60',
  ':61:2611241124D25,00NCHGNONREF', ':86:SERVICE CHARGE',
  ':61:2611241124RC100,00NTRFNONREF//REV001', ':86:REVERSAL OF CREDIT 20261121',
  ':61:2611251125C880,00NTRFOCT20261125//MPS1125', ':86:OCTOPUS CARDS LTD SETTLEMENT',
  ':62F:C261125HKD15541,60', '-'].join('\r\n')

t.test('an MT940 statement imports once; its entries are listed signed, the narrative decrypted for finance and encrypted at rest', async t => {
  const rt = await testRuntime(t)
  const post = (body: string, filename: string) => rt.app!.inject({ method: 'POST', url: `/v1/bank-statements?filename=${filename}`, headers: { ...auth('finance'), 'content-type': 'text/plain' }, payload: body })
  const first = await post(MT940, 'hsbc_mt940_20261124.sta')
  t.equal(first.statusCode, 201, first.body)
  t.match(first.json(), { status: 'imported', format: 'mt940', statements: 1, entries: 4, duplicates: 0, accounts: ['004-123456-001'] })
  t.match((await post(MT940, 'copy.sta')).json(), { status: 'already_imported', import_id: first.json().import_id })
  const list = await rt.app!.inject({ method: 'GET', url: '/v1/bank-entries?account=004-123456-001', headers: auth('finance') })
  t.same(list.json().items.map((e: { value_date: string, amount: number, bank_ref: string | null }) => [e.value_date, e.amount, e.bank_ref]),
    [['2026-11-23', 22339, 'WXHK1123001'], ['2026-11-23', 456321, 'B0001'], ['2026-11-24', -2500, null], ['2026-11-24', -10000, 'REV001']])
  t.match(list.json().items[0].narrative, /BATCH 100000001202611220001/)
  const { rows } = await rt.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM bank_entries WHERE position(convert_to('WECHAT', 'UTF8') in narrative_enc) > 0`)
  t.equal(rows[0].n, 0, 'no narrative is stored in the clear')
  t.equal((await rt.app!.inject({ method: 'GET', url: '/v1/bank-entries', headers: auth('manager') })).statusCode, 403, 'not a store manager\'s to read')

  const next = await post(NEXT, 'hsbc_mt940_20261125.sta')
  t.match(next.json(), { status: 'imported', entries: 1, duplicates: 2 }, 'the repeated entries of the overlapping day are not stored twice')
  const { rows: all } = await rt.db.query<{ n: number, total: number }>('SELECT count(*)::int AS n, sum(amount)::int AS total FROM bank_entries')
  // by hand: 223.39 + 4,563.21 − 25.00 − 100.00 + 880.00 = 5,541.60
  t.same(all, [{ n: 5, total: 554160 }])
})

t.test('a statement that does not balance, or a file that is no statement, is refused with the reason and nothing is stored', async t => {
  const rt = await testRuntime(t)
  const post = (body: string) => rt.app!.inject({ method: 'POST', url: '/v1/bank-statements?filename=bad.sta', headers: { ...auth('finance'), 'content-type': 'text/plain' }, payload: body })
  const off = await post(MT940.replace(':62F:C261124HKD14661,60', ':62F:C261124HKD14661,70'))
  t.equal(off.statusCode, 422)
  t.match(off.json(), { status: 'refused', error: 'INVALID_ROWS', issues: [{ message: /opening 10000\.00 \+ movements 4661\.60 = 14661\.60, but the closing balance says 14661\.70/ }] })
  const csv = await post('Date,Amount\n2026-11-24,100.00\n')
  t.equal(csv.statusCode, 422)
  t.match(csv.json(), { error: 'UNKNOWN_LAYOUT', message: /MT940/ })
  const { rows } = await rt.db.query<{ entries: number, statements: number, refused: number }>(
    `SELECT (SELECT count(*) FROM bank_entries)::int AS entries, (SELECT count(*) FROM bank_statements)::int AS statements, (SELECT count(*) FROM imports WHERE status = 'refused' AND provider = 'bank')::int AS refused`)
  t.same(rows, [{ entries: 0, statements: 0, refused: 2 }], 'both refusals recorded, nothing else')
  const empty = await rt.app!.inject({ method: 'POST', url: '/v1/bank-statements', headers: { ...auth('finance'), 'content-type': 'text/plain' } })
  t.match({ code: empty.statusCode, ...empty.json() }, { code: 422, error: 'INPUT_EMPTY' }, 'an empty upload, as for a settlement file')
})

t.test('a camt.053 statement imports through the API as XML: the booked entries, the pending one left for the next statement', async t => {
  const rt = await testRuntime(t)
  const xml = readFileSync(join(FIXTURES, 'bank/hsbc_camt053_20261124.xml'), 'utf8')
  const res = await rt.app!.inject({ method: 'POST', url: '/v1/bank-statements?filename=hsbc_camt053_20261124.xml', headers: { ...auth('finance'), 'content-type': 'application/xml' }, payload: xml })
  t.equal(res.statusCode, 201, res.body)
  t.match(res.json(), { status: 'imported', format: 'camt.053', statements: 1, entries: 4, duplicates: 0, accounts: ['004-123456-001'] })
  const { rows } = await rt.db.query<{ total: number }>('SELECT sum(amount)::int AS total FROM bank_entries')
  t.same(rows, [{ total: 466160 }], 'by hand: 223.39 + 4,563.21 − 25.00 − 100.00 = 4,661.60')
  const bomb = await rt.app!.inject({ method: 'POST', url: '/v1/bank-statements?filename=x.xml', headers: { ...auth('finance'), 'content-type': 'application/xml' }, payload: '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aa">]><Document><BkToCstmrStmt/></Document>' })
  t.match({ code: bomb.statusCode, ...bomb.json() }, { code: 422, error: 'INVALID_ROWS', issues: [{ message: /DOCTYPE is refused/ }] })
})

t.test('business-banking exports: an HSBC CSV names its account; a Hang Seng one without it needs ?account=; an Excel download reads like its CSV', async t => {
  const rt = await testRuntime(t)
  const post = (body: string | Buffer, query: string, type = 'text/csv') => rt.app!.inject({ method: 'POST', url: `/v1/bank-statements?${query}`, headers: { ...auth('finance'), 'content-type': type }, payload: body })
  const hsbc = await post(readFileSync(join(FIXTURES, 'bank/hsbc_hk_business_20261124.csv'), 'utf8'), 'filename=hsbc.csv')
  t.match({ code: hsbc.statusCode, ...hsbc.json() }, { code: 201, format: 'hsbc-hk-business-v1', entries: 4, accounts: ['004-123456-001'] })
  const bare = readFileSync(join(FIXTURES, 'bank/hang_seng_business_20261124.csv'), 'utf8').replace('Account Number: 282-123456-883\n', '')
  const refused = await post(bare, 'filename=hs.csv')
  t.match({ code: refused.statusCode, ...refused.json() }, { code: 422, issues: [{ message: /does not name its account/ }] })
  t.match((await post(bare, 'filename=hs.csv&account=282-123456-883')).json(), { status: 'imported', format: 'hang-seng-business-v1', entries: 3, accounts: ['282-123456-883'] })
  const sheet = await writeXlsxFile([
    ['Account Number', 'Transaction Date', 'Value Date', 'Description', 'Payer/Payee', 'Debit Amount', 'Credit Amount', 'Balance', 'Reference No.'].map(value => ({ value })),
    [{ value: '012-875-1-234567-8' }, { value: new Date(Date.UTC(2026, 10, 23)), format: 'yyyy-mm-dd' }, { value: new Date(Date.UTC(2026, 10, 23)), format: 'yyyy-mm-dd' }, { value: 'INWARD FPS' }, { value: 'KPAY LTD' }, { value: '' }, { value: 1234.5 }, { value: 21234.5 }, { value: 'FT26327ABC01' }]
  ]).toBuffer()
  const xlsx = await post(sheet, 'filename=bocnet.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  t.match({ code: xlsx.statusCode, ...xlsx.json() }, { code: 201, format: 'bochk-bocnet-v1', entries: 1, accounts: ['012-875-1-234567-8'] })
  const { rows } = await rt.db.query<{ value_date: string, amount: number }>(`SELECT value_date::text, amount::int FROM bank_entries WHERE account = '012-875-1-234567-8'`)
  t.same(rows, [{ value_date: '2026-11-23', amount: 123450 }])
})
