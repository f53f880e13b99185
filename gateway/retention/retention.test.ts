import t from 'tap'
import { importBankStatement } from '../bank/import-statement.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { drainInbox, ingestSettlements } from '../../fixtures/support/day-db.ts'
import { FIXTURES } from '../../fixtures/support/settlement.ts'
import { standardHeaders } from '../../fixtures/support/sign.ts'
import { SECRETS, testRuntime } from '../../fixtures/support/runtime.ts'
import { CARD_CONTEXT, INBOX_BODY_CONTEXT, NARRATIVE_CONTEXT, PiiCipher } from '../crypto.ts'
import { importPosNdjson } from '../ingest/pos-ndjson.ts'
import { rotateKeys, valuesUnderOldKeys } from './keys.ts'
import { purgePersonalData } from './purge.ts'

const POS = join(FIXTURES, 'pos-canonical/events-2026-11-20.ndjson')
const OCTOPUS = join(FIXTURES, 'octopus/octopus_settlement_20261121.csv')
const ALIPAY = join(FIXTURES, 'alipayhk/2088000000000001_settle_20261121_B0001.csv')

/** Every business table's row count, and the money and quantities in them: what must never change. */
async function businessRecords (db: { query: (q: string) => Promise<{ rows: any[] }> }) {
  const { rows } = await db.query(`SELECT
    (SELECT count(*) FROM sales)::int AS sales, (SELECT coalesce(sum(tenders_total), 0) FROM sales)::bigint AS tendered,
    (SELECT count(*) FROM sale_lines)::int AS lines, (SELECT count(*) FROM sale_tenders)::int AS tenders,
    (SELECT count(*) FROM stock_movements)::int AS movements, (SELECT count(*) FROM ledger_movements)::int AS ledger,
    (SELECT count(*) FROM payments)::int AS payments, (SELECT sum(gross)::bigint FROM payments) AS gross, (SELECT sum(fee)::bigint FROM payments) AS fees,
    (SELECT string_agg(coalesce(provider_txn_id, '') || '/' || coalesce(merchant_ref, ''), ',' ORDER BY id) FROM payments) AS refs,
    (SELECT count(*) FROM settlement_batches)::int AS batches, (SELECT count(*) FROM imports)::int AS imports,
    (SELECT count(*) FROM inbox_events)::int AS inbox, (SELECT count(*) FROM audit_log)::int AS audit`)
  return rows[0]
}

t.test('P6: personal data past its period is erased; pending work, recent data and every business record stay; a re-run erases nothing more', async t => {
  const rt = await testRuntime(t)
  await importPosNdjson(rt, POS)
  await drainInbox(rt)
  // a second Octopus file, received today: the next day's batch of the same shape
  const recent = join(t.testdir({ 'octopus_settlement_20261122.csv': readFileSync(OCTOPUS, 'utf8').replaceAll('MPS.FF30.20261120230000', 'MPS.FF30.20261121230000').replaceAll('2026-11-21,', '2026-11-22,') }), 'octopus_settlement_20261122.csv')
  const [oldFile, newFile] = await ingestSettlements(rt, [OCTOPUS, recent, ALIPAY])
  // time travel: half the deliveries and the Octopus file were received 91 days ago; one delivery never got worked
  await rt.db.query(`UPDATE inbox_events SET received_at = now() - interval '91 days' WHERE id IN (SELECT id FROM inbox_events ORDER BY id LIMIT 7)`)
  await rt.db.query(`UPDATE imports SET started_at = now() - interval '91 days' WHERE id = $1`, [oldFile])
  await rt.db.query(`INSERT INTO inbox_events (connector, event_id, body_sha256, body_enc, key_id, received_at) VALUES ('pos-canonical', 'evt_stuck', '\\x00', '\\x01', 'test1', now() - interval '200 days')`)
  await rt.db.query(`INSERT INTO login_attempts (username, ip, ok, at) VALUES ('a', '203.0.113.9', false, now() - interval '3 days'), ('b', '203.0.113.10', true, now())`)
  const before = await businessRecords(rt.db)
  const cards = async (file: number) => (await rt.db.query(`SELECT id, card_enc FROM payments WHERE import_id = $1 AND card_enc IS NOT NULL ORDER BY id`, [file])).rows
  const cardsBefore = (await cards(oldFile)).length
  const recentCards = await cards(newFile)
  t.ok(cardsBefore > 0 && recentCards.length > 0, 'the Octopus files carry card numbers')

  const purged = await purgePersonalData(rt.db, { personalDataDays: 90 })
  t.match(purged, { inboxBodies: 7, paymentCards: cardsBefore, imports: 1, loginAttempts: 1 })
  const inbox = (await rt.db.query(`SELECT event_id, body_enc IS NULL AS gone, purged_at IS NOT NULL AS marked, status, length(body_sha256) AS sha FROM inbox_events ORDER BY id`)).rows
  t.same(inbox.filter(r => r.gone).length, 7)
  t.ok(inbox.filter(r => r.gone).every(r => r.marked && r.sha === 32), 'a purged delivery keeps its id and body hash')
  t.match(inbox.find(r => r.event_id === 'evt_stuck'), { gone: false, status: 'pending' }, 'a delivery not yet worked keeps its body, whatever its age')
  t.equal((await cards(oldFile)).length, 0)
  t.same(await cards(newFile), recentCards, 'the recent file is untouched')
  t.same((await rt.db.query(`SELECT username FROM login_attempts`)).rows, [{ username: 'b' }])
  t.same(await businessRecords(rt.db), before, 'sales, tenders, movements, ledger, payments (amounts and references), batches, imports, audit: all kept')
  t.same((await rt.db.query('SELECT purged FROM retention_runs')).rows[0].purged, purged, 'the run is recorded')

  t.match(await purgePersonalData(rt.db, { personalDataDays: 90 }), { inboxBodies: 0, paymentCards: 0, imports: 0, loginAttempts: 0 }, 'idempotent')
})

t.test('a purged delivery sent again is still recognised: the same body is a duplicate, another body a conflict', async t => {
  const rt = await testRuntime(t)
  const body = JSON.stringify({ id: 'evt_P1', type: 'sale.completed', occurred_at: '2026-11-20T12:01:09+08:00', data: { sale_id: 'MK01-P1', store_id: 'MK01', terminal_id: 'T1', receipt_no: '1', refund_of: null, lines: [{ sku: 'A', qty: 1, unit_price: '5.00', discount: '0.00' }], tenders: [{ method: 'cash', amount: '5.00', reference: null, provider_txn_id: null }] } })
  const post = (b: string) => rt.app!.inject({ method: 'POST', url: '/v1/webhooks/pos-canonical', headers: standardHeaders(SECRETS['pos-canonical'], 'evt_P1', b), payload: b })
  t.equal((await post(body)).statusCode, 202)
  await drainInbox(rt)
  await rt.db.query(`UPDATE inbox_events SET received_at = now() - interval '100 days'`)
  t.match(await purgePersonalData(rt.db, { personalDataDays: 90 }), { inboxBodies: 1 })
  const again = await post(body)
  t.equal(again.statusCode, 200)
  t.equal(again.json().status, 'duplicate')
  t.equal((await post(body.replace('5.00', '6.00').replace('5.00', '6.00'))).statusCode, 409)
})

t.test('P5: recon keys rotate re-encrypts every webhook body, card number and bank entry text under the active key; the old key can then go', async t => {
  const OLD = { id: 'old', key: Buffer.alloc(32, 1) }
  const NEW = { id: 'new', key: Buffer.alloc(32, 2) }
  const rt = await testRuntime(t, { config: { piiKeys: [OLD] } })
  await importPosNdjson(rt, POS)
  await ingestSettlements(rt, [OCTOPUS])
  await importBankStatement(rt, { path: join(FIXTURES, 'bank/hsbc_mt940_20261124.sta'), filename: 'hsbc.sta', source: 'cli' })
  const plainTexts = (await rt.db.query<{ narrative_enc: Buffer }>('SELECT narrative_enc FROM bank_entries ORDER BY id')).rows.map(r => rt.cipher.decryptText(r.narrative_enc, NARRATIVE_CONTEXT))
  const plainBodies = (await rt.db.query<{ body_enc: Buffer }>('SELECT id, body_enc FROM inbox_events ORDER BY id')).rows.map(r => rt.cipher.decryptText(r.body_enc, INBOX_BODY_CONTEXT))
  const plainCards = (await rt.db.query<{ card_enc: Buffer }>('SELECT id, card_enc FROM payments WHERE card_enc IS NOT NULL ORDER BY id')).rows.map(r => rt.cipher.decryptText(r.card_enc, CARD_CONTEXT))
  t.ok(plainCards.length > 0 && plainBodies.length > 0)

  const both = new PiiCipher([NEW, OLD])
  t.same((await valuesUnderOldKeys(rt.db, both)).map(r => r.left), [plainBodies.length, plainCards.length, 4])
  const rotated = await rotateKeys(rt.db, both)
  t.same(rotated.map(r => [r.rotated, r.left]), [[plainBodies.length, 0], [plainCards.length, 0], [4, 0]])
  const onlyNew = new PiiCipher([NEW])
  t.same((await rt.db.query<{ body_enc: Buffer, key_id: string }>('SELECT body_enc, key_id FROM inbox_events ORDER BY id')).rows.map(r => [r.key_id, onlyNew.decryptText(r.body_enc, INBOX_BODY_CONTEXT)]), plainBodies.map(b => ['new', b]))
  t.same((await rt.db.query<{ card_enc: Buffer, card_key_id: string }>('SELECT card_enc, card_key_id FROM payments WHERE card_enc IS NOT NULL ORDER BY id')).rows.map(r => [r.card_key_id, onlyNew.decryptText(r.card_enc, CARD_CONTEXT)]), plainCards.map(c => ['new', c]))
  t.same((await rt.db.query<{ narrative_enc: Buffer, key_id: string }>('SELECT narrative_enc, key_id FROM bank_entries ORDER BY id')).rows.map(r => [r.key_id, onlyNew.decryptText(r.narrative_enc, NARRATIVE_CONTEXT)]), plainTexts.map(x => ['new', x]))
  t.same((await rotateKeys(rt.db, both)).map(r => r.rotated), [0, 0, 0], 'a second run has nothing to do')
})

t.test('P6: a bank statement\'s entry texts are erased after the period; its amounts, days and references stay', async t => {
  const rt = await testRuntime(t)
  const o = await importBankStatement(rt, { path: join(FIXTURES, 'bank/hsbc_mt940_20261124.sta'), filename: 'hsbc.sta', source: 'cli' })
  if (o.status !== 'imported') throw new Error(o.status)
  const kept = async () => (await rt.db.query('SELECT value_date::text, amount::int, customer_ref, bank_ref FROM bank_entries ORDER BY id')).rows
  const before = await kept()
  await rt.db.query(`UPDATE imports SET started_at = now() - interval '91 days' WHERE id = $1`, [o.importId])
  t.match(await purgePersonalData(rt.db, { personalDataDays: 90 }), { bankTexts: 4, imports: 1 })
  t.same((await rt.db.query('SELECT count(*)::int AS n FROM bank_entries WHERE narrative_enc IS NOT NULL')).rows, [{ n: 0 }])
  t.same(await kept(), before)
})
