// One connection's SASL state (core/security/sasl_session.ts) under a fake clock: what is served
// before authentication, PLAIN checked against a SCRAM credential, failures that end the
// connection, the session lifetime (KIP-368) and re-authentication as the same user only.
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import type { CredentialStore } from '../../../core/security/credentials.js';
import { SaslSession, type SaslAuthority } from '../../../core/security/sasl_session.js';
import { scramCredential, scramHash, type ScramCredential, type ScramMechanism } from '../../../core/security/scram.js';
import { FakeClock } from '../../support/fake_clock.js';

function credential(mechanism: ScramMechanism, password: string): ScramCredential {
  const salt = Buffer.from(`salt-of-${password}`);
  const { name, bytes } = scramHash(mechanism);
  return scramCredential(mechanism, pbkdf2Sync(password, salt, 4096, bytes, name), salt, 4096);
}

function authority(clock: FakeClock, sessionLifetimeMs = 0): SaslAuthority {
  const users = new Map([
    ['alice', new Map([['SCRAM-SHA-256' as ScramMechanism, credential('SCRAM-SHA-256', 'alice-pw')]])],
    ['bob', new Map([['SCRAM-SHA-512' as ScramMechanism, credential('SCRAM-SHA-512', 'bob-pw')]])],
  ]);
  const credentials: CredentialStore = {
    credential: (user, mechanism) => users.get(user)?.get(mechanism),
    users: () => users,
    alter: async () => undefined,
  };
  return {
    mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    credentials,
    sessionLifetimeMs,
    clock,
    nonce: () => 'nonce',
    saltPassword: async (mechanism, password, salt, iterations) => pbkdf2Sync(password, salt, iterations, scramHash(mechanism).bytes, scramHash(mechanism).name),
  };
}

const plain = (user: string, password: string): Uint8Array => Buffer.from(`\u0000${user}\u0000${password}`);

describe('SaslSession', () => {
  it('serves only ApiVersions and the SASL requests before authentication, everything after', async () => {
    const session = new SaslSession(authority(new FakeClock(0)));
    expect(session.refusal(ApiKey.ApiVersions)).toBeNull();
    expect(session.refusal(ApiKey.SaslHandshake)).toBeNull();
    expect(session.refusal(ApiKey.Metadata)).toMatch(/before SASL authentication/);
    expect(session.handshake('PLAIN').errorCode).toBe(ErrorCode.NONE);
    expect(session.refusal(ApiKey.Produce)).toMatch(/before SASL authentication/);
    expect((await session.authenticate(plain('alice', 'alice-pw'))).errorCode).toBe(ErrorCode.NONE);
    expect(session.principal).toBe('User:alice');
    expect(session.refusal(ApiKey.Produce)).toBeNull();
    expect(session.mustClose).toBe(false);
  });

  it('checks PLAIN against a SCRAM-SHA-512-only user too, and refuses a wrong password, closing', async () => {
    const session = new SaslSession(authority(new FakeClock(0)));
    session.handshake('PLAIN');
    expect((await session.authenticate(plain('bob', 'bob-pw'))).errorCode).toBe(ErrorCode.NONE);
    const wrong = new SaslSession(authority(new FakeClock(0)));
    wrong.handshake('PLAIN');
    expect(await wrong.authenticate(plain('bob', 'alice-pw'))).toMatchObject({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN' });
    expect(wrong.mustClose).toBe(true);
    expect(wrong.principal).toBeNull();
    expect(wrong.refusal(ApiKey.Metadata)).not.toBeNull();
  });

  it('answers an unknown mechanism with the enabled list and closes; a second handshake before authenticating is ILLEGAL_SASL_STATE', () => {
    const session = new SaslSession(authority(new FakeClock(0)));
    expect(session.handshake('GSSAPI')).toEqual({ errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    expect(session.mustClose).toBe(true);
    const twice = new SaslSession(authority(new FakeClock(0)));
    twice.handshake('PLAIN');
    expect(twice.handshake('PLAIN').errorCode).toBe(ErrorCode.ILLEGAL_SASL_STATE);
    expect(twice.mustClose).toBe(true);
  });

  it('ends the session after its lifetime unless the client re-authenticated as the same user', async () => {
    const clock = new FakeClock(1000);
    const session = new SaslSession(authority(clock, 500));
    session.handshake('PLAIN');
    expect((await session.authenticate(plain('alice', 'alice-pw'))).sessionLifetimeMs).toBe(500);
    clock.advance(499);
    expect(session.refusal(ApiKey.Fetch)).toBeNull();
    // Re-authentication: the old session serves while it runs, then a fresh one starts.
    expect(session.handshake('PLAIN').errorCode).toBe(ErrorCode.NONE);
    expect(session.refusal(ApiKey.Fetch)).toBeNull();
    expect((await session.authenticate(plain('alice', 'alice-pw'))).errorCode).toBe(ErrorCode.NONE);
    clock.advance(499);
    expect(session.refusal(ApiKey.Fetch)).toBeNull();
    clock.advance(1);
    expect(session.refusal(ApiKey.Fetch)).toMatch(/SASL session expired/);
  });

  it('refuses re-authentication as another user or with another mechanism', async () => {
    const other = new SaslSession(authority(new FakeClock(0), 500));
    other.handshake('PLAIN');
    await other.authenticate(plain('alice', 'alice-pw'));
    other.handshake('PLAIN');
    expect(await other.authenticate(plain('bob', 'bob-pw'))).toMatchObject({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: 'Cannot change principals during re-authentication' });
    expect(other.mustClose).toBe(true);
    const switching = new SaslSession(authority(new FakeClock(0), 500));
    switching.handshake('PLAIN');
    await switching.authenticate(plain('alice', 'alice-pw'));
    expect(switching.handshake('SCRAM-SHA-256').errorCode).toBe(ErrorCode.UNSUPPORTED_SASL_MECHANISM);
  });
});
