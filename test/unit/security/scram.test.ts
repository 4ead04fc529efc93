// The server side of SCRAM (core/security/scram.ts): RFC 7677's SHA-256 example exchange byte for
// byte, then any user name and password (fast-check) through a client written from RFC 5802
// here: the right password is accepted and the server proven, any other refused as bad
// credentials, and a client-final message that tampers with the nonce or channel binding refused.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scramCredential, scramHash, ScramServerExchange, type ScramCredential, type ScramMechanism } from '../../../core/security/scram.js';

function rfcCredential(): ScramCredential {
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  return scramCredential('SCRAM-SHA-256', pbkdf2Sync('pencil', salt, 4096, 32, 'sha256'), salt, 4096);
}

describe('SCRAM-SHA-256, RFC 7677 section 3', () => {
  it('answers the example exchange with its server-first and server-final messages', () => {
    const exchange = new ScramServerExchange('SCRAM-SHA-256');
    const first = exchange.first('n,,n=user,r=rOprNGfwEbeRWgbNEkqO', (user) => (user === 'user' ? rfcCredential() : undefined), '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    expect(first).toEqual({ ok: true, message: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096' });
    const final = exchange.final('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(final).toEqual({ ok: true, message: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=' });
    expect(exchange.user).toBe('user');
  });

  it('refuses an unknown user as bad credentials', () => {
    const exchange = new ScramServerExchange('SCRAM-SHA-256');
    expect(exchange.first('n,,n=nobody,r=abc', () => undefined, 'xyz')).toMatchObject({ ok: false, badCredentials: true });
    expect(exchange.user).toBeNull();
  });
});

/** RFC 5802's client: the client-final message for a password, and the server signature it expects. */
function clientFinal(mechanism: ScramMechanism, password: string, clientFirstBare: string, serverFirst: string): { message: string; serverSignature: string } {
  const { name, bytes } = scramHash(mechanism);
  const fields = new Map(serverFirst.split(',').map((part) => [part[0], part.slice(2)]));
  const salted = pbkdf2Sync(password, Buffer.from(fields.get('s')!, 'base64'), Number(fields.get('i')), bytes, name);
  const clientKey = createHmac(name, salted).update('Client Key').digest();
  const storedKey = createHash(name).update(clientKey).digest();
  const withoutProof = `c=biws,r=${fields.get('r')}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = createHmac(name, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((byte, index) => byte ^ signature[index]));
  const serverKey = createHmac(name, salted).update('Server Key').digest();
  return { message: `${withoutProof},p=${proof.toString('base64')}`, serverSignature: `v=${createHmac(name, serverKey).update(authMessage).digest('base64')}` };
}

const saslName = (user: string): string => user.replace(/=/g, '=3D').replace(/,/g, '=2C');

describe('SCRAM with any user and password', () => {
  const mechanism = fc.constantFrom<ScramMechanism>('SCRAM-SHA-256', 'SCRAM-SHA-512');
  const user = fc.string({ minLength: 1, maxLength: 12 });
  const password = fc.string({ minLength: 1, maxLength: 16 });

  it('accepts the password and proves the server; refuses any other password as bad credentials', () => {
    fc.assert(
      fc.property(mechanism, user, password, password, fc.uint8Array({ minLength: 1, maxLength: 24 }), (mech, name, right, other, salt) => {
        const credential = scramCredential(mech, pbkdf2Sync(right, salt, 4096, scramHash(mech).bytes, scramHash(mech).name), salt, 4096);
        const bare = `n=${saslName(name)},r=clientnonce`;
        for (const attempt of [right, other]) {
          const exchange = new ScramServerExchange(mech);
          const first = exchange.first(`n,,${bare}`, (asked) => (asked === name ? credential : undefined), 'servernonce');
          expect(first.ok).toBe(true);
          if (!first.ok) return;
          const { message, serverSignature } = clientFinal(mech, attempt, bare, first.message);
          const final = exchange.final(message);
          if (attempt === right) {
            expect(final).toEqual({ ok: true, message: serverSignature });
            expect(exchange.user).toBe(name);
          } else {
            expect(final).toMatchObject({ ok: false, badCredentials: true });
            expect(exchange.user).toBeNull();
          }
        }
      }),
      { numRuns: 25 },
    );
  });

  it('refuses a client-final message whose nonce or channel binding differs', () => {
    const credential = rfcCredential();
    for (const tamper of [(text: string) => text.replace('r=client', 'r=CLIENT'), (text: string) => text.replace('c=biws', 'c=eSws')]) {
      const exchange = new ScramServerExchange('SCRAM-SHA-256');
      const first = exchange.first('n,,n=user,r=client', () => credential, 'server');
      if (!first.ok) throw new Error('first failed');
      const final = exchange.final(tamper(clientFinal('SCRAM-SHA-256', 'pencil', 'n=user,r=client', first.message).message));
      expect(final.ok).toBe(false);
      expect(exchange.user).toBeNull();
    }
  });
});
