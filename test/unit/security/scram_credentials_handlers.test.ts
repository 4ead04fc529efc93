// Describe/AlterUserScramCredentials (KIP-554) against an in-memory store: what is stored is the
// stored and server keys of the salted password (a login with the password then verifies); the
// refusals Kafka answers per user; and the bounds on users and name length that keep a client
// from growing the store without end.
import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileCredentialStore } from '../../../actors/security/credential_store.js';
import { ErrorCode } from '../../../core/errors.js';
import { alterUserScramCredentials } from '../../../core/handlers/alter_user_scram_credentials.js';
import { describeUserScramCredentials } from '../../../core/handlers/describe_user_scram_credentials.js';
import type { RequestContext } from '../../../core/handlers/handler.js';
import { scramUserNameCharsMax, scramUsersMax } from '../../../core/limits.js';
import type { CredentialStore } from '../../../core/security/credentials.js';
import { matchesSaltedPassword } from '../../../core/security/scram.js';

const salt = Buffer.from('0123456789abcdef');
const salted256 = (password: string) => pbkdf2Sync(password, salt, 4096, 32, 'sha256');
const upsert = (name: string, overrides: Partial<{ mechanism: number; iterations: number; salt: Uint8Array; saltedPassword: Uint8Array }> = {}) => ({ name, mechanism: 1, iterations: 4096, salt, saltedPassword: salted256('pw'), ...overrides });

function context(credentials: CredentialStore): RequestContext {
  return { credentials, apiVersion: 0 } as unknown as RequestContext;
}

async function alter(store: CredentialStore, deletions: { name: string; mechanism: number }[], upsertions: ReturnType<typeof upsert>[]) {
  const answer = await alterUserScramCredentials.handle(context(store), { deletions, upsertions });
  if (typeof answer === 'symbol') throw new Error('no response');
  return Object.fromEntries(answer.results.map((result) => [result.user, result.errorCode]));
}

describe('AlterUserScramCredentials', () => {
  it('stores keys that verify the password, and Describe names mechanism and iterations only', async () => {
    const store = FileCredentialStore.inMemory();
    expect(await alter(store, [], [upsert('alice')])).toEqual({ alice: ErrorCode.NONE });
    const credential = store.credential('alice', 'SCRAM-SHA-256')!;
    expect(matchesSaltedPassword('SCRAM-SHA-256', credential, salted256('pw'))).toBe(true);
    expect(matchesSaltedPassword('SCRAM-SHA-256', credential, salted256('other'))).toBe(false);
    const described = await describeUserScramCredentials.handle(context(store), { users: null });
    expect(described).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [{ user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }] }] });
  });

  it('refuses per user as Kafka does, changing nothing for a refused user', async () => {
    const store = FileCredentialStore.inMemory();
    const results = await alter(store, [{ name: 'ghost', mechanism: 1 }], [
      upsert('few', { iterations: 4095 }),
      upsert('many', { iterations: 16385 }),
      upsert('unknown', { mechanism: 3 }),
      upsert('nosalt', { salt: new Uint8Array(0) }),
      upsert('twice'),
      upsert('twice'),
      upsert(''),
      upsert('x'.repeat(scramUserNameCharsMax + 1)),
      upsert('fine'),
    ]);
    expect(results).toEqual({
      ghost: ErrorCode.RESOURCE_NOT_FOUND,
      few: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      many: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      unknown: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      nosalt: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      twice: ErrorCode.DUPLICATE_RESOURCE,
      '': ErrorCode.UNACCEPTABLE_CREDENTIAL,
      ['x'.repeat(scramUserNameCharsMax + 1)]: ErrorCode.UNACCEPTABLE_CREDENTIAL,
      fine: ErrorCode.NONE,
    });
    expect([...store.users().keys()]).toEqual(['fine']);
  });

  it(`keeps at most ${scramUsersMax} users: a new one beyond is refused, an existing one may change`, async () => {
    const users = new Map(Array.from({ length: scramUsersMax }, (_, index) => [`user-${index}`, new Map()]));
    const altered: string[] = [];
    const full: CredentialStore = { credential: () => undefined, users: () => users, alter: async (_deletions, upserts) => void altered.push(...upserts.map((each) => each.user)) };
    expect(await alter(full, [], [upsert('newcomer'), upsert('user-7')])).toEqual({ newcomer: ErrorCode.UNACCEPTABLE_CREDENTIAL, 'user-7': ErrorCode.NONE });
    expect(altered).toEqual(['user-7']);
  });
});
