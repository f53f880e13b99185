import type { SettlementConnector } from '../settlement.ts'
import { detectAlipayLayout } from './detect.ts'
import { classicMapper } from './classic.ts'
import { antomMapper } from './antom.ts'
import { batchMapper } from './batch.ts'

import type { ProviderDescriptor } from '../contract.ts'

export const ALIPAYHK: ProviderDescriptor = {
  id: 'alipayhk',
  names: { en: 'AlipayHK', 'zh-HK': 'AlipayHK 支付寶香港' },
  tenderMethods: ['alipayhk'],
  // one merchant account (partner id) serves every store; the till's reference finds the sale
  matchScope: 'merchant',
  devicesUploadLate: false,
  cashRounding: false,
  // 1% in the published samples (formats.md §1)
  feeBand: { min: 0.003, max: 0.02 },
  settlementDays: 1,
  // the settle batch is credited on its settlement day or the business day after
  payout: { days: 1, bankNames: ['ALIPAY'] },
  // the settlement file is on the SFTP by the morning of T+1
  fileDue: { days: 1, at: '10:00' }
}

export const alipayhk: SettlementConnector = {
  id: ALIPAYHK.id,
  kind: 'settlement',
  descriptor: ALIPAYHK,
  // formats.md §1: Alipay reports are UTF-8; a public parser reads cross-border files as GBK.
  legacyEncodings: () => ['gbk', 'gb18030', 'big5hkscs'],
  detect: detectAlipayLayout,
  mapper (d, ctx) {
    if (d.layout === 'F') return antomMapper(d)
    if (d.layout === 'B-batch') return batchMapper(d)
    return classicMapper(d, ctx.filename)
  }
}
