// The shape of RECON_CONFIG, as one JSON Schema checked by Ajv (the validator fastify already uses for
// the routes) before anything is read from it. Every object refuses keys it does not know, so a
// misspelt `cutof` stops the start naming `/stores/MK01/cutof` instead of being ignored; every value
// has its type. What only code can judge (a URL's host on the allowlist, a fee band's order, a provider
// id in the registry) is checked after, by the module that reads that part.
import { createRequire } from 'node:module'
import type { ErrorObject, ValidateFunction } from 'ajv'
import { ConfigError } from './config-error.ts'

const str = { type: 'string', minLength: 1 } as const
const int = { type: 'integer', minimum: 0 } as const
const strict = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required })
const mapOf = (value: unknown) => ({ type: 'object', additionalProperties: value })
const feeBand = strict({ min: { type: 'number' }, max: { type: 'number' } }, ['min', 'max'])
const alertTargets = { anyOf: [str, { type: 'array', items: str }] }
const alertRoutes = strict({ lowStock: alertTargets, mismatch: alertTargets, ops: alertTargets })

export const CONFIG_SCHEMA = strict({
  $schema: { type: 'string' },
  $comment: { type: 'string' },
  stores: mapOf(strict({ name: str, cutoff: { type: 'string' }, aliases: mapOf({ anyOf: [str, { type: 'array', items: str }] }), feeBands: mapOf(feeBand) })),
  reconciliation: strict({
    windowMinutes: int, roundingCents: int, reviewBelow: { type: 'number' }, feeBands: mapOf(feeBand), settlementDays: mapOf(int), payoutDays: mapOf(int), fileDue: mapOf({ type: 'object' }),
    holidays: { type: 'array', items: { type: 'string' } }, replaceHolidays: { type: 'boolean' }, devices: mapOf({ type: 'string' }),
    tenderProviders: mapOf({ type: 'array', items: str })
  }),
  posVendors: { type: 'array', items: str, uniqueItems: true },
  webhooks: mapOf({ type: 'array', items: strict({ secret: str, notBefore: str, notAfter: str }, ['secret']) }),
  apiKeys: { type: 'array', items: strict({ role: str, key: str, stores: { type: 'array', items: str } }, ['role', 'key']) },
  piiKeys: { type: 'array', items: strict({ id: str, key: str }, ['id', 'key']) },
  // a descriptor and a profile are checked by their own parsers, which also refuse unknown keys
  providers: mapOf(strict({ descriptor: { type: 'object' }, profiles: { type: 'array', items: { anyOf: [str, { type: 'object' }] } } })),
  limits: strict({ webhookBodyBytes: int, uploadBytes: int, maxRecordBytes: int, requestTimeoutMs: int, routeTimeoutMs: int, importTimeoutMs: int, shutdownTimeoutMs: int }),
  locations: mapOf(strict({ name: str, kind: str })),
  retention: strict({ personalDataDays: int }),
  forwarding: strict({
    publicUrl: str, allowHosts: { type: 'array', items: str }, timeoutMs: int, retryLimit: int, retryDelaySeconds: int, maxDeferrals: int, jobExpireSeconds: int,
    // each sink kind checks its own keys (sinks/sink-kinds.ts)
    sinks: { type: 'array', items: { type: 'object', required: ['id', 'kind'], properties: { id: str, kind: str } } },
    alerts: alertRoutes,
    dingtalk: strict({
      robots: mapOf(strict({ url: str, secret: str }, ['url', 'secret'])),
      alerts: alertRoutes,
      app: strict({ oapiUrl: str, apiUrl: str, appKey: str, appSecret: str, agentId: { type: ['integer', 'string'] }, processCode: str, originatorUserId: str, deptId: { type: ['integer', 'string'] }, callbackToken: str, callbackAesKey: str, stream: { type: 'boolean' } })
    })
  })
})

// Ajv (some 60 modules) is loaded and the schema compiled when a file is first checked, not with this
// module: the offline run's reading threads import the configuration's helpers and never check one.
let compiled: ValidateFunction | undefined
function validator (): ValidateFunction {
  if (compiled === undefined) {
    const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv')
    compiled = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(CONFIG_SCHEMA)
  }
  return compiled
}

function describe (e: ErrorObject): string {
  const at = e.instancePath || '(top level)'
  if (e.keyword === 'additionalProperties') return `${at}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`
  if (e.keyword === 'required') return `${at}: "${(e.params as { missingProperty: string }).missingProperty}" is required`
  return `${at}: ${e.message}`
}

/** Refuses a configuration file whose shape is wrong, naming every problem by its path. */
export function checkConfigShape (file: unknown, source: string): void {
  const validate = validator()
  if (validate(file)) return
  // anyOf repeats each branch's complaint; the distinct lines are enough
  const problems = [...new Set((validate.errors ?? []).filter(e => e.keyword !== 'anyOf').map(describe))]
  throw new ConfigError(`${source}: ${problems.join('; ')}`)
}
