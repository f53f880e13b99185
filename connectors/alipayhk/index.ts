import type { SettlementConnector } from '../settlement.ts'
import { detectAlipayLayout } from './detect.ts'
import { classicMapper } from './classic.ts'
import { antomMapper } from './antom.ts'
import { batchMapper } from './batch.ts'

export const alipayhk: SettlementConnector = {
  id: 'alipayhk',
  kind: 'settlement',
  // formats.md §1: Alipay reports are UTF-8; a public parser reads cross-border files as GBK.
  legacyEncodings: () => ['gbk', 'gb18030', 'big5hkscs'],
  detect: detectAlipayLayout,
  mapper (d, ctx) {
    if (d.layout === 'F') return antomMapper(d)
    if (d.layout === 'B-batch') return batchMapper(d)
    return classicMapper(d, ctx.filename)
  }
}
