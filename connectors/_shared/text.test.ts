import t from 'tap'
import iconv from 'iconv-lite'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { decodeAll, decodesCleanly, encodingFromBom } from './text.ts'
import { probeFile } from './settlement-reader.ts'
import { readBack } from '../../fixtures/support/settlement.ts'

const HKSCS = '啱嘅𨋢 旺角 八達通'

t.test('F6: Big5-HKSCS decodes HKSCS characters to their real code points', async t => {
  const bytes = iconv.encode(HKSCS, 'big5hkscs')
  t.equal(decodeAll(bytes, 'big5hkscs'), HKSCS)
  t.notOk(decodesCleanly(bytes, 'utf-8'), 'not mistaken for UTF-8')
})

t.test('F6: a decode that yields replacement or private-use characters is refused', async t => {
  t.notOk(decodesCleanly(Buffer.from([0x41, 0xff, 0x41]), 'big5hkscs'), 'an invalid byte')
  t.notOk(decodesCleanly(Buffer.from([0xc3, 0x28]), 'utf-8'), 'broken UTF-8')
  t.ok(decodesCleanly(iconv.encode('中文備註', 'gbk'), 'gbk'))
})

t.test('F6: a mislabelled file (UTF-8 bytes that are not UTF-8) is never stored as garbage', async t => {
  const head = 'Partner_transaction_id,Transaction_id,Amount,Fee,Settlement,Currency,Payment_time,Type,Remarks\n'
  const dir = t.testdir({})
  // Latin-1 bytes are neither UTF-8 nor clean GBK/Big5 text here: 0xFF is invalid in all of them
  const path = join(dir, 'x_settle_20261121_B1.csv')
  await writeFile(path, Buffer.concat([Buffer.from(head + 'R1,T1,10.00,0.10,9.90,HKD,11/20/2026 10:00,PAYMENT,'), Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from('\n')]))
  await t.rejects(readBack(path), { code: 'BAD_ENCODING', message: /neither UTF-8 nor/ })
  const big5 = join(dir, 'o.csv')
  await writeFile(big5, iconv.encode('Settlement Date,Batch No,Device ID,Location ID,Transaction Date Time,Octopus No,Transaction Type,Transaction Amount,Service Fee,Net Amount,Reference No,Remarks\n' +
    '2026-11-21,B1,D1,MK01,2026-11-20 12:00:00,****1111,Payment,10.00,0.15,9.85,R1,' + HKSCS + '\nTOTAL,1,,,,,,10.00,0.15,9.85,,\n', 'big5hkscs'))
  const { result, records } = await readBack(big5)
  t.equal(result.encoding, 'big5hkscs')
  t.equal(records[0].remarks, HKSCS)
})

t.test('BOMs name their encoding and the probe reports it', async t => {
  t.equal(encodingFromBom(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), 'utf-8')
  t.equal(encodingFromBom(Buffer.from([0xff, 0xfe, 0x41, 0x00])), 'utf-16le')
  t.equal(encodingFromBom(Buffer.from([0xfe, 0xff])), 'utf-16be')
  t.equal(encodingFromBom(Buffer.from('abc')), null)
  const dir = t.testdir({ 'a.csv': 'x,y\n' })
  const p = await probeFile(join(dir, 'a.csv'), 100)
  t.same(p, { sha256: createHash('sha256').update('x,y\n').digest('hex'), bytes: 4, encoding: 'utf-8' })
})
