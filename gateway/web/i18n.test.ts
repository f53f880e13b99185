import t from 'tap'
import { actorName, translator } from './i18n.ts'

t.test('who did something is shown as a person reads it, in either language, never as an internal id', async t => {
  const en = translator('en')
  const zh = translator('zh-HK')
  t.same(['user:amy', 'key:finance', 'dingtalk:PI-01b2c3d4', 'pos:loyverse#12', 'system', null].map(a => actorName(en, a)),
    ['amy', 'API key (Finance)', 'DingTalk approval', 'Till (loyverse)', 'system', '—'])
  t.same(['key:owner', 'dingtalk:PI-01b2c3d4'].map(a => actorName(zh, a)), ['API 金鑰（東主）', '釘釘審批'])
})
