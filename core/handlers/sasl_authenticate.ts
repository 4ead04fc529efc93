// SaslAuthenticate: one token of the exchange the handshake chose (core/security/sasl_session.ts).
// A failed authentication is answered, then the connection closes (the listener reads
// SaslSession.mustClose). On a listener without SASL: ILLEGAL_SASL_STATE.
import { ErrorCode } from '../errors.js';
import { saslAuthenticateApi } from '../protocol/messages/sasl_authenticate.js';
import { defineHandler } from './handler.js';

export const saslAuthenticate = defineHandler({
  api: saslAuthenticateApi,
  async handle(ctx, request) {
    if (ctx.sasl === undefined || ctx.sasl === null) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'this listener does not use SASL', authBytes: new Uint8Array(0), sessionLifetimeMs: 0 };
    }
    const answer = await ctx.sasl.authenticate(request.authBytes);
    if (answer.errorCode !== ErrorCode.NONE) ctx.warn?.(`SASL authentication failed: ${answer.errorMessage ?? ''}`);
    return answer;
  },
});
