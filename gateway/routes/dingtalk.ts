// POST /v1/dingtalk/callback — DingTalk's event callback (HTTP push): verified (sha1 signature over
// token, timestamp, nonce and the ciphertext, compared in constant time) before it is decrypted, and
// each event acted on once however often it is redelivered (forward/dingtalk-events.ts, shared with the
// Stream connection). An approval that finishes moves its purchase order to approved or rejected. The
// answer is DingTalk's encrypted "success".
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../deps.ts'
import { DomainError } from '../domain-error.ts'
import { callbackEnvelope, callbackSignature, decryptCallback, sameSignature } from '../forward/dingtalk-crypto.ts'
import { applyDingTalkEvent, type DingTalkEvent } from '../forward/dingtalk-events.ts'
import { errorResponses } from '../schemas.ts'

interface CallbackQuery { signature?: string, msg_signature?: string, timestamp?: string, timeStamp?: string, nonce?: string }

/** A callback older or newer than this is refused (a replayed capture). */
const WINDOW_MS = 60 * 60_000

export async function dingtalkRoutes (app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post<{ Querystring: CallbackQuery, Body: { encrypt?: string } }>('/v1/dingtalk/callback', {
    config: { access: 'webhook' },
    handlerTimeout: deps.config.limits.routeTimeoutMs,
    bodyLimit: 64 * 1024,
    schema: {
      summary: 'DingTalk event callback (approval results)', tags: ['forwarding'],
      querystring: { type: 'object', properties: { signature: { type: 'string', maxLength: 64 }, msg_signature: { type: 'string', maxLength: 64 }, timestamp: { type: 'string', maxLength: 20 }, timeStamp: { type: 'string', maxLength: 20 }, nonce: { type: 'string', maxLength: 64 } } },
      body: { type: 'object', properties: { encrypt: { type: 'string', maxLength: 60000 } }, required: ['encrypt'] },
      response: { 200: { type: 'object', properties: { msg_signature: { type: 'string' }, timeStamp: { type: 'string' }, nonce: { type: 'string' }, encrypt: { type: 'string' } } }, ...errorResponses }
    }
  }, async req => {
    const a = deps.config.forwarding.app
    if (!a) throw new DomainError('not_found', 'NOT_CONFIGURED', 'no DingTalk app is configured')
    const q = req.query
    const signature = q.msg_signature ?? q.signature ?? ''
    const timestamp = q.timeStamp ?? q.timestamp ?? ''
    const nonce = q.nonce ?? ''
    const encrypt = req.body.encrypt ?? ''
    if (!sameSignature(callbackSignature(a.callbackToken, timestamp, nonce, encrypt), signature)) throw new DomainError('unauthenticated', 'BAD_SIGNATURE', 'the callback signature does not match')
    if (!/^\d{10,13}$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp.padEnd(13, '0'))) > WINDOW_MS) throw new DomainError('unauthenticated', 'STALE', 'the callback timestamp is outside the accepted window')
    let event: DingTalkEvent
    try { event = JSON.parse(decryptCallback(a.callbackAesKey, a.appKey, encrypt)) } catch { throw new DomainError('unauthenticated', 'BAD_PAYLOAD', 'the callback does not decrypt for this app') }
    await applyDingTalkEvent(deps.db, event, 'callback')
    req.log.info({ eventType: event.EventType }, 'dingtalk callback')
    return callbackEnvelope(a.callbackToken, a.callbackAesKey, a.appKey, 'success')
  })
}
