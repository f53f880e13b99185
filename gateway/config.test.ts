import t from 'tap'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig, storeCutoff, storeResolver } from './config.ts'

const KEY = Buffer.alloc(32, 1).toString('base64')

t.test('development: missing secrets are generated once into the data directory (0600) and reused', async t => {
  const dir = t.testdir({})
  const a = loadConfig({ RECON_DATA_DIR: dir })
  t.equal(a.env, 'development')
  t.equal(a.devSecretsFile, join(dir, 'dev-secrets.json'))
  t.equal(statSync(a.devSecretsFile!).mode & 0o777, 0o600)
  t.same(a.apiKeys.map(k => k.role), ['finance', 'pos_vendor', 'owner'])
  t.match(a.webhookSecrets['pos-canonical'][0].secret, /^whsec_/)
  const b = loadConfig({ RECON_DATA_DIR: dir })
  t.same(b.apiKeys, a.apiKeys, 'the same keys after a restart')
  t.same(b.piiKeys[0].key, a.piiKeys[0].key)
})

t.test('production refuses to start without its secrets, naming what is missing', async t => {
  const dir = t.testdir({})
  t.throws(() => loadConfig({ RECON_ENV: 'production', RECON_DATA_DIR: dir }), { name: 'ConfigError', message: /RECON_PII_KEYS is required/ })
  t.notOk(existsSync(join(dir, 'dev-secrets.json')), 'no development secrets in production')
  const ok = loadConfig({ RECON_ENV: 'production', RECON_DATA_DIR: dir, RECON_PII_KEYS: `k1:${KEY}`, RECON_API_KEYS: 'finance:abcdefghijklmnop', RECON_WEBHOOK_SECRETS_POS_CANONICAL: 'whsec_AAAA whsec_BBBB@2026-12-01T00:00:00Z', DATABASE_URL: 'postgres://x@h/db', PORT: '8080' })
  t.match(ok, { env: 'production', databaseUrl: 'postgres://x@h/db', port: 8080, apiKeys: [{ role: 'finance' }] })
  t.same(ok.webhookSecrets['pos-canonical'].map(s => [s.secret, s.notAfter?.toISOString()]), [['whsec_AAAA', undefined], ['whsec_BBBB', '2026-12-01T00:00:00.000Z']])
})

t.test('production: every enabled POS vendor must have its secret; only vendors with secrets are open when none are listed', async t => {
  const dir = t.testdir({})
  const base = { RECON_ENV: 'production', RECON_DATA_DIR: dir, RECON_PII_KEYS: `k1:${KEY}` }
  const err = t.throws(() => loadConfig({ ...base, RECON_POS_VENDORS: 'pos-canonical,loyverse,shopify-pos', RECON_WEBHOOK_SECRETS_POS_CANONICAL: 'whsec_AAAA' }), { name: 'ConfigError' }) as Error
  t.match(err.message, /RECON_WEBHOOK_SECRETS_LOYVERSE .*RECON_WEBHOOK_SECRETS_SHOPIFY_POS/, 'every missing secret named at once')
  t.notMatch(err.message, /RECON_WEBHOOK_SECRETS_POS_CANONICAL/, 'not the one that is set')
  t.notOk(existsSync(join(dir, 'dev-secrets.json')), 'nothing generated in production')
  const listed = loadConfig({ ...base, RECON_POS_VENDORS: 'loyverse', RECON_WEBHOOK_SECRETS_LOYVERSE: 'loyverse-secret' })
  t.same(listed.posVendors, ['loyverse'])
  t.same(Object.keys(listed.webhookSecrets), ['loyverse'], 'no secret kept for a vendor not enabled')
  const unlisted = loadConfig({ ...base, RECON_WEBHOOK_SECRETS_SHOPIFY_POS: 'shopify-secret' })
  t.same(unlisted.posVendors, ['shopify-pos'], 'unlisted: the vendors given a secret')
  t.same(loadConfig(base).posVendors, [], 'no secrets, none listed: no vendor open')
})

t.test('POS vendors listed in the environment or the file must be registered ones; outside production the listed ones get development secrets', async t => {
  const dir = t.testdir({ 'recon.json': JSON.stringify({ posVendors: ['loyverse', 'squre'] }), 'typo.json': JSON.stringify({ posVendors: 'loyverse' }) })
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_POS_VENDORS: 'loyverse,square' }), { name: 'ConfigError', message: /RECON_POS_VENDORS: unknown POS vendor "square" \(registered: pos-canonical, loyverse, shopify-pos\)/ })
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'recon.json') }), { message: /posVendors: unknown POS vendor "squre"/ })
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'typo.json') }), { message: /\/posVendors: must be array/ })
  t.notOk(existsSync(join(dir, 'dev-secrets.json')), 'a refused configuration writes nothing')
  const c = loadConfig({ RECON_DATA_DIR: dir, RECON_POS_VENDORS: 'loyverse' })
  t.same(c.posVendors, ['loyverse'])
  t.same(Object.keys(JSON.parse(readFileSync(join(dir, 'dev-secrets.json'), 'utf8')).webhooks), ['loyverse'], 'a secret generated for the enabled vendor only')
  t.same(loadConfig({ RECON_DATA_DIR: t.testdir({}) }).posVendors, ['pos-canonical', 'loyverse', 'shopify-pos'], 'development, unlisted: every registered vendor')
})

t.test('bad values are named', async t => {
  const dir = t.testdir({})
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, PORT: 'eighty' }), /PORT must be an integer/)
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_PII_KEYS: 'k1:c2hvcnQ=' }), /exactly 32 bytes/)
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_API_KEYS: 'cashier:abcdefghijklmnopq' }), /role "cashier"/)
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_API_KEYS: 'finance:short' }), /shorter than 16/)
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_API_KEYS: 'store_manager:abcdefghijklmnopq' }), /store manager's key names its stores/)
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_API_KEYS: 'finance@MK01:abcdefghijklmnopq' }), /only a store manager's key names stores/)
  t.same(loadConfig({ RECON_DATA_DIR: dir, RECON_API_KEYS: 'admin:abcdefghijklmnopq,pos:bbcdefghijklmnopq,store_manager@MK01+TST1:cbcdefghijklmnopq' }).apiKeys,
    [{ role: 'owner', key: 'abcdefghijklmnopq', stores: null }, { role: 'pos_vendor', key: 'bbcdefghijklmnopq', stores: null }, { role: 'store_manager', key: 'cbcdefghijklmnopq', stores: ['MK01', 'TST1'] }],
    'the older names admin and pos still work; a store manager key carries its stores')
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'missing.json') }), ConfigError)
})

t.test('a JSON config file sets stores with cut-offs and aliases, secrets and mapping profiles', async t => {
  const dir = t.testdir({
    'profile.json': readFileSync(join(import.meta.dirname, '../fixtures/octopus/acquirer/kpay-octopus-v1.json'), 'utf8'),
    'config.json': JSON.stringify({
      stores: { MK01: { name: 'Mong Kok', cutoff: '00:00' }, BAR1: { name: 'Lan Kwai Fong bar', cutoff: '04:30', aliases: { loyverse: 'uuid-1' } } },
      webhooks: { loyverse: [{ secret: 'old', notAfter: '2026-12-01T00:00:00Z' }, { secret: 'new' }] },
      apiKeys: [{ role: 'admin', key: 'admin-key-0123456789' }],
      piiKeys: [{ id: 'k2026', key: KEY }],
      providers: { octopus: { profiles: ['profile.json'] } }
    })
  })
  const c = loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'config.json') })
  t.equal(storeCutoff(c, 'BAR1'), 270)
  t.equal(storeCutoff(c, 'NOPE'), 0)
  t.equal(storeResolver(c, 'loyverse')('uuid-1'), 'BAR1')
  t.equal(storeResolver(c, 'loyverse')('other'), 'other')
  t.equal(c.webhookSecrets.loyverse.length, 2)
  t.same(c.connectors.profiles?.octopus?.map(p => p.id), ['kpay-octopus-v1'])
  t.equal(c.piiKeys[0].id, 'k2026')
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ stores: { X: { cutoff: '13:00' } } }))
  t.throws(() => loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'bad.json') }), /store X: cutoff must be HH:mm between 00:00 and 11:59/)
})

t.test('reconciliation settings: window, rounding, fee bands per provider and store, settlement cycles, holidays, readers; bad ones are named', async t => {
  const dir = t.testdir({
    'config.json': JSON.stringify({
      stores: { MK01: { name: 'Mong Kok', feeBands: { octopus: { min: 0.01, max: 0.02 } } } },
      reconciliation: { windowMinutes: 15, roundingCents: 5, feeBands: { alipayhk: { min: 0.005, max: 0.015 } }, settlementDays: { alipayhk: 2 }, holidays: ['2026-12-28'], devices: { '9A1F02': 'MK01:T1' } }
    })
  })
  const c = loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'config.json') }).recon
  t.match(c, { windowMinutes: 15, roundingCents: 5, feeBands: { alipayhk: { min: 0.005, max: 0.015 }, octopus: { min: 0.005, max: 0.025 } }, storeFeeBands: { MK01: { octopus: { min: 0.01, max: 0.02 } } }, settlementDays: { alipayhk: 2, octopus: 1 }, devices: { '9A1F02': 'MK01:T1' } })
  t.ok(c.holidays.has('2026-12-28') && c.holidays.has('2026-12-25'), 'the configured holiday joins the built-in list')
  const bad = (reconciliation: object) => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ reconciliation }))
    return () => loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'bad.json') })
  }
  t.throws(bad({ windowMinutes: 0 }), /windowMinutes must be a whole number from 1 to 1440/)
  t.throws(bad({ roundingCents: 2.5 }), /\/reconciliation\/roundingCents: must be integer/)
  t.throws(bad({ settlementDays: { octopus: -1 } }), /\/reconciliation\/settlementDays\/octopus: must be >= 0/)
  t.throws(bad({ settlementDays: { octopus: 31 } }), /settlementDays.octopus must be a whole number from 0 to 30/)
  t.throws(bad({ feeBands: { wechat: { min: 0.01, max: 0.02 } } }), /reconciliation.feeBands.wechat: no provider "wechat" is registered \(known: alipayhk, octopus, wechatpay, adyen, stripe, payme, fps-collection, kpay\)/)
  t.throws(bad({ feeBands: { octopus: { min: 0.03, max: 0.02 } } }), /octopus: a fee band is/)
  t.throws(bad({ holidays: ['25/12/2026'] }), /"25\/12\/2026" is not YYYY-MM-DD/)
  t.throws(bad({ devices: { X1: 'MK01' } }), /devices.X1: name the till as "STORE:TERMINAL"/)
  t.throws(bad({ tenderProviders: { card: ['wechatpay'] } }), /tenderProviders.card: wechatpay does not settle card \(those that do: adyen, stripe, kpay\)/)
  t.throws(bad({ tenderProviders: { cash: ['adyen'] } }), /tenderProviders.cash: only a method several providers may settle \(card, fps\)/)
  writeFileSync(join(dir, 'ok.json'), JSON.stringify({ reconciliation: { tenderProviders: { card: ['stripe'] } } }))
  t.same(loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'ok.json') }).recon.tenderProviders, { card: ['stripe'] })
})

t.test('a misspelt or unknown key anywhere in RECON_CONFIG stops the start, named by its path; all problems at once', async t => {
  const dir = t.testdir({})
  const load = (config: object) => {
    writeFileSync(join(dir, 'c.json'), JSON.stringify(config))
    return () => loadConfig({ RECON_DATA_DIR: dir, RECON_CONFIG: join(dir, 'c.json') })
  }
  t.throws(load({ stores: { MK01: { name: 'Mong Kok', cutof: '04:00' } } }), /\/stores\/MK01: unknown key "cutof"/)
  t.throws(load({ reconcilation: {} }), /\(top level\): unknown key "reconcilation"/)
  t.throws(load({ forwarding: { dingtalk: { robot: {} } }, limits: { uploadBytes: 'big' } }), /\/limits\/uploadBytes: must be integer; \/forwarding\/dingtalk: unknown key "robot"/)
  t.throws(load({ webhooks: { 'pos-canonical': [{ secrt: 'x' }] } }), /(?=.*\/webhooks\/pos-canonical\/0: unknown key "secrt")(?=.*\/webhooks\/pos-canonical\/0: "secret" is required)/)
  const sink = { id: 'erp', kind: 'http', url: 'https://erp.example/x', secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64'), retries: 3 }
  t.throws(load({ forwarding: { allowHosts: ['erp.example'], sinks: [sink] } }), /forwarding.sinks\[0\] \(http erp\): unknown key\(s\) retries/)
  t.throws(load({ providers: { octopus: { profile: [] } } }), /\/providers\/octopus: unknown key "profile"/)
  t.throws(load({ providers: { octopus: { profiles: [{ id: 'p', headerMatch: ['A'], columns: { type: 'A', gross: 'B', paidAt: 'C' }, types: { S: 'payment' }, sign: 'type', delimter: ';' }] } } }), /providers.octopus.profiles\[0\]: mapping profile p: unknown key "delimter"/)
})
