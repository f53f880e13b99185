// A transaction the provider listed twice: the exception's page shows both listings side by side,
// each with the file and line it came from, so finance can show the provider what to refund; times
// are labelled HKT.
import t from 'tap'
import { auth, SECRETS, testRuntime } from '../../fixtures/support/runtime.ts'
import { drainInbox } from '../../fixtures/support/day-db.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import { tenderSale } from '../../fixtures/support/sales.ts'
import { signInAs } from '../../fixtures/support/web.ts'
import { reconcileDay } from '../recon/run.ts'
import { exceptionKey } from '../../reconciler/reconcile.ts'

const text = (html: string): string => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, '\'').replace(/\s+/g, ' ')
const HEADER = 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Settlement_time,Issue,Product,Type,Status,Remarks,Original_partner_transaction_ID'
const ROW = 'MK01-T1-000124-1,2026112022001400000000000001,128.50,1.29,127.21,HKD,11/20/2026 12:15,11/21/2026 9:40,,CASHIER_PAY,PAYMENT,SETTLED,,'

t.test('a duplicate listing shows both records, each with its file and line', async t => {
  const rt = await testRuntime(t)
  const body = tenderSale('2026-11-20', 'MK01-T1-000124', 'MK01', '12:15:00', '128.50', 'alipayhk', 'MK01-T1-000124-1')
  await rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], JSON.parse(body).id, body), payload: body })
  await drainInbox(rt)
  const file = '2088000000000001_settle_20261121_B0009.csv'
  const up = await rt.app!.inject({ method: 'POST', url: `/v1/settlements?filename=${file}`, headers: { ...auth('finance'), 'content-type': 'text/csv' }, payload: [HEADER, ROW, ROW].join('\r\n') })
  t.equal(up.statusCode, 201, up.body)
  const { report } = await reconcileDay(rt, { date: '2026-11-20', trigger: 'manual', asOf: '2026-11-27' })
  const dup = report.exceptions.find(e => e.code === 'DUPLICATE_PAYMENT')!
  t.ok(dup.duplicate_of, 'the exception names the first listing')
  const s = await signInAs(rt.app!, rt.db, 'finance')
  const page = text((await rt.app!.inject({ method: 'GET', url: `/days/2026-11-20/exceptions/${encodeURIComponent(exceptionKey(dup))}`, headers: { cookie: `${s.cookie}; lang=en` } })).body)
  t.match(page, new RegExp(`The transaction, listed twice First listing .* HK\\$128\\.50 .* 2026-11-20 12:15 HKT .* ${file}, line 2 Listed again .* HK\\$128\\.50 .* ${file}, line 3`))
})
