// The SCRAM credentials a broker checks SASL logins against (PLAIN logins too: a PLAIN password
// is salted with the user's SCRAM salt and compared with the stored key), and the rules for
// changing them (AlterUserScramCredentials, `lanes user add`). Pure: the store that keeps them
// (in memory or in the data directory) lives in actors/security/.
import { scramUserNameCharsMax } from '../limits.js';
import { scramHash, type ScramCredential, type ScramMechanism } from './scram.js';

/** Kafka's bounds on SCRAM iterations (ScramMechanism.minIterations / maxIterations). */
export const scramIterationsMin = 4096;
export const scramIterationsMax = 16384;
/** What `lanes user add` uses: Kafka's default for kafka-configs. */
export const scramIterationsDefault = 8192;

/** One user's credentials, by mechanism. */
export type UserCredentials = ReadonlyMap<ScramMechanism, ScramCredential>;

/** What handlers and logins read and change; the host's store implements it. */
export interface CredentialStore {
  credential(user: string, mechanism: ScramMechanism): ScramCredential | undefined;
  /** Every user with at least one credential, by name. */
  users(): ReadonlyMap<string, UserCredentials>;
  /**
   * Applies deletions then upserts, durably (once this resolves, a restart keeps them). Checked
   * by the caller (`credentialProblem`, existence for deletions).
   */
  alter(deletions: readonly { user: string; mechanism: ScramMechanism }[], upserts: readonly { user: string; mechanism: ScramMechanism; credential: ScramCredential }[]): Promise<void>;
}

/** Why a credential upsert is unacceptable (Kafka's UNACCEPTABLE_CREDENTIAL), or null. */
export function credentialProblem(user: string, mechanism: ScramMechanism, iterations: number, salt: Uint8Array, saltedPassword: Uint8Array): string | null {
  if (user === '') return 'Username must not be empty';
  if (user.length > scramUserNameCharsMax) return `Username must be at most ${scramUserNameCharsMax} characters`;
  if (!Number.isInteger(iterations) || iterations < scramIterationsMin) return `Too few iterations: ${mechanism} needs at least ${scramIterationsMin}`;
  if (iterations > scramIterationsMax) return `Too many iterations: ${mechanism} allows at most ${scramIterationsMax}`;
  if (salt.length === 0) return 'Salt must not be empty';
  if (saltedPassword.length !== scramHash(mechanism).bytes) return `Salted password must be ${scramHash(mechanism).bytes} bytes for ${mechanism}`;
  return null;
}
