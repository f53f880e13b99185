import t from 'tap'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { testRuntime } from '../../fixtures/support/runtime.ts'
import { importSettlementFile, type ImportRequest } from './import-file.ts'

const A = join(FIXTURES, 'alipayhk')
const O = join(FIXTURES, 'octopus')

async function counts (db: { query: (q: string) => Promise<{ rows: any[] }> }) {
  const { rows } = await db.query(`SELECT (SELECT count(*) FROM payments)::int AS payments, (SELECT count(*) FROM settlement_batches)::int AS batches,
    (SELECT count(*) FROM imports WHERE status = 'imported')::int AS imported, (SELECT count(*) FROM imports WHERE status = 'refused')::int AS refused`)
  return rows[0]
}

t.test('a settlement file lands whole, with signed cents, business days and the import record', async t => {
  const rt = await testRuntime(t)
  const req: ImportRequest = { path: join(O, 'octopus_settlement_20261121.csv'), filename: 'octopus_settlement_20261121.csv', source: 'cli' }
  const out = await importSettlementFile(rt, req)
  t.match(out, { status: 'imported', provider: 'octopus', layout: 'octopus-settlement-v1', records: 6, lines: 8 })
  const { rows } = await rt.db.query('SELECT type, gross, fee, net, business_date, store_id, device_id, card_enc IS NOT NULL AS has_card FROM payments ORDER BY line_no')
  t.same(rows.map(r => [r.type, r.gross, r.fee, r.net]), [['payment', 8800, 132, 8668], ['payment', 2000, 30, 1970], ['refund', -1000, 0, -1000], ['add_value', -10000, 0, -10000], ['payment', 5000, 75, 4925], ['payment', 3800, 57, 3743]])
  t.ok(rows.every(r => r.business_date === '2026-11-20' && r.store_id === 'MK01' && r.has_card))
  const imp = await rt.db.query('SELECT status, records, lines, by_type FROM imports')
  t.match(imp.rows[0], { status: 'imported', records: 6, lines: 8, by_type: { add_value: { count: 1, gross: -10000 } } })
})

t.test('the same file twice: "already imported", nothing new', async t => {
  const rt = await testRuntime(t)
  const req: ImportRequest = { path: join(A, '2088000000000001_settle_20261121_B0001.csv'), filename: '2088000000000001_settle_20261121_B0001.csv', source: 'cli' }
  const first = await importSettlementFile(rt, req)
  const second = await importSettlementFile(rt, { ...req, filename: 'renamed.csv' })
  t.equal(first.status, 'imported')
  t.same(second, { status: 'already_imported', importId: first.importId, sha256: first.sha256, filename: 'renamed.csv' })
  t.match(await counts(rt.db), { payments: 7, imported: 1 })
})

t.test('two concurrent imports of one file import it once', async t => {
  const rt = await testRuntime(t)
  const req: ImportRequest = { path: join(O, 'octopus_settlement_20261121.csv'), filename: 'o.csv', source: 'upload' }
  const outs = await Promise.all([importSettlementFile(rt, req), importSettlementFile(rt, req), importSettlementFile(rt, req)])
  t.same(outs.map(o => o.status).sort(), ['already_imported', 'already_imported', 'imported'])
  t.match(await counts(rt.db), { payments: 6, imported: 1 })
})

t.test('F4: a file with bad lines is refused whole, every line listed, nothing written', async t => {
  const rt = await testRuntime(t)
  const out = await importSettlementFile(rt, { path: join(A, 'bad/2088000000000001_settle_20261122_B0002.csv'), filename: 'bad.csv', source: 'upload' })
  t.match(out, { status: 'refused', code: 'INVALID_ROWS', issueCount: 3 })
  if (out.status !== 'refused') return
  t.same(out.issues.map(i => i.line), [3, 4, 5])
  t.match(await counts(rt.db), { payments: 0, batches: 0, imported: 0, refused: 1 })
  const { rows } = await rt.db.query('SELECT status, error_code, issue_count, issues FROM imports')
  t.match(rows[0], { status: 'refused', error_code: 'INVALID_ROWS', issue_count: 3, issues: [{ line: 3 }, { line: 4 }, { line: 5 }] })
})

t.test('a failed control total (Octopus TOTAL) refuses the file with nothing written', async t => {
  const rt = await testRuntime(t)
  const out = await importSettlementFile(rt, { path: join(O, 'bad/octopus_settlement_20261122_total_mismatch.csv'), filename: 'x.csv', source: 'cli' })
  t.match(out, { status: 'refused', code: 'INVALID_ROWS', issues: [{ line: 4, message: /TOTAL says 3 records/ }] })
  t.match(await counts(rt.db), { payments: 0 })
})

t.test('P1: a file carrying a full card number is refused; the number is stored nowhere and logged nowhere', async t => {
  const rt = await testRuntime(t)
  const dir = t.testdir({})
  const path = join(dir, 'pan_settle_20261121_B1.csv')
  const pan = '4111111111111111'
  await writeFile(path, 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Type,Remarks\n' +
    'R1,T1,10.00,0.10,9.90,HKD,11/20/2026 10:00,PAYMENT,ok\nR2,T2,10.00,0.10,9.90,HKD,11/20/2026 10:00,PAYMENT,card ' + pan + '\n')
  const out = await importSettlementFile(rt, { path, filename: 'pan.csv', source: 'upload' })
  t.match(out, { status: 'refused', code: 'CARD_NUMBER_FOUND', issues: [{ line: 3 }] })
  t.match(await counts(rt.db), { payments: 0 })
  const dump = await rt.db.query(`SELECT string_agg(t::text, ' ') AS all FROM (SELECT * FROM imports) t`)
  t.notMatch(dump.rows[0].all, pan, 'not in the import record')
  t.notMatch(JSON.stringify(out), pan, 'not in the answer')
})

t.test('layout B: per-batch rows are checked against the batch file, in either order; a disagreement is kept and reported', async t => {
  const rt = await testRuntime(t)
  const dir = t.testdir({})
  const batchFile = join(A, '2088000000000003_settlebatch_20261121.csv')
  const rowsFile = join(A, '2088000000000003_settle_20261121_5000000000001.csv')
  t.match(await importSettlementFile(rt, { path: batchFile, filename: '2088000000000003_settlebatch_20261121.csv', source: 'cli' }), { status: 'imported', batches: 1 })
  t.match(await importSettlementFile(rt, { path: rowsFile, filename: '2088000000000003_settle_20261121_5000000000001.csv', source: 'cli' }), { status: 'imported', records: 3 })
  // a second batch whose file claims more than its rows hold
  const wrongRows = join(dir, '2088000000000003_settle_20261122_5000000000002.csv')
  await writeFile(wrongRows, 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Settlement_time,Issue,Product,Type,Status,Remarks,original_partner_transaction_ID\n' +
    'WEB-000601,2026112122001500000000000001,100.00,1.00,99.00,HKD,2026-11-21 10:00:00,2026-11-22 09:40:00,ALIPAYHK,Cross_wap,P,L,,\n')
  const wrongBatch = join(dir, '2088000000000003_settlebatch_20261122.csv')
  await writeFile(wrongBatch, 'Settle_batch_no,Settle_date,Amount,Fee,Settlement,Currency\n5000000000002 ,2026-11-22 09:40:00,150.00 ,1.50 ,148.50 ,HKD\n')
  t.match(await importSettlementFile(rt, { path: wrongRows, filename: '2088000000000003_settle_20261122_5000000000002.csv', source: 'cli' }), { status: 'imported' }, 'rows first: nothing to compare with yet')
  const flagged = await importSettlementFile(rt, { path: wrongBatch, filename: '2088000000000003_settlebatch_20261122.csv', source: 'cli' })
  t.match(flagged, { status: 'imported', warnings: [{ line: 2, message: /batch 5000000000002 states gross 150.00.*rows add up to gross 100.00/ }] })
  t.match(await counts(rt.db), { batches: 2, payments: 4 })
  const { rows } = await rt.db.query(`SELECT controls FROM imports WHERE id = $1`, [flagged.importId])
  t.match(rows[0].controls, { batchMismatches: [{ line: 2 }] }, 'kept on the import for the reconciliation to raise')
  // and the other order: batch file first, then rows that disagree
  const rowsLater = join(dir, '2088000000000003_settle_20261123_5000000000003.csv')
  await writeFile(join(dir, 'b3.csv'), 'Settle_batch_no,Settle_date,Amount,Fee,Settlement,Currency\n5000000000003,2026-11-23 09:40:00,10.00,0.10,9.90,HKD\n')
  await importSettlementFile(rt, { path: join(dir, 'b3.csv'), filename: '2088000000000003_settlebatch_20261123.csv', source: 'cli' })
  await writeFile(rowsLater, 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Type\nW-1,T-1,20.00,0.20,19.80,HKD,2026-11-22 10:00:00,P\n')
  t.match(await importSettlementFile(rt, { path: rowsLater, filename: '2088000000000003_settle_20261123_5000000000003.csv', source: 'cli' }), { status: 'imported', warnings: [{ message: /rows add up to gross 20.00.*but the batch file .* states gross 10.00/ }] })
})

t.test('masked card numbers are encrypted at rest and read back through the API cipher only', async t => {
  const rt = await testRuntime(t)
  await importSettlementFile(rt, { path: join(O, 'octopus_settlement_20261121.csv'), filename: 'o.csv', source: 'cli' })
  const { rows } = await rt.db.query<{ card_enc: Buffer, card_key_id: string }>(`SELECT card_enc, card_key_id FROM payments WHERE line_no = 2`)
  t.equal(rows[0].card_key_id, 'test1')
  t.notMatch(rows[0].card_enc.toString('latin1'), '4821', 'no plaintext in the column')
  t.equal(rt.cipher.decryptText(rows[0].card_enc, 'payments.card'), '****4821')
})

t.test('an unknown file is refused and recorded with its reason', async t => {
  const rt = await testRuntime(t)
  const dir = t.testdir({ 'x.csv': 'a,b,c\n1,2,3\n' })
  const out = await importSettlementFile(rt, { path: join(dir, 'x.csv'), filename: 'x.csv', source: 'upload' })
  t.match(out, { status: 'refused', code: 'UNKNOWN_LAYOUT', message: /not a recognised/ })
  t.match(await counts(rt.db), { refused: 1, payments: 0 })
})

t.test('a file of many COPY chunks lands whole: every row once, the amounts summing as written', async t => {
  const rt = await testRuntime(t)
  // 3,000 rows of k.00 HKD for k = 1…3,000: about a dozen of the import's 64 KB COPY texts
  let csv = 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Settlement_time,Issue,Product,Type,Status,Remarks,Original_partner_transaction_ID\n'
  for (let k = 1; k <= 3000; k++) {
    csv += `MK01-T1-${String(k).padStart(6, '0')}-1,2026112022001${String(k).padStart(15, '0')},${k}.00,0.00,${k}.00,HKD,11/20/2026 12:${String(k % 60).padStart(2, '0')},11/23/2026 9:40,,CASHIER_PAY,PAYMENT,SETTLED,,\n`
  }
  const name = '2088000000000001_settle_20261123_B0009.csv'
  const dir = t.testdir({ [name]: csv })
  t.match(await importSettlementFile(rt, { path: join(dir, name), filename: name, source: 'cli' }), { status: 'imported', records: 3000 })
  const { rows: [sum] } = await rt.db.query<{ n: number, lines: number, gross: number, first: string, last: string }>(
    `SELECT count(*)::int AS n, count(DISTINCT line_no)::int AS lines, sum(gross)::bigint AS gross, min(merchant_ref) AS first, max(merchant_ref) AS last FROM payments`)
  // 100 cents × (1 + 2 + … + 3,000) = 100 × 3,000 × 3,001 / 2
  t.same(sum, { n: 3000, lines: 3000, gross: 450_150_000, first: 'MK01-T1-000001-1', last: 'MK01-T1-003000-1' })
})
