// The wallets and local acquirers whose report layouts are not public (tenders.md §2–3): each is a
// provider descriptor and a shipped mapping profile, read with no code of its own. The profiles say what
// they were written from; a shop whose export differs adds its own profile beside them
// (providers.<id>.profiles in RECON_CONFIG) without touching these.
import type { ProviderDescriptor } from './contract.ts'
import type { SettlementConnector } from './settlement.ts'
import { createProfileConnector } from './profile/connector.ts'
import { parseProfile, type MappingProfile } from './profile/profile.ts'
import payme from './payme/profiles/payme-business-transactions-v1.json' with { type: 'json' }
import fps from './fps/profiles/bochk-fps-collection-v1.json' with { type: 'json' }
import kpay from './kpay/profiles/kpay-merchant-settlement-v1.json' with { type: 'json' }

const base = { devicesUploadLate: false, cashRounding: false } as const

export const WALLETS: Array<{ descriptor: ProviderDescriptor, profile: MappingProfile }> = [
  {
    // HSBC's merchant wallet: one business account for the chain, the order id the till sent
    descriptor: { ...base, id: 'payme', names: { en: 'PayMe for Business', 'zh-HK': 'PayMe 商戶' }, tenderMethods: ['payme'], matchScope: 'merchant', feeBand: { min: 0.005, max: 0.025 }, settlementDays: 1, payout: { days: 1, bankNames: ['PAYME'] }, fileDue: { days: 1, at: '12:00' } },
    profile: parseProfile(payme)
  },
  {
    // FPS credits as the bank lists them: free or nearly so, in the account within seconds; the till's
    // reference travels in the remittance text when the QR carried it
    descriptor: { ...base, id: 'fps-collection', names: { en: 'FPS collection (bank)', 'zh-HK': '轉數快收款（銀行）' }, tenderMethods: ['fps'], matchScope: 'merchant', feeBand: { min: 0, max: 0.01 }, settlementDays: 0, bankReceipts: ['FPS', 'FASTER PAYMENT', '轉數快'], fileDue: { days: 1, at: '10:00' } },
    profile: parseProfile(fps)
  },
  {
    // KPay's report names the store and the terminal: a card tender without a reference is paired on
    // its own terminal once the day's references show which till it serves (else within the store);
    // net settlement the next business day
    descriptor: { ...base, id: 'kpay', names: { en: 'KPay (cards)', 'zh-HK': 'KPay（信用卡）' }, tenderMethods: ['card'], matchScope: 'device', feeBand: { min: 0.005, max: 0.03 }, settlementDays: 1, payout: { days: 1, bankNames: ['KPAY'] }, fileDue: { days: 1, at: '12:00' } },
    profile: parseProfile(kpay)
  }
]

/** Each wallet's connector, with the deployment's own profiles for it after the shipped one. */
export function walletConnectors (profiles: Record<string, readonly MappingProfile[]>): SettlementConnector[] {
  return WALLETS.map(w => createProfileConnector(w.descriptor, [w.profile, ...profiles[w.descriptor.id] ?? []]))
}
