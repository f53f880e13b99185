import t from 'tap'
import { join } from 'node:path'
import { FIXTURES, money, readBack, withLine } from '../../fixtures/support/settlement.ts'

const REPORT = join(FIXTURES, 'stripe/payout_reconciliation_itemized_po_1QHK0000000001.csv')

t.test('a Stripe itemized payout reconciliation report: charges, a refund and a dispute, signed as Stripe writes them', async t => {
  const { result, records } = await readBack(REPORT)
  t.match(result, { provider: 'stripe', layout: 'payout-reconciliation-itemized', records: 4, issueCount: 0 })
  t.same(records.map(money), [
    ['payment', 'TST1-T1-000501-1', 8800, 534, 8266],
    ['payment', 'TST1-T1-000502-1', 4550, 390, 4160],
    ['refund', 'TST1-T1-000510-R1', -2000, 0, -2000],
    ['chargeback', null, -3000, 12000, -15000]
  ])
  t.match(records[0], { providerTxnId: 'pi_3QHK0000000001', batchId: 'po_1QHK0000000001', settlementDate: '2026-11-22', currency: 'HKD' })
  t.equal(records[0].paidAt?.toISOString(), '2026-11-20T04:15:03.000Z', 'created_utc is UTC')
  t.match(records[2], { originalRef: 'TST1-T1-000502-1', originalProviderTxnId: 'pi_3QHK0000000002', providerTxnId: 're_3QHK0000000003' })
  t.match(records[3], { originalRef: 'TST1-T1-000480-1', originalProviderTxnId: 'pi_3QHK0000000480', providerTxnId: 'dp_1QHK0000000004' })
})

t.test('a row whose gross − fee is not its net, or an unknown category, refuses the report', async t => {
  const variant = (i: number, from: string, to: string) => withLine(t, REPORT, i + 1, l => l.replace(from, to))
  t.match((await readBack(variant(1, ',82.66,', ',82.76,'))).result.issues, [{ line: 2, message: /gross 88\.00 − fee 5\.34 ≠ net 82\.76/ }])
  t.match((await readBack(variant(1, ',charge,', ',topup,'))).result.issues, [{ line: 2, column: 'reporting_category', message: /unknown reporting_category "topup"/ }])
})
