// WeChat Pay HK (微信支付香港): the daily transaction bill (交易账单, bill type ALL) as merchants download it
// from the merchant platform or the statements API (tenders.md §1; pay.weixin.qq.com
// docs/merchant/products/bill-download/format-trade and api_external chapter3_3_6). Comma-separated,
// every value behind a backtick so Excel keeps ids as text; a header of column names, the rows, then a
// summary header (总交易单数, 应结订单总金额, …) and one summary row, used here as control totals.
import type { ProviderDescriptor } from '../contract.ts'
import { LayoutError, firstContentLine, type LayoutDetection, type SettlementConnector } from '../settlement.ts'
import { normaliseHeader } from '../_shared/fields.ts'
import { splitHeader } from '../_shared/header.ts'
import { stripPrefixes } from '../profile/mapper.ts'
import { billMapper, BILL_COLUMNS, REQUIRED_COLUMNS } from './bill.ts'

export const WECHATPAY: ProviderDescriptor = {
  id: 'wechatpay',
  names: { en: 'WeChat Pay HK', 'zh-HK': '微信支付香港' },
  tenderMethods: ['wechatpay'],
  // one merchant number (商户号) for the chain; the till's order number (商户订单号) finds the sale
  matchScope: 'merchant',
  devicesUploadLate: false,
  cashRounding: false,
  // the bill's 费率 column: 0.60% to 2.2% are the rates published for HK merchants and service providers
  feeBand: { min: 0.003, max: 0.025 },
  // settled T+1 to T+3 by the merchant's contract; reconciliation.settlementDays overrides it
  settlementDays: 2
}

const BACKTICK = ['`']

/** The bill's header: a comma line whose columns, backticks off, include the ones a bill always has. */
export function detectBill (lines: string[]): LayoutDetection | null {
  const first = firstContentLine(lines)
  if (!first) return null
  const header = stripPrefixes(splitHeader(first.text, ','), BACKTICK)
  const names = new Set(header.map(normaliseHeader))
  const has = (field: keyof typeof BILL_COLUMNS) => BILL_COLUMNS[field].some(alias => names.has(normaliseHeader(alias)))
  if (!has('paidAt') || !has('merchantRef') || !has('status')) return null
  const missing = REQUIRED_COLUMNS.filter(f => !has(f))
  if (missing.length) throw new LayoutError(`a WeChat Pay bill without the column(s) ${missing.map(f => BILL_COLUMNS[f][0]).join(', ')}`, first.index + 1)
  return { provider: WECHATPAY.id, layout: 'bill', fileKind: 'settlement', delimiter: ',', headerLine: first.index + 1, header, preamble: {} }
}

export const wechatpay: SettlementConnector = {
  id: WECHATPAY.id,
  kind: 'settlement',
  descriptor: WECHATPAY,
  // the bill is UTF-8; a copy saved by Excel on a Chinese Windows may be GBK or Big5
  legacyEncodings: () => ['gb18030', 'big5hkscs'],
  detect: detectBill,
  mapper: d => billMapper(d, WECHATPAY.id)
}
