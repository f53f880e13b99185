import t from 'tap'
import { formatHkd, formatMinor, lineAmount, MoneyFormatError, parseMinor } from './money.ts'

t.test('parses the amount forms providers write into exact cents', async t => {
  t.equal(parseMinor('88.00'), 8800)
  t.equal(parseMinor('852.40 '), 85240, 'trailing pad')
  t.equal(parseMinor('\t12.5'), 1250, 'leading tab, one decimal')
  t.equal(parseMinor('+0.00'), 0, 'leading plus')
  t.equal(parseMinor('-10.00'), -1000)
  t.equal(parseMinor('88.0'), 8800)
  t.equal(parseMinor('88'), 8800)
  t.equal(parseMinor('1,234.50'), 123450, 'thousands separators')
  t.equal(parseMinor('(10.00)'), -1000, 'accounting negative')
  t.equal(parseMinor('0.1'), 10)
  t.equal(parseMinor('88.000'), 8800, 'trailing zeros beyond cents')
  t.equal(parseMinor(44.1), 4410, 'JSON number through its decimal form')
  t.equal(parseMinor(0.29), 29, 'a float that is not exact in binary')
  t.equal(Object.is(parseMinor('-0.00'), -0), false, 'no negative zero')
})

t.test('refuses what is not an exact amount with a message naming it', async t => {
  for (const bad of ['', 'abc', '12.345', '1e3', '1.2.3', '--1', '12,34', 'HK$5']) {
    t.throws(() => parseMinor(bad), MoneyFormatError, `refuses "${bad}"`)
  }
  t.throws(() => parseMinor('12.345'), /fraction of a cent/)
  t.throws(() => parseMinor(Number.NaN), MoneyFormatError)
})

t.test('formats cents for files and for people', async t => {
  t.equal(formatMinor(12345), '123.45')
  t.equal(formatMinor(-5), '-0.05')
  t.equal(formatMinor(0), '0.00')
  t.equal(formatHkd(123450), 'HK$1,234.50')
  t.equal(formatHkd(-99), '-HK$0.99')
})

t.test('line amounts round half up to the cent', async t => {
  t.equal(lineAmount(4400, 2, 0), 8800)
  t.equal(lineAmount(1999, 0.335, 0), 670, '6.69665 → 6.70')
  t.equal(lineAmount(1000, 3, 150), 2850)
})
