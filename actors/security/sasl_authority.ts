// What a SASL listener's connections share (core/security/sasl_session.ts's SaslAuthority): the
// enabled mechanisms, the credential store, the session lifetime, the system clock, server
// nonces from the system's random source and PBKDF2 on libuv's thread pool (a PLAIN login with
// 8192 iterations of SHA-512 is milliseconds of CPU the event loop should not wait on).
import { pbkdf2, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { CredentialStore } from '../../core/security/credentials.js';
import type { SaslAuthority, SaslMechanism } from '../../core/security/sasl_session.js';
import { scramHash, type ScramMechanism } from '../../core/security/scram.js';
import { systemClock } from '../system_clock.js';

export function saslAuthority(options: { mechanisms: readonly SaslMechanism[]; credentials: CredentialStore; sessionLifetimeMs: number; clock?: Clock }): SaslAuthority {
  return {
    mechanisms: options.mechanisms,
    credentials: options.credentials,
    sessionLifetimeMs: options.sessionLifetimeMs,
    clock: options.clock ?? systemClock,
    nonce: () => randomBytes(18).toString('base64'),
    saltPassword: (mechanism: ScramMechanism, password: string, salt: Uint8Array, iterations: number) =>
      new Promise((resolve, reject) => {
        const { name, bytes } = scramHash(mechanism);
        pbkdf2(password, salt, iterations, bytes, name, (error, key) => (error === null ? resolve(new Uint8Array(key)) : reject(error)));
      }),
  };
}
