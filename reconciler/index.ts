export { reconcile } from './reconcile.ts'
export { addBusinessDays, isBusinessDay, HK_HOLIDAYS_DEFAULT } from './calendar.ts'
export * from './types.ts'
