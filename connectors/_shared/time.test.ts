import t from 'tap'
import { addDays, businessDate, isoInstant, compileDateFormat, compileTimeFormat, formatHkt, hktDate, parseProviderDate, parseProviderTime, TimeFormatError } from './time.ts'

t.test('naive provider times are Hong Kong time', async t => {
  t.equal(parseProviderTime('2026-11-20 12:01:09').toISOString(), '2026-11-20T04:01:09.000Z')
  t.equal(parseProviderTime('2026/11/20 00:00:00').toISOString(), '2026-11-19T16:00:00.000Z')
  t.equal(parseProviderTime('2026.11.20 08:00:00').toISOString(), '2026-11-20T00:00:00.000Z')
})

t.test('AlipayHK MM/DD/YYYY times without padding or seconds', async t => {
  t.equal(parseProviderTime('1/5/2024 9:15').toISOString(), '2024-01-05T01:15:00.000Z')
  t.equal(parseProviderTime('12/26/2018 0:55').toISOString(), '2018-12-25T16:55:00.000Z')
  t.equal(parseProviderTime('11/20/2026 23:59:59').toISOString(), '2026-11-20T15:59:59.000Z')
})

t.test('ISO-8601 with an offset keeps its offset', async t => {
  t.equal(parseProviderTime('2026-11-20T12:01:09+08:00').toISOString(), '2026-11-20T04:01:09.000Z')
  t.equal(parseProviderTime('2018-12-25T10:00:00+08:30').toISOString(), '2018-12-25T01:30:00.000Z')
  t.equal(parseProviderTime('2026-11-20T04:01:09Z').toISOString(), '2026-11-20T04:01:09.000Z')
  t.equal(parseProviderTime('2026-11-20T04:01:09.123Z').toISOString(), '2026-11-20T04:01:09.123Z')
})

t.test('impossible dates are refused, not rolled over', async t => {
  t.throws(() => parseProviderTime('2026-02-30 10:00:00'), TimeFormatError)
  t.throws(() => parseProviderTime('13/01/2026 10:00'), TimeFormatError)
  t.throws(() => parseProviderTime('yesterday'), TimeFormatError)
  t.throws(() => parseProviderDate('2026-11-31'), TimeFormatError)
})

t.test('ISO-8601 with an offset: every field is checked, none rolls over into the next day or hour', async t => {
  for (const bad of ['2026-11-31T12:01:09+08:00', '2026-02-29T10:00:00Z', '2026-11-20T12:99:00+08:00', '2026-11-20T24:00:00Z',
    '2026-11-20T12:00:60+08:00', '2026-13-01T10:00:00Z', '2026-00-10T10:00:00Z', '2026-11-00T10:00:00Z', '2026-11-20T10:00:00+08:75', '2026-11-20T10:00:00+15:00', '2026-11-20T10:00:00-13:00']) {
    t.throws(() => parseProviderTime(bad), TimeFormatError, bad)
  }
  t.equal(parseProviderTime('2028-02-29T23:59:59+08:00').toISOString(), '2028-02-29T15:59:59.000Z', 'a leap day is a day')
  t.equal(parseProviderTime('2026-11-20T10:00:00+14:00').toISOString(), '2026-11-19T20:00:00.000Z', 'Kiribati, the easternmost offset')
  t.equal(parseProviderTime('2026-11-20T10:00:00-1200').toISOString(), '2026-11-20T22:00:00.000Z', 'the westernmost, without a colon')
})

t.test('canonical ISO times read as the platform reads them; a fraction is cut to the millisecond', async t => {
  let n = 0
  for (const day of ['2026-01-01', '2026-11-20', '2028-02-29', '2026-12-31', '1999-07-04']) {
    for (const time of ['00:00:00', '12:01:09', '23:59:59', '07:30:05.1', '07:30:05.12', '07:30:05.123']) {
      for (const zone of ['Z', '+08:00', '-05:30', '+14:00', '-12:00', '-00:00']) {
        const s = `${day}T${time}${zone}`
        t.equal(parseProviderTime(s).getTime(), Date.parse(s), s)
        n++
      }
    }
  }
  t.equal(n, 180)
  t.equal(parseProviderTime('2026-11-20T04:01:09.1239Z').toISOString(), '2026-11-20T04:01:09.123Z', 'four digits: truncated')
  t.equal(parseProviderTime('2026-11-20T04:01:09.999999999+08:00').toISOString(), '2026-11-19T20:01:09.999Z', 'nine digits')
  t.throws(() => parseProviderTime('2026-11-20T04:01:09.1234567890Z'), TimeFormatError, 'ten digits are not a time')
  t.throws(() => parseProviderTime('2026-11-20T04:01:09.Z'), TimeFormatError, 'a point without digits')
  t.equal(parseProviderTime(' 2026-11-20T12:01:09+08:00 ').toISOString(), '2026-11-20T04:01:09.000Z', 'spaces around it')
})

t.test('business day around HKT midnight', async t => {
  t.equal(businessDate(new Date('2026-11-20T15:59:59Z')), '2026-11-20', '23:59:59 HKT')
  t.equal(businessDate(new Date('2026-11-20T16:00:00Z')), '2026-11-21', '00:00:00 HKT is the next day')
  t.equal(hktDate(new Date('2026-11-20T16:00:00Z')), '2026-11-21')
})

t.test('a store cut-off books the small hours to the day before', async t => {
  const twoAm = new Date('2026-11-20T18:00:00Z') // 02:00 HKT on the 21st
  t.equal(businessDate(twoAm, 0), '2026-11-21')
  t.equal(businessDate(twoAm, 240), '2026-11-20', 'a bar open until 04:00')
  t.equal(businessDate(new Date('2026-11-20T20:00:00Z'), 240), '2026-11-21', '04:00 HKT starts the new day')
})

t.test('profile formats compile to HKT parsers', async t => {
  const p = compileTimeFormat('dd/MM/yyyy H:mm')
  t.equal(p('21/11/2026 9:05').toISOString(), '2026-11-21T01:05:00.000Z')
  t.throws(() => p('2026/11/21 09:05'), /does not match the format/)
  t.equal(p('2026-11-21 09:05:30').toISOString(), '2026-11-21T01:05:30.000Z', 'an ISO wall time (an Excel date cell) is accepted beside the format: it cannot be misread')
  t.equal(compileDateFormat('yyyyMMdd')('20261121'), '2026-11-21')
  t.equal(compileDateFormat('auto')('11/21/2026'), '2026-11-21')
})

t.test('ISO instants are formatted exactly as Date#toISOString, minus zero milliseconds', async t => {
  for (const iso of ['2026-11-20T04:01:09.000Z', '1999-12-31T23:59:59.999Z', '2024-02-29T00:00:00.001Z', '1969-07-20T20:17:40.000Z']) {
    t.equal(isoInstant(new Date(iso)), iso.replace('.000Z', 'Z'), iso)
  }
})

t.test('formatting and date arithmetic', async t => {
  t.equal(formatHkt(new Date('2026-11-20T04:01:09Z')), '2026-11-20 12:01:09')
  t.equal(addDays('2026-12-31', 1), '2027-01-01')
  t.equal(addDays('2026-03-01', -1), '2026-02-28')
})
