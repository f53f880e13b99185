import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { parseBankProfile, readBankCsv } from './csv-profile.ts'
import { BANK_PROFILES } from './profiles.ts'

const file = (name: string): string => readFileSync(join(FIXTURES, 'bank', name), 'utf8')

t.test('HSBC HK business export, newest first: the account from the preamble, credits and debits signed, the running balance checked and put in date order', async t => {
  const { profile, statements, issues } = readBankCsv(file('hsbc_hk_business_20261124.csv'), BANK_PROFILES, null)
  t.same(issues, [])
  t.equal(profile?.id, 'hsbc-hk-business-v1')
  // by hand: the oldest row's balance 10,223.39 less its 223.39 is the opening 10,000.00
  t.match(statements, [{ account: '004-123456-001', currency: 'HKD', opening: { date: '2026-11-23', amount: 1000000 }, closing: { date: '2026-11-24', amount: 1466160 } }])
  t.same(statements[0].entries.map(e => [e.lineNo, e.valueDate, e.amount, e.narrative]), [
    [9, '2026-11-23', 22339, 'WECHAT PAY HK LTD BATCH 100000001202611220001'],
    [8, '2026-11-23', 456321, 'ALIPAY HK SETTLEMENT B0001 20261123'],
    [7, '2026-11-24', -2500, 'SERVICE CHARGE'],
    [6, '2026-11-24', -10000, 'REVERSAL OF CREDIT 20261121']
  ])
})

t.test('Hang Seng (oldest first, value and transaction dates) and BOCHK (account and reference columns, Excel-style dates)', async t => {
  const hs = readBankCsv(file('hang_seng_business_20261124.csv'), BANK_PROFILES, null)
  t.same(hs.issues, [])
  t.match(hs.statements, [{ account: '282-123456-883', opening: { amount: 500000 }, closing: { amount: 500850 } }])
  t.same(hs.statements[0].entries.map(e => [e.valueDate, e.bookingDate, e.amount]), [['2026-11-23', '2026-11-23', 88000], ['2026-11-24', '2026-11-24', 12850], ['2026-11-24', '2026-11-24', -100000]])
  const boc = readBankCsv(file('bochk_bocnet_20261124.csv'), BANK_PROFILES, null)
  t.same(boc.issues, [])
  t.match(boc.statements, [{ account: '012-875-1-234567-8', opening: { amount: 2000000 }, closing: { amount: 2121950 } }])
  t.same(boc.statements[0].entries.map(e => [e.amount, e.bankRef, e.narrative]), [[123450, 'FT26327ABC01', 'INWARD FPS KPAY LTD'], [-1500, 'FT26328XYZ02', 'SERVICE FEE']])
})

t.test('a running balance that does not follow, an unknown layout, a bad amount or no account is refused with the line', async t => {
  const off = readBankCsv(file('hang_seng_business_20261124.csv').replace('6008.50', '6008.60'), BANK_PROFILES, null)
  t.match(off.issues, [{ line: 4, message: 'the balance 6008.60 is not the previous 5880.00 plus 128.50' }])
  t.match(readBankCsv('Posting date,Amount\n2026-11-24,1.00\n', BANK_PROFILES, null).issues, [{ message: /no header of a known bank export/ }])
  t.match(readBankCsv(file('bochk_bocnet_20261124.csv').replace('1234.50', '12x4.50'), BANK_PROFILES, null).issues, [{ line: 2 }])
  const noAccount = file('hang_seng_business_20261124.csv').replace('Account Number: 282-123456-883\n', '')
  t.match(readBankCsv(noAccount, BANK_PROFILES, null).issues, [{ message: /does not name its account: give it/ }])
  t.equal(readBankCsv(noAccount, BANK_PROFILES, '282-123456-883').statements[0].account, '282-123456-883', 'or the account is given')
})

t.test('a shop\'s own profile is checked: unknown keys and missing parts are named', async t => {
  t.throws(() => parseBankProfile({ id: 'mine', headerMatch: ['A'], columns: { valueDate: 'A', narrative: [], amount: 'B', credit: 'C', colour: 'x' }, dateFormat: 'dd/MM/yyyy', currency: 'hkd', extra: 1 }),
    /unknown key "extra"; unknown column key "colour"; give either "columns.amount" \(signed\) or both "columns.credit" and "columns.debit"; "currency" is the account's ISO code/)
})
