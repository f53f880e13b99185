import t from 'tap'
import type { ReconException, ReconReport } from '../../../reconciler/types.ts'
import { codeTotal } from './day.ts'

t.test('a store\'s total per exception type is the signed sum of its rows, never of their absolute values', async t => {
  const e = (code: ReconException['code'], store: string | null, expected: number | null, actual: number | null): ReconException =>
    ({ code, store_id: store, sale_id: null, tender: null, provider: 'alipayhk', expected, actual, detail: '' })
  const report = {
    exceptions: [
      e('UNEXPECTED_PAYMENT', null, null, 100540), e('UNEXPECTED_PAYMENT', null, null, -6000),
      e('RETURN_WITHOUT_REFUND', 'MK01', -1000, null), e('RETURN_WITHOUT_REFUND', 'MK01', -2000, null)
    ]
  } as unknown as ReconReport
  // by hand: 1,005.40 − 60.00 = 945.40 (a reversal takes money away); −10.00 − 20.00 = −30.00
  t.equal(codeTotal(report, 'UNASSIGNED', 'UNEXPECTED_PAYMENT'), 94540)
  t.equal(codeTotal(report, 'MK01', 'RETURN_WITHOUT_REFUND'), -3000)
})
