// SCRAM (RFC 5802, with SHA-256 per RFC 7677 and SHA-512 as Kafka), the server's side, pure:
// credentials are the salt, the iteration count and two keys derived from the salted password
// (the password itself is never kept, nor anything that logs in without it: the stored key
// verifies a client's proof, the server key proves the server knows the credential). The nonce's
// random part comes from the caller, so the exchange is deterministic under test.
//
//   client-first   n,,n=<user>,r=<client nonce>
//   server-first   r=<client nonce><server nonce>,s=<salt, base64>,i=<iterations>
//   client-final   c=biws,r=<nonce>,p=<client proof, base64>
//   server-final   v=<server signature, base64>
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const scramMechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof scramMechanisms)[number];

/** Kafka's mechanism ids in Describe/AlterUserScramCredentials (ScramMechanism.type()). */
export const scramMechanismIds: Readonly<Record<ScramMechanism, number>> = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 };

export function scramMechanismById(id: number): ScramMechanism | undefined {
  return scramMechanisms.find((mechanism) => scramMechanismIds[mechanism] === id);
}

/** The hash of a mechanism, by node:crypto's name, and its output length. */
export function scramHash(mechanism: ScramMechanism): { name: 'sha256' | 'sha512'; bytes: number } {
  return mechanism === 'SCRAM-SHA-256' ? { name: 'sha256', bytes: 32 } : { name: 'sha512', bytes: 64 };
}

/** One user's credential for one mechanism, as stored. */
export interface ScramCredential {
  readonly salt: Uint8Array;
  readonly iterations: number;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
}

function hmac(hash: string, key: Uint8Array, text: string | Uint8Array): Buffer {
  return createHmac(hash, key).update(text).digest();
}

/** The credential of a salted password (PBKDF2 of the password, computed by whoever holds it). */
export function scramCredential(mechanism: ScramMechanism, saltedPassword: Uint8Array, salt: Uint8Array, iterations: number): ScramCredential {
  const { name } = scramHash(mechanism);
  const clientKey = hmac(name, saltedPassword, 'Client Key');
  return {
    salt: Uint8Array.from(salt),
    iterations,
    storedKey: new Uint8Array(createHash(name).update(clientKey).digest()),
    serverKey: new Uint8Array(hmac(name, saltedPassword, 'Server Key')),
  };
}

/** Whether a salted password (PLAIN's password, salted with the credential's salt) matches the credential. */
export function matchesSaltedPassword(mechanism: ScramMechanism, credential: ScramCredential, saltedPassword: Uint8Array): boolean {
  const derived = scramCredential(mechanism, saltedPassword, credential.salt, credential.iterations);
  return equalBytes(derived.storedKey, credential.storedKey);
}

export function equalBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

/** RFC 5802's saslname: "=2C" and "=3D" stand for "," and "="; any other "=" is malformed. */
function decodeSaslName(text: string): string | null {
  if (/=(?!2C|3D)/.test(text)) return null;
  return text.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function attributes(text: string): Map<string, string> | null {
  const found = new Map<string, string>();
  for (const part of text.split(',')) {
    const match = /^([A-Za-z])=(.*)$/s.exec(part);
    if (match === null || found.has(match[1])) return null;
    found.set(match[1], match[2]);
  }
  return found;
}

const printable = /^[\x21-\x2b\x2d-\x7e]+$/;

export type ScramStep =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly reason: string; readonly badCredentials: boolean };

/**
 * The server's half of one SCRAM exchange. `first` takes the client-first message and the
 * user's credential lookup; `final` the client-final message. Each answers the message to send
 * or why it failed (badCredentials: the user or password is wrong, not the message).
 */
export class ScramServerExchange {
  readonly mechanism: ScramMechanism;
  #state: 'first' | 'final' | 'done' = 'first';
  #user = '';
  #credential: ScramCredential | null = null;
  #nonce = '';
  #clientFirstBare = '';
  #serverFirst = '';
  #gs2Header = '';
  #verified = false;

  constructor(mechanism: ScramMechanism) {
    this.mechanism = mechanism;
  }

  /** The authenticated user, once `final` succeeded. */
  get user(): string | null {
    return this.#verified ? this.#user : null;
  }

  first(message: string, lookup: (user: string) => ScramCredential | undefined, serverNonce: string): ScramStep {
    if (this.#state !== 'first') return { ok: false, reason: 'unexpected client-first message', badCredentials: false };
    this.#state = 'final';
    // gs2-header: no channel binding ("n" or "y"), an optional authzid that must be the user.
    const match = /^([ny]),(a=[^,]*)?,(.*)$/s.exec(message);
    if (match === null) return { ok: false, reason: 'malformed client-first message (channel binding is not supported)', badCredentials: false };
    const bare = match[3];
    const fields = attributes(bare);
    const user = fields === null ? null : decodeSaslName(fields.get('n') ?? '');
    const clientNonce = fields?.get('r');
    if (fields === null || user === null || user === '' || clientNonce === undefined || !printable.test(clientNonce) || fields.has('m')) {
      return { ok: false, reason: 'malformed client-first message', badCredentials: false };
    }
    const authzid = match[2] === undefined ? null : decodeSaslName(match[2].slice(2));
    if (authzid !== null && authzid !== '' && authzid !== user) return { ok: false, reason: 'the authorization id must be the user', badCredentials: true };
    const credential = lookup(user);
    if (credential === undefined) return { ok: false, reason: `no ${this.mechanism} credential for the user`, badCredentials: true };
    this.#user = user;
    this.#credential = credential;
    this.#gs2Header = message.slice(0, message.length - bare.length);
    this.#clientFirstBare = bare;
    this.#nonce = clientNonce + serverNonce;
    this.#serverFirst = `r=${this.#nonce},s=${Buffer.from(credential.salt).toString('base64')},i=${credential.iterations}`;
    return { ok: true, message: this.#serverFirst };
  }

  final(message: string): ScramStep {
    const credential = this.#credential;
    if (this.#state !== 'final' || credential === null) return { ok: false, reason: 'unexpected client-final message', badCredentials: false };
    this.#state = 'done';
    const proofAt = message.lastIndexOf(',p=');
    const fields = proofAt < 0 ? null : attributes(message.slice(0, proofAt));
    if (fields === null || fields.get('c') === undefined || fields.get('r') === undefined) {
      this.#state = 'first';
      this.#credential = null;
      return { ok: false, reason: 'malformed client-final message', badCredentials: false };
    }
    const fail = (reason: string, badCredentials: boolean): ScramStep => {
      this.#credential = null;
      return { ok: false, reason, badCredentials };
    };
    if (fields.get('c') !== Buffer.from(this.#gs2Header).toString('base64')) return fail('channel binding does not match the client-first message', false);
    if (fields.get('r') !== this.#nonce) return fail('the nonce does not match', false);
    const { name, bytes } = scramHash(this.mechanism);
    const proof = Buffer.from(message.slice(proofAt + 3), 'base64');
    if (proof.length !== bytes) return fail('malformed client proof', false);
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${message.slice(0, proofAt)}`;
    const clientSignature = hmac(name, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(bytes);
    for (let index = 0; index < bytes; index++) clientKey[index] = proof[index] ^ clientSignature[index];
    if (!equalBytes(createHash(name).update(clientKey).digest(), credential.storedKey)) return fail('wrong password', true);
    this.#verified = true;
    return { ok: true, message: `v=${hmac(name, credential.serverKey, authMessage).toString('base64')}` };
  }
}
