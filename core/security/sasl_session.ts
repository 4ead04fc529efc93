// One connection's SASL state on a SASL_PLAINTEXT or SASL_SSL listener, as Kafka's
// SaslServerAuthenticator keeps it:
//
//   handshake ──SaslHandshake(enabled mechanism)──▶ authenticate ──SaslAuthenticate…──▶ authenticated
//        │                                              │ wrong password, bad message
//        └── unknown mechanism ──────────────────────────┴──▶ failed (answered, then closed)
//
// Before authentication only ApiVersions, SaslHandshake and SaslAuthenticate are served; any
// other request closes the connection (Kafka: "Unexpected Kafka request … during SASL
// handshake"). Once authenticated the principal is `User:<name>`. With a session lifetime
// (KIP-368), a request other than those three after it ends closes the connection; the client
// re-authenticates before that with a new SaslHandshake and SaslAuthenticate on the same
// connection, with the same mechanism and user, while its other requests keep being served.
// Pure: the clock, the server nonce's randomness and PBKDF2 (slow, so off the event loop's
// critical path) come from the SaslAuthority.
import type { Clock } from '../clock.js';
import { ErrorCode } from '../errors.js';
import type { CredentialStore } from './credentials.js';
import { parsePlainToken } from './sasl_plain.js';
import { matchesSaltedPassword, scramMechanisms, ScramServerExchange, type ScramMechanism } from './scram.js';

export const saslMechanisms = ['PLAIN', ...scramMechanisms] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/** What a SASL listener's connections share: enabled mechanisms, the credentials, time and randomness. */
export interface SaslAuthority {
  readonly mechanisms: readonly SaslMechanism[];
  readonly credentials: CredentialStore;
  /** Kafka's connections.max.reauth.ms: 0 means sessions do not expire. */
  readonly sessionLifetimeMs: number;
  readonly clock: Clock;
  /** A fresh server nonce: printable, no commas (base64 of random bytes). */
  nonce(): string;
  /** PBKDF2 of a PLAIN password with a credential's salt and iterations. */
  saltPassword(mechanism: ScramMechanism, password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array>;
}

export interface SaslAnswer {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly authBytes: Uint8Array;
  /** KIP-368: how long the session lasts (0: no limit), in SaslAuthenticate v1+ answers. */
  readonly sessionLifetimeMs: number;
}

/** SaslAuthenticate and SaslHandshake's api keys: served before authentication, with ApiVersions (18). */
const saslHandshakeKey = 17;
const saslAuthenticateKey = 36;
const apiVersionsKey = 18;

const empty = new Uint8Array(0);

export class SaslSession {
  readonly #authority: SaslAuthority;
  #state: 'handshake' | 'authenticate' | 'authenticated' | 'failed' = 'handshake';
  #mechanism: SaslMechanism | null = null;
  #scram: ScramServerExchange | null = null;
  #user: string | null = null;
  /** Clock ms after which the session has ended; Infinity: never. */
  #expiresAtMs = Infinity;
  /** A re-authentication is under way (KIP-368): the old session serves until it ends. */
  #reauthenticating = false;
  /** SCRAM: the server-first message was sent; the next token is the client-final one. */
  #scramFirstDone = false;

  constructor(authority: SaslAuthority) {
    this.#authority = authority;
  }

  /** Kafka's principal: `User:<name>` once authenticated, else null. */
  get principal(): string | null {
    return this.#user === null || this.#state === 'failed' ? null : `User:${this.#user}`;
  }

  get mechanism(): SaslMechanism | null {
    return this.#mechanism;
  }

  /** The last answer failed authentication: close the connection once it is written. */
  get mustClose(): boolean {
    return this.#state === 'failed';
  }

  /** Null if a request with this api key may be served now, else why the connection closes. */
  refusal(apiKey: number): string | null {
    if (apiKey === apiVersionsKey || apiKey === saslHandshakeKey || apiKey === saslAuthenticateKey) return null;
    if (this.#state === 'failed') return 'request after a failed SASL authentication';
    if (this.#user === null) return `api key ${apiKey} before SASL authentication (only ApiVersions, SaslHandshake and SaslAuthenticate are served until then)`;
    if (this.#authority.clock.nowMs() >= this.#expiresAtMs) return 'SASL session expired (the client did not re-authenticate in time)';
    return null;
  }

  handshake(mechanism: string): { errorCode: number; mechanisms: string[] } {
    const enabled = [...this.#authority.mechanisms];
    const reauthentication = this.#state === 'authenticated';
    if (this.#state !== 'handshake' && !reauthentication) {
      this.#fail();
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: enabled };
    }
    const known = enabled.find((name) => name === mechanism);
    if (known === undefined || (reauthentication && known !== this.#mechanism)) {
      this.#fail();
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: reauthentication && this.#mechanism !== null ? [this.#mechanism] : enabled };
    }
    this.#mechanism = known;
    this.#reauthenticating = reauthentication;
    this.#scram = known === 'PLAIN' ? null : new ScramServerExchange(known);
    this.#scramFirstDone = false;
    this.#state = 'authenticate';
    return { errorCode: ErrorCode.NONE, mechanisms: enabled };
  }

  async authenticate(token: Uint8Array): Promise<SaslAnswer> {
    const mechanism = this.#mechanism;
    if (this.#state !== 'authenticate' || mechanism === null) {
      const afterSuccess = this.#state === 'authenticated';
      this.#fail();
      return this.#answer(ErrorCode.ILLEGAL_SASL_STATE, afterSuccess ? 'SaslAuthenticate request received after successful authentication' : 'SaslAuthenticate before SaslHandshake');
    }
    if (mechanism === 'PLAIN') return this.#plain(token);
    const exchange = this.#scram!;
    const text = Buffer.from(token).toString('utf8');
    const step = !this.#scramFirstDone ? exchange.first(text, (user) => this.#authority.credentials.credential(user, exchange.mechanism), this.#authority.nonce()) : exchange.final(text);
    if (!step.ok) return this.#failed(mechanism, step.badCredentials, step.reason);
    if (!this.#scramFirstDone) {
      this.#scramFirstDone = true;
      return this.#answer(ErrorCode.NONE, null, Buffer.from(step.message, 'utf8'));
    }
    return this.#succeed(exchange.user!, Buffer.from(step.message, 'utf8'));
  }

  async #plain(token: Uint8Array): Promise<SaslAnswer> {
    const parsed = parsePlainToken(token);
    if (parsed === null) return this.#failed('PLAIN', false, 'malformed PLAIN token');
    const { user, password } = parsed;
    // A PLAIN login is checked against the user's SCRAM credential: salt the password as SCRAM does.
    for (const scram of scramMechanisms) {
      const credential = this.#authority.credentials.credential(user, scram);
      if (credential === undefined) continue;
      const salted = await this.#authority.saltPassword(scram, password, credential.salt, credential.iterations);
      if (!matchesSaltedPassword(scram, credential, salted)) break;
      return this.#succeed(user, empty);
    }
    return this.#failed('PLAIN', true, 'wrong user or password');
  }

  #succeed(user: string, authBytes: Uint8Array): SaslAnswer {
    if (this.#reauthenticating && user !== this.#user) {
      this.#fail();
      return this.#answer(ErrorCode.SASL_AUTHENTICATION_FAILED, 'Cannot change principals during re-authentication');
    }
    this.#user = user;
    this.#state = 'authenticated';
    this.#reauthenticating = false;
    this.#scram = null;
    this.#scramFirstDone = false;
    const lifetime = this.#authority.sessionLifetimeMs;
    this.#expiresAtMs = lifetime > 0 ? this.#authority.clock.nowMs() + lifetime : Infinity;
    return this.#answer(ErrorCode.NONE, null, authBytes, lifetime);
  }

  #failed(mechanism: SaslMechanism, badCredentials: boolean, reason: string): SaslAnswer {
    this.#fail();
    // Kafka's message for bad credentials names no detail (which of user or password was wrong).
    const message = badCredentials ? `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}` : `Authentication failed: ${reason}`;
    return this.#answer(ErrorCode.SASL_AUTHENTICATION_FAILED, message);
  }

  #fail(): void {
    this.#state = 'failed';
    this.#scram = null;
    this.#scramFirstDone = false;
  }

  #answer(errorCode: number, errorMessage: string | null, authBytes: Uint8Array = empty, sessionLifetimeMs = 0): SaslAnswer {
    return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
  }
}
