// Access control lists as Kafka defines them (KIP-290's patterns, Kafka's StandardAuthorizer
// rules): a binding names a resource pattern (type, name, LITERAL or PREFIXED) and an entry
// (principal, host, operation, ALLOW or DENY). The numeric codes are the wire's, shared by the
// ACL APIs and the authorizer. Pure: the broker keeps the bindings (acl_store.ts), the handlers
// ask `authorize`.

/** The resource types of the ACL APIs (Kafka's ResourceType codes). */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];

/** How a binding's resource name is read (Kafka's PatternType codes); ANY and MATCH only filter. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternTypeCode = (typeof PatternType)[keyof typeof PatternType];

/** Kafka's AclOperation codes. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
  TWO_PHASE_COMMIT: 15,
} as const;
export type AclOperationCode = (typeof AclOperation)[keyof typeof AclOperation];

/** Kafka's AclPermissionType codes. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type AclPermissionCode = (typeof AclPermission)[keyof typeof AclPermission];

/** The one name a CLUSTER resource has (Kafka's). */
export const clusterResourceName = 'kafka-cluster';
/** A LITERAL binding with this name matches every resource of its type. */
export const wildcardResourceName = '*';
/** A binding for this principal matches every principal; this host, every host. */
export const wildcardPrincipal = 'User:*';
export const wildcardHost = '*';
/** The principal of a connection that did not authenticate (a PLAINTEXT or SSL listener without client certificates). */
export const anonymousPrincipal = 'User:ANONYMOUS';

/** One ACL: who may (or may not) do what to which resources, from where. */
export interface AclBinding {
  resourceType: ResourceTypeCode;
  resourceName: string;
  patternType: PatternTypeCode;
  principal: string;
  host: string;
  operation: AclOperationCode;
  permission: AclPermissionCode;
}

/** What DescribeAcls and DeleteAcls select: null names, principals and hosts, and ANY codes, match anything. */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permission: number;
}

const resourceTypeCodes: ReadonlySet<number> = new Set(Object.values(ResourceType));
const patternTypeCodes: ReadonlySet<number> = new Set(Object.values(PatternType));
const operationCodes: ReadonlySet<number> = new Set(Object.values(AclOperation));
const permissionCodes: ReadonlySet<number> = new Set(Object.values(AclPermission));

/** `Type:name` with both parts present (Kafka's KafkaPrincipal form). */
function isPrincipal(text: string): boolean {
  const colon = text.indexOf(':');
  return colon > 0 && colon < text.length - 1;
}

/**
 * Why CreateAcls refuses a binding, or null when it is storable: every code must be a concrete
 * one (no ANY, MATCH or UNKNOWN), the name non-empty, a CLUSTER binding named kafka-cluster, the
 * principal `Type:name`. Kafka answers these with INVALID_REQUEST.
 */
export function invalidBindingReason(binding: AclBinding): string | null {
  const { resourceType, patternType, operation, permission } = binding;
  if (!resourceTypeCodes.has(resourceType) || resourceType === ResourceType.ANY || resourceType === ResourceType.UNKNOWN) {
    return `resource type ${resourceType} is not one an ACL can name`;
  }
  if (patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED) {
    return `pattern type ${patternType} is not LITERAL (3) or PREFIXED (4)`;
  }
  if (binding.resourceName.length === 0) return 'the resource name is empty';
  if (resourceType === ResourceType.CLUSTER && (binding.resourceName !== clusterResourceName || patternType !== PatternType.LITERAL)) {
    return `a CLUSTER resource is the LITERAL name "${clusterResourceName}"`;
  }
  if (!operationCodes.has(operation) || operation === AclOperation.ANY || operation === AclOperation.UNKNOWN) {
    return `operation ${operation} is not one an ACL can name`;
  }
  if (permission !== AclPermission.ALLOW && permission !== AclPermission.DENY) {
    return `permission type ${permission} is not ALLOW (3) or DENY (2)`;
  }
  if (!isPrincipal(binding.principal)) return 'the principal is not of the form Type:name (e.g. User:alice)';
  if (binding.host.length === 0) return 'the host is empty (use * for every host)';
  return null;
}

/** Why DescribeAcls or DeleteAcls refuses a filter (an UNKNOWN or out-of-range code), or null. */
export function invalidFilterReason(filter: AclFilter): string | null {
  if (!resourceTypeCodes.has(filter.resourceType) || filter.resourceType === ResourceType.UNKNOWN) return `resource type ${filter.resourceType} is unknown`;
  if (!patternTypeCodes.has(filter.patternType) || filter.patternType === PatternType.UNKNOWN) return `pattern type ${filter.patternType} is unknown`;
  if (!operationCodes.has(filter.operation) || filter.operation === AclOperation.UNKNOWN) return `operation ${filter.operation} is unknown`;
  if (!permissionCodes.has(filter.permission) || filter.permission === AclPermission.UNKNOWN) return `permission type ${filter.permission} is unknown`;
  return null;
}

/** Whether a binding's pattern covers a resource name (LITERAL: equal or `*`; PREFIXED: a prefix of it). */
export function patternCovers(patternType: number, patternName: string, name: string): boolean {
  if (patternType === PatternType.LITERAL) return patternName === name || patternName === wildcardResourceName;
  if (patternType === PatternType.PREFIXED) return name.startsWith(patternName);
  return false;
}

/** Kafka's ResourcePatternFilter.matches and AccessControlEntryFilter.matches together. */
export function filterMatches(filter: AclFilter, binding: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== binding.resourceType) return false;
  if (filter.patternType !== PatternType.ANY && filter.patternType !== PatternType.MATCH && filter.patternType !== binding.patternType) return false;
  if (filter.resourceName !== null) {
    if (filter.patternType === PatternType.MATCH) {
      if (!patternCovers(binding.patternType, binding.resourceName, filter.resourceName)) return false;
    } else if (filter.resourceName !== binding.resourceName) {
      return false;
    }
  }
  if (filter.principal !== null && filter.principal !== binding.principal) return false;
  if (filter.host !== null && filter.host !== binding.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== binding.operation) return false;
  if (filter.permission !== AclPermission.ANY && filter.permission !== binding.permission) return false;
  return true;
}

/** Two bindings are the same ACL when every field is equal (CreateAcls of an existing one changes nothing). */
export function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permission === b.permission
  );
}

/**
 * The operations whose ALLOW also allows `operation`: itself and ALL, and, as in Kafka, DESCRIBE
 * for anyone allowed READ, WRITE, DELETE or ALTER, DESCRIBE_CONFIGS for anyone allowed
 * ALTER_CONFIGS. A DENY denies only its own operation (or ALL of them).
 */
function allowingOperations(operation: AclOperationCode): readonly number[] {
  if (operation === AclOperation.DESCRIBE) {
    return [AclOperation.DESCRIBE, AclOperation.ALL, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER];
  }
  if (operation === AclOperation.DESCRIBE_CONFIGS) return [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALL, AclOperation.ALTER_CONFIGS];
  return [operation, AclOperation.ALL];
}

/** Who is asking, from where (the connection's authenticated principal and its address). */
export interface AclSubject {
  principal: string;
  host: string;
}

/** The bindings that could apply to one resource type, as the store hands them out. */
export type BindingsOfType = (resourceType: ResourceTypeCode) => readonly AclBinding[];

/**
 * Kafka's rule: super users may do anything; otherwise a matching DENY for the operation (or
 * ALL) refuses, then a matching ALLOW of the operation or one that implies it admits; with no
 * matching ALLOW the answer is no (Kafka's allow.everyone.if.no.acl.found = false). A binding
 * matches when its pattern covers the name, its principal is the subject's or `User:*`, and its
 * host is the subject's or `*`.
 */
export function authorize(
  bindingsOf: BindingsOfType,
  superUsers: ReadonlySet<string>,
  subject: AclSubject,
  operation: AclOperationCode,
  resourceType: ResourceTypeCode,
  resourceName: string,
): boolean {
  if (superUsers.has(subject.principal)) return true;
  const allowing = allowingOperations(operation);
  let allowed = false;
  for (const binding of bindingsOf(resourceType)) {
    if (binding.principal !== subject.principal && binding.principal !== wildcardPrincipal) continue;
    if (binding.host !== subject.host && binding.host !== wildcardHost) continue;
    if (!patternCovers(binding.patternType, binding.resourceName, resourceName)) continue;
    if (binding.permission === AclPermission.DENY) {
      if (binding.operation === operation || binding.operation === AclOperation.ALL) return false;
    } else if (!allowed && allowing.includes(binding.operation)) {
      allowed = true;
    }
  }
  return allowed;
}
