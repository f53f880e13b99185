// What finance's DingTalk group reads when files are late: one message naming each file, store (and
// reader) with its due time, in 繁體中文 and English, linking to the calendar.
import t from 'tap'
import { alertTitle, robotMessage, type LateFilesAlert } from './alerts.ts'

t.test('a late-files alert is one markdown message listing every missing file', async t => {
  const alert: LateFilesAlert = {
    kind: 'late_files',
    items: [
      { business_date: '2026-11-20', provider: 'alipayhk', store_id: 'MK01', terminal_id: null, due_at: '2026-11-23 10:00 HKT' },
      { business_date: '2026-11-20', provider: 'octopus', store_id: 'TST1', terminal_id: 'T2', due_at: '2026-11-23 10:00 HKT' }
    ],
    url: 'https://recon.example.hk/calendar?month=2026-11'
  }
  t.equal(alertTitle(alert), '檔案逾時未到 Files late (2)')
  const { message, used } = robotMessage([alert])
  t.equal(used, 1)
  t.same(message, {
    msgtype: 'markdown',
    markdown: {
      title: '檔案逾時未到 Files late (2)',
      text: '#### 檔案逾時未到 Files late (2)\n- 2026-11-20 **alipayhk** MK01：應於 due 2026-11-23 10:00 HKT\n- 2026-11-20 **octopus** TST1 收銀機 till T2：應於 due 2026-11-23 10:00 HKT\n\n[月曆 Calendar](https://recon.example.hk/calendar?month=2026-11)'
    },
    at: { atMobiles: [], atUserIds: [] }
  })
})
