// SaslHandshake: the connection's SASL session picks the mechanism (core/security/sasl_session.ts);
// on a listener without SASL there is none, and Kafka answers ILLEGAL_SASL_STATE.
import { ErrorCode } from '../errors.js';
import { saslHandshakeApi } from '../protocol/messages/sasl_handshake.js';
import { defineHandler } from './handler.js';

export const saslHandshake = defineHandler({
  api: saslHandshakeApi,
  async handle(ctx, request) {
    if (ctx.sasl === undefined || ctx.sasl === null) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    return ctx.sasl.handshake(request.mechanism);
  },
});
