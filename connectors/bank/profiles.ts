// The shipped bank export profiles (csv-profile.ts); RECON_CONFIG may add a shop's own beside them.
import { parseBankProfile, type BankProfile } from './csv-profile.ts'
import hsbc from './profiles/hsbc-hk-business-v1.json' with { type: 'json' }
import hangSeng from './profiles/hang-seng-business-v1.json' with { type: 'json' }
import bochk from './profiles/bochk-bocnet-v1.json' with { type: 'json' }

export const BANK_PROFILES: readonly BankProfile[] = [hsbc, hangSeng, bochk].map(p => parseBankProfile(p, 'shipped bank profile'))
