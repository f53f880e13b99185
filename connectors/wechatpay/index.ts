// WeChat Pay HK (微信支付香港): the daily transaction bill (交易账单, bill type ALL) as merchants download it
// from the merchant platform or the statements API (tenders.md §1; pay.weixin.qq.com
// docs/merchant/products/bill-download/format-trade and api_external chapter3_3_6). Comma-separated,
// every value behind a backtick so Excel keeps ids as text; a header of column names, the rows, then a
// summary header (总交易单数, 应结订单总金额, …) and one summary row, used here as control totals.
import type { ProviderDescriptor } from '../contract.ts'
import type { SettlementConnector } from '../settlement.ts'
import { detectColumns, type ColumnLayout } from '../_shared/detect-columns.ts'
import { billMapper, BILL_COLUMNS, REQUIRED_COLUMNS } from './bill.ts'
import { SETTLEMENT_COLUMNS, SETTLEMENT_REQUIRED, settlementsMapper } from './settlements.ts'

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
  settlementDays: 2,
  // a cross-border payout in HKD: a business day or two after the settlement
  payout: { days: 2, bankNames: ['WECHAT', 'TENPAY'] },
  // the day's bill can be downloaded from 10:00 of the next day
  fileDue: { days: 1, at: '12:00' }
}


/** The bill's header: comma-separated names, backticks off, with the columns every bill has. */
const LAYOUT: ColumnLayout<keyof typeof BILL_COLUMNS> = {
  provider: WECHATPAY.id, what: 'a WeChat Pay bill', columns: BILL_COLUMNS, markers: ['paidAt', 'merchantRef', 'status', 'providerTxnId', 'settled'], required: REQUIRED_COLUMNS, delimiter: ',', prefixes: ['`']
}

/** The settlement query's answer, its records laid out as columns (json-records.ts). */
const SETTLEMENTS: ColumnLayout<keyof typeof SETTLEMENT_COLUMNS> = {
  provider: WECHATPAY.id, what: 'WeChat Pay settlement batches', columns: SETTLEMENT_COLUMNS, markers: ['batchId', 'tradeStart', 'fee'], required: SETTLEMENT_REQUIRED, delimiter: ','
}

export const wechatpay: SettlementConnector = {
  id: WECHATPAY.id,
  kind: 'settlement',
  descriptor: WECHATPAY,
  // the bill is UTF-8; a copy saved by Excel on a Chinese Windows may be GBK or Big5
  legacyEncodings: () => ['gb18030', 'big5hkscs'],
  detect: lines => detectColumns(lines, LAYOUT, () => 'bill') ?? settlementsDetection(lines),
  mapper: d => d.layout === 'settlements' ? settlementsMapper(d, WECHATPAY.id) : billMapper(d, WECHATPAY.id)
}

function settlementsDetection (lines: string[]) {
  const d = detectColumns(lines, SETTLEMENTS, () => 'settlements')
  return d ? { ...d, fileKind: 'batch' as const } : null
}
