import type { PosConnector } from '../pos.ts'
import { InputError } from '../errors.ts'
import { verifyStandardWebhook } from './verify.ts'
import { normalizeCanonical } from './normalize.ts'

export const posCanonical: PosConnector = {
  id: 'pos-canonical',
  kind: 'pos',
  signatureHeaders: ['webhook-signature'],
  secretFormat: 'standard-webhooks',
  verify: verifyStandardWebhook,
  normalize (rawBody, _headers, ctx) {
    let value
    try {
      value = JSON.parse(rawBody.toString('utf8'))
    } catch {
      throw new InputError('INVALID_PAYLOAD', 'the body is not JSON', [{ line: 0, message: 'the body is not JSON' }])
    }
    return [normalizeCanonical(value, ctx)]
  }
}
