// What the request handlers see of the broker's authorizer: a question per resource, and the
// three ACL APIs' changes, which the host answers only once they are saved (a binding that was
// acknowledged as created or deleted stays so after a restart).
import type { AclBinding, AclFilter, AclOperationCode, AclSubject, ResourceTypeCode } from './acl.js';
import type { CreateOutcome, DeleteOutcome } from './acl_store.js';

export interface AclAuthority {
  authorize(subject: AclSubject, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string): boolean;
  describe(filter: AclFilter): { bindings: AclBinding[] } | { error: string };
  create(bindings: readonly AclBinding[]): Promise<CreateOutcome[]>;
  delete(filters: readonly AclFilter[]): Promise<DeleteOutcome[]>;
}
