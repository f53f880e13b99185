// Who may do what. Every route declares one permission (or is public, or is authenticated by a
// signature); a role holds a fixed set of permissions; a store manager's are further limited to the
// stores (ledger locations) the account names. Deny by default: a permission no role lists is no one's.
export const ROLES = ['owner', 'finance', 'store_manager', 'pos_vendor', 'auditor'] as const
export type Role = typeof ROLES[number]

/** Older configuration role names, still accepted for API keys. */
export const ROLE_ALIASES: Readonly<Record<string, Role>> = { admin: 'owner', pos: 'pos_vendor' }

export const PERMISSIONS = [
  'pos:write', 'settlements:write', 'imports:read', 'sales:read', 'payments:read',
  'reconciliation:read', 'reconciliation:run', 'exceptions:resolve',
  'inventory:read', 'inventory:write', 'locations:write', 'catalogue:write',
  'orders:read', 'orders:write', 'orders:decide',
  'outbox:read', 'outbox:write', 'accounts:manage', 'audit:read'
] as const
export type Permission = typeof PERMISSIONS[number]

const READS: Permission[] = ['imports:read', 'sales:read', 'payments:read', 'reconciliation:read', 'inventory:read', 'orders:read', 'outbox:read', 'audit:read']

const GRANTS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  finance: [...READS, 'settlements:write', 'reconciliation:run', 'exceptions:resolve'],
  // their own stores only: sales, the day's report, stock, counts, transfers, reorder rules, orders
  store_manager: ['sales:read', 'reconciliation:read', 'inventory:read', 'inventory:write', 'orders:read', 'orders:write'],
  pos_vendor: ['pos:write'],
  auditor: READS
}

export function can (role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission)
}

/** Roles whose access is limited to named stores. */
export function isScoped (role: Role): boolean {
  return role === 'store_manager'
}

export function parseRole (name: string): Role | null {
  if ((ROLES as readonly string[]).includes(name)) return name as Role
  return ROLE_ALIASES[name] ?? null
}
