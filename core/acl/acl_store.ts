// The broker's ACL bindings and what the three ACL APIs do to them: CreateAcls adds (an existing
// binding again changes nothing), DeleteAcls removes what each filter matches, DescribeAcls
// lists what a filter matches. Pure: the host persists `bindings()` after each change and
// hands the last saved list back at start.
import { aclBindingsMax } from '../limits.js';
import {
  authorize,
  filterMatches,
  invalidBindingReason,
  invalidFilterReason,
  sameBinding,
  type AclBinding,
  type AclFilter,
  type AclOperationCode,
  type AclSubject,
  type ResourceTypeCode,
} from './acl.js';

/** Per binding of a CreateAcls, in order: null when stored (or already there), else why not. */
export type CreateOutcome = string | null;

/** Per filter of a DeleteAcls: the bindings it removed, or why the filter was refused. */
export type DeleteOutcome = { removed: AclBinding[] } | { error: string };

export class AclStore {
  #bindings: AclBinding[] = [];
  /** By resource type: what `authorize` scans. Rebuilt on every change (changes are rare). */
  #byType = new Map<number, AclBinding[]>();
  readonly #superUsers: ReadonlySet<string>;

  constructor(superUsers: Iterable<string>, initial: readonly AclBinding[] = []) {
    this.#superUsers = new Set(superUsers);
    this.#bindings = initial.filter((binding) => invalidBindingReason(binding) === null).map((binding) => ({ ...binding }));
    this.#reindex();
  }

  /** Every binding, in the order they were created: what the host saves. */
  bindings(): readonly AclBinding[] {
    return this.#bindings;
  }

  superUsers(): ReadonlySet<string> {
    return this.#superUsers;
  }

  /** Adds each valid binding not already present; bindings past `aclBindingsMax` are refused. */
  create(bindings: readonly AclBinding[]): CreateOutcome[] {
    const outcomes = bindings.map((binding): CreateOutcome => {
      const invalid = invalidBindingReason(binding);
      if (invalid !== null) return invalid;
      if (this.#bindings.some((existing) => sameBinding(existing, binding))) return null;
      if (this.#bindings.length >= aclBindingsMax) return `the broker already holds ${aclBindingsMax} ACL bindings, its limit`;
      this.#bindings.push({ ...binding });
      return null;
    });
    this.#reindex();
    return outcomes;
  }

  /** Removes what each valid filter matches; a binding matched by two filters is reported by the first. */
  delete(filters: readonly AclFilter[]): DeleteOutcome[] {
    const outcomes = filters.map((filter): DeleteOutcome => {
      const invalid = invalidFilterReason(filter);
      if (invalid !== null) return { error: invalid };
      const removed = this.#bindings.filter((binding) => filterMatches(filter, binding));
      if (removed.length > 0) {
        const gone = new Set(removed);
        this.#bindings = this.#bindings.filter((binding) => !gone.has(binding));
      }
      return { removed };
    });
    this.#reindex();
    return outcomes;
  }

  /** The bindings a filter matches, or why the filter was refused. */
  describe(filter: AclFilter): { bindings: AclBinding[] } | { error: string } {
    const invalid = invalidFilterReason(filter);
    if (invalid !== null) return { error: invalid };
    return { bindings: this.#bindings.filter((binding) => filterMatches(filter, binding)) };
  }

  authorize(subject: AclSubject, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string): boolean {
    return authorize((type) => this.#byType.get(type) ?? [], this.#superUsers, subject, operation, resourceType, resourceName);
  }

  #reindex(): void {
    this.#byType = new Map();
    for (const binding of this.#bindings) {
      const list = this.#byType.get(binding.resourceType);
      if (list === undefined) this.#byType.set(binding.resourceType, [binding]);
      else list.push(binding);
    }
  }
}
