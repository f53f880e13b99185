import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { parseCamt053 } from './camt053.ts'
import { parseMt940 } from './mt940.ts'

const XML = readFileSync(join(FIXTURES, 'bank/hsbc_camt053_20261124.xml'), 'utf8')

t.test('a camt.053 statement: booked entries signed by CdtDbtInd (a reversal too), pending ones left out, references and texts kept, balances checked', async t => {
  const { statements, issues } = parseCamt053(XML)
  t.same(issues, [])
  const s = statements[0]
  t.match(s, { account: '004-123456-001', statementId: 'STMT20261124001', currency: 'HKD', opening: { date: '2026-11-20', amount: 1000000 }, closing: { date: '2026-11-24', amount: 1466160 } })
  // by hand, as for the MT940 of the same day: 10,000.00 + 223.39 + 4,563.21 − 25.00 − 100.00 = 14,661.60;
  // the pending Octopus credit of 880.00 is not on the booked balance
  t.same(s.entries.map(e => [e.lineNo, e.valueDate, e.amount, e.type, e.customerRef, e.bankRef]), [
    [28, '2026-11-23', 22339, 'PMNT-RCDT-XBCT', null, 'WXHK1123001'],
    [43, '2026-11-23', 456321, 'NTRF', '2088000000000001', 'B0001'],
    [56, '2026-11-24', -2500, 'ACMT-MDOP-CHRG', null, null],
    [65, '2026-11-24', -10000, null, null, 'REV001']
  ])
  t.equal(s.entries[0].narrative, 'WECHAT PAY SETTLEMENT SETTLEMENT BATCH 100000001202611220001 WECHAT PAY HK LTD')
  t.equal(s.entries[1].narrative, 'ALIPAY HK SETTLEMENT B0001 20261123')
  const mt = parseMt940(readFileSync(join(FIXTURES, 'bank/hsbc_mt940_20261124.sta'), 'utf8')).statements[0]
  t.same(s.entries.map(e => e.amount), mt.entries.map(e => e.amount), 'the same day in both formats: the same signed entries')
})

t.test('a camt.053 that does not balance, holds a bad amount, has a DOCTYPE or is not well-formed is refused with the reason', async t => {
  t.match(parseCamt053(XML.replace('<Amt Ccy="HKD">14661.60</Amt>', '<Amt Ccy="HKD">14661.70</Amt>')).issues,
    [{ message: 'statement STMT20261124001 of 004-123456-001: opening 10000.00 + movements 4661.60 = 14661.60, but the closing balance says 14661.70' }])
  t.same(parseCamt053(XML.replace('<Amt Ccy="HKD">25.00</Amt>', '<Amt Ccy="HKD">25,00</Amt>')).issues.map(i => i.message), ['statement STMT20261124001, entry at line 56: Amt "25,00" is not an amount'], 'the bad entry, not also the balance it then misses')
  t.match(parseCamt053(XML.replace('<CdtDbtInd>DBIT</CdtDbtInd>', '<CdtDbtInd>OUT</CdtDbtInd>')).issues, [{ message: /CdtDbtInd "OUT" is neither CRDT nor DBIT/ }])
  t.match(parseCamt053('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Document/>').issues, [{ message: /DOCTYPE is refused/ }])
  t.match(parseCamt053(XML.replace('</Stmt>', '')).issues, [{ message: /not well-formed XML/ }])
  t.match(parseCamt053('<Document><Other/></Document>').issues, [{ message: /no BkToCstmrStmt/ }])
})
