// The broker's authorizer (`--authorizer`): the ACL bindings (core/acl) held on the main thread
// and, with disk storage, saved whole to <dataDir>/.lanes/acls.json before a change is answered,
// so an ACL acknowledged as created or deleted is so after a crash; memory storage keeps them for
// the process's life. Reads (every authorized request) never touch the disk.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AclBinding, AclFilter, AclOperationCode, AclSubject, ResourceTypeCode } from '../../core/acl/acl.js';
import type { AclAuthority } from '../../core/acl/acl_authority.js';
import { AclStore, type CreateOutcome, type DeleteOutcome } from '../../core/acl/acl_store.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import { aclsFileName } from '../data_dir_layout.js';
import { DataDirError } from './data_dir_error.js';
import { replaceFileDurably } from './durable_file.js';

export interface HostAclsOptions {
  /** Where acls.json lives; null: memory storage, nothing saved. */
  dataDir: string | null;
  /** Kafka's super.users: principals allowed everything (`User:admin`). */
  superUsers: readonly string[];
}

const fileVersion = 1;

export class HostAcls implements AclAuthority {
  #store: AclStore;
  readonly #file: string | null;
  readonly #superUsers: readonly string[];

  private constructor(store: AclStore, file: string | null, superUsers: readonly string[]) {
    this.#store = store;
    this.#file = file;
    this.#superUsers = superUsers;
  }

  /** Reads the saved bindings (a broker's first start with an authorizer has none). */
  static open(options: HostAclsOptions): HostAcls {
    const file = options.dataDir === null ? null : join(options.dataDir, aclsFileName);
    const saved = file !== null && existsSync(file) ? readSaved(file) : [];
    return new HostAcls(new AclStore(options.superUsers, saved), file, options.superUsers);
  }

  authorize(subject: AclSubject, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string): boolean {
    return this.#store.authorize(subject, operation, resourceType, resourceName);
  }

  describe(filter: AclFilter): { bindings: AclBinding[] } | { error: string } {
    return this.#store.describe(filter);
  }

  async create(bindings: readonly AclBinding[]): Promise<CreateOutcome[]> {
    const before = this.#store.bindings().slice();
    const outcomes = this.#store.create(bindings);
    if (this.#store.bindings().length !== before.length) this.#saveOrRestore(before);
    return outcomes;
  }

  async delete(filters: readonly AclFilter[]): Promise<DeleteOutcome[]> {
    const before = this.#store.bindings().slice();
    const outcomes = this.#store.delete(filters);
    if (this.#store.bindings().length !== before.length) this.#saveOrRestore(before);
    return outcomes;
  }

  /** Saves the new list; if that fails, the old one stays in force and the request answers KAFKA_STORAGE_ERROR. */
  #saveOrRestore(before: readonly AclBinding[]): void {
    if (this.#file === null) return;
    try {
      replaceFileDurably(this.#file, JSON.stringify({ version: fileVersion, bindings: this.#store.bindings() }, null, 2));
    } catch (error) {
      this.#store = new AclStore(this.#superUsers, before);
      throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `the ACLs could not be saved: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}

function readSaved(file: string): AclBinding[] {
  let saved: { version?: unknown; bindings?: unknown };
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
  } catch (error) {
    throw new DataDirError(`ACL file ${file} is unreadable: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (saved.version !== fileVersion || !Array.isArray(saved.bindings)) throw new DataDirError(`ACL file ${file} has an unknown version ${String(saved.version)}`);
  // The store drops bindings whose codes are not valid; fields of the wrong type are dropped here.
  return (saved.bindings as unknown[]).filter(isBindingShaped);
}

function isBindingShaped(value: unknown): value is AclBinding {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  return (
    typeof b.resourceName === 'string' && typeof b.principal === 'string' && typeof b.host === 'string' &&
    [b.resourceType, b.patternType, b.operation, b.permission].every((code) => typeof code === 'number')
  );
}
