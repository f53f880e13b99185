// The Octopus settlement connector: Octopus as data (its descriptor) and its reports as mapping
// profiles — the documented default plus any the deployment adds (connectors/profile).
import type { ProviderDescriptor } from '../contract.ts'
import type { SettlementConnector } from '../settlement.ts'
import { createProfileConnector } from '../profile/connector.ts'
import { parseProfile, type MappingProfile } from '../profile/profile.ts'
import defaultProfileJson from './profiles/octopus-settlement-v1.json' with { type: 'json' }

export const OCTOPUS: ProviderDescriptor = {
  id: 'octopus',
  names: { en: 'Octopus', 'zh-HK': '八達通' },
  tenderMethods: ['octopus'],
  // a shop's readers report under its store; a stand-alone reader's records follow its own till
  matchScope: 'device',
  // readers upload when they are next connected: a day not yet uploaded is pending, not missing
  devicesUploadLate: true,
  // Octopus and cash round to HK$0.10: a ±5 cent difference is rounding, not a mismatch
  cashRounding: true,
  // 1.5% through KPay in the published samples
  feeBand: { min: 0.005, max: 0.025 },
  settlementDays: 1,
  payout: { days: 1, bankNames: ['OCTOPUS'] },
  fileDue: { days: 1, at: '10:00' }
}

/**
 * Our documented default layout (contract.md §2): `Transaction Amount` unsigned, the type giving the
 * direction; `Add Value` is a cash top-up at the till — money the shop owes Octopus, never a sale;
 * amounts in steps of HK$0.10; a TOTAL trailer with the count and sums.
 */
export const DEFAULT_OCTOPUS_PROFILE: MappingProfile = parseProfile(defaultProfileJson)

export function createOctopusConnector (extraProfiles: readonly MappingProfile[] = []): SettlementConnector {
  return createProfileConnector(OCTOPUS, [DEFAULT_OCTOPUS_PROFILE, ...extraProfiles])
}
