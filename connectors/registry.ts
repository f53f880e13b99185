// The connector registry: an explicit list (no autoloading), each id once.
import type { PosConnector } from './pos.ts'
import type { SettlementConnector } from './settlement.ts'

export type Connector = PosConnector | SettlementConnector

export interface Registry {
  pos: Map<string, PosConnector>
  settlement: Map<string, SettlementConnector>
  ids: string[]
}

export function createRegistry (connectors: readonly Connector[]): Registry {
  const pos = new Map<string, PosConnector>()
  const settlement = new Map<string, SettlementConnector>()
  const seen = new Set<string>()
  for (const c of connectors) {
    if (!c.id || !/^[a-z0-9-]+$/.test(c.id)) throw new Error(`connector id "${c.id}" must be lower-case letters, digits and dashes`)
    if (seen.has(c.id)) throw new Error(`connector "${c.id}" is registered twice`)
    seen.add(c.id)
    if (c.kind === 'pos') pos.set(c.id, c)
    else settlement.set(c.id, c)
  }
  return { pos, settlement, ids: [...seen] }
}
