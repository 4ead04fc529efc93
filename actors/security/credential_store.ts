// The SCRAM credentials of a broker (core/security/credentials.ts's CredentialStore): in memory
// for memory storage, else in <dataDir>/.lanes/scram_credentials.json, which holds per user and
// mechanism the salt, the iteration count, the stored key and the server key (RFC 5802), never a
// password nor the salted password. Written atomically (host/durable_file.ts: temporary file, fsync,
// rename, directory fsync), mode 0600; alterations are applied one at a time, in order. Main thread.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialStore, UserCredentials } from '../../core/security/credentials.js';
import { scramMechanisms, type ScramCredential, type ScramMechanism } from '../../core/security/scram.js';
import { scramCredentialsFileName } from '../data_dir_layout.js';
import { replaceFileDurably } from '../host/durable_file.js';

interface SavedCredential {
  salt: string;
  iterations: number;
  storedKey: string;
  serverKey: string;
}

interface SavedFile {
  version: 1;
  users: Record<string, Partial<Record<ScramMechanism, SavedCredential>>>;
}

export class CredentialFileError extends Error {
  override name = 'CredentialFileError';
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytesOf = (text: unknown, file: string, what: string): Uint8Array => {
  if (typeof text !== 'string' || text === '') throw new CredentialFileError(`${file}: ${what} is not base64 text`);
  return new Uint8Array(Buffer.from(text, 'base64'));
};

export class FileCredentialStore implements CredentialStore {
  readonly #file: string | null;
  #users = new Map<string, Map<ScramMechanism, ScramCredential>>();
  #writes: Promise<void> = Promise.resolve();

  private constructor(file: string | null) {
    this.#file = file;
  }

  /** Credentials kept in memory only (memory storage, tests). */
  static inMemory(): FileCredentialStore {
    return new FileCredentialStore(null);
  }

  /** The credentials of a data directory (whose internal subtree exists); none yet is an empty store. */
  static async open(dataDir: string): Promise<FileCredentialStore> {
    const store = new FileCredentialStore(join(dataDir, scramCredentialsFileName));
    await store.#load();
    return store;
  }

  credential(user: string, mechanism: ScramMechanism): ScramCredential | undefined {
    return this.#users.get(user)?.get(mechanism);
  }

  users(): ReadonlyMap<string, UserCredentials> {
    return this.#users;
  }

  alter(deletions: readonly { user: string; mechanism: ScramMechanism }[], upserts: readonly { user: string; mechanism: ScramMechanism; credential: ScramCredential }[]): Promise<void> {
    const run = this.#writes.then(async () => {
      const next = new Map([...this.#users].map(([user, credentials]) => [user, new Map(credentials)]));
      for (const { user, mechanism } of deletions) {
        next.get(user)?.delete(mechanism);
        if (next.get(user)?.size === 0) next.delete(user);
      }
      for (const { user, mechanism, credential } of upserts) {
        if (!next.has(user)) next.set(user, new Map());
        next.get(user)!.set(mechanism, credential);
      }
      await this.#save(next);
      // Logins see the change once it is durable.
      this.#users = next;
    });
    this.#writes = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<void> {
    const file = this.#file!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new CredentialFileError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let saved: SavedFile;
    try {
      saved = JSON.parse(text) as SavedFile;
    } catch (error) {
      throw new CredentialFileError(`${file}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (saved?.version !== 1 || typeof saved.users !== 'object' || saved.users === null) throw new CredentialFileError(`${file}: unknown version ${String(saved?.version)}`);
    for (const [user, byMechanism] of Object.entries(saved.users)) {
      const credentials = new Map<ScramMechanism, ScramCredential>();
      for (const mechanism of scramMechanisms) {
        const entry = byMechanism?.[mechanism];
        if (entry === undefined) continue;
        if (!Number.isInteger(entry.iterations) || entry.iterations < 1) throw new CredentialFileError(`${file}: ${user} ${mechanism}: iterations is not a positive integer`);
        credentials.set(mechanism, {
          salt: bytesOf(entry.salt, file, `${user} ${mechanism} salt`),
          iterations: entry.iterations,
          storedKey: bytesOf(entry.storedKey, file, `${user} ${mechanism} storedKey`),
          serverKey: bytesOf(entry.serverKey, file, `${user} ${mechanism} serverKey`),
        });
      }
      if (credentials.size > 0) this.#users.set(user, credentials);
    }
  }

  async #save(users: ReadonlyMap<string, ReadonlyMap<ScramMechanism, ScramCredential>>): Promise<void> {
    if (this.#file === null) return;
    const saved: SavedFile = { version: 1, users: {} };
    for (const [user, credentials] of users) {
      const entry: Partial<Record<ScramMechanism, SavedCredential>> = {};
      for (const [mechanism, credential] of credentials) {
        entry[mechanism] = { salt: base64(credential.salt), iterations: credential.iterations, storedKey: base64(credential.storedKey), serverKey: base64(credential.serverKey) };
      }
      saved.users[user] = entry;
    }
    replaceFileDurably(this.#file, JSON.stringify(saved, null, 2), 0o600);
  }
}
