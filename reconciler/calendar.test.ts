import t from 'tap'
import { addBusinessDays, calendarEndWarning, HK_HOLIDAYS_DEFAULT, isBusinessDay } from './calendar.ts'

const holidays = new Set(HK_HOLIDAYS_DEFAULT)

// Hand-listed from the Holidays Ordinance's schedule for 2027 (see calendar.ts for how each date was
// found), written out here independently of the list in calendar.ts.
const GENERAL_HOLIDAYS_2027 = {
  'The first day of January': '2027-01-01',
  "Lunar New Year's Day": '2027-02-06',
  'The third day of Lunar New Year': '2027-02-08',
  'The fourth day of Lunar New Year (the second day is a Sunday)': '2027-02-09',
  'Good Friday': '2027-03-26',
  'The day following Good Friday': '2027-03-27',
  'Easter Monday': '2027-03-29',
  'Ching Ming Festival': '2027-04-05',
  'Labour Day': '2027-05-01',
  "The Buddha's Birthday": '2027-05-13',
  'Tuen Ng Festival': '2027-06-09',
  'HKSAR Establishment Day': '2027-07-01',
  'The day following the Chinese Mid-Autumn Festival': '2027-09-16',
  'National Day': '2027-10-01',
  'Chung Yeung Festival': '2027-10-08',
  'Christmas Day': '2027-12-25',
  'The first weekday after Christmas Day': '2027-12-27'
}

t.test('2027: the 17 general holidays besides Sundays, and no other 2027 day', async t => {
  t.same(HK_HOLIDAYS_DEFAULT.filter(d => d.startsWith('2027-')), Object.values(GENERAL_HOLIDAYS_2027))
  for (const [name, day] of Object.entries(GENERAL_HOLIDAYS_2027)) t.notOk(isBusinessDay(day, holidays), name)
})

t.test('T+1 across 2027 holidays: Lunar New Year, Easter and Christmas', async t => {
  t.equal(addBusinessDays('2027-02-05', 1, holidays), '2027-02-10', 'Friday before New Year: Sat 6 (holiday), Sun 7, Mon 8 and Tue 9 (holidays), then Wed 10')
  t.equal(addBusinessDays('2027-03-25', 1, holidays), '2027-03-30', 'Thursday before Easter: Good Friday to Easter Monday, then Tue 30')
  t.equal(addBusinessDays('2027-12-24', 1, holidays), '2027-12-28', 'Christmas Eve: Sat 25, Sun 26, Mon 27, then Tue 28')
})

t.test('a start-up warning when the calendar ends within 90 days, and after it has ended', async t => {
  t.equal(calendarEndWarning(holidays, '2026-12-03'), null, 'today: the calendar runs to the end of 2027')
  t.equal(calendarEndWarning(holidays, '2027-10-01'), null, '91 days before its end')
  t.match(calendarEndWarning(holidays, '2027-10-02'), /ends on 2027-12-31, in 90 days/)
  t.match(calendarEndWarning(holidays, '2028-01-05'), /ended on 2027-12-31/)
  t.match(calendarEndWarning(new Set(), '2026-12-03'), /no public holidays/)
})
