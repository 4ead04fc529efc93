// The handlers' one question to the authorizer: may this connection do this to that resource?
// Without an authorizer (RequestContext.acls absent or null) the answer is always yes, so the
// default broker pays nothing for ACLs.
import { AclOperation, anonymousPrincipal, clusterResourceName, ResourceType, type AclOperationCode, type ResourceTypeCode } from '../acl/acl.js';
import type { RequestContext } from './handler.js';

type AuthorizeContext = Pick<RequestContext, 'acls' | 'principal' | 'clientHost'>;

/** Kafka writes client addresses as "/1.2.3.4"; ACL hosts are the bare address. */
function hostOf(clientHost: string): string {
  return clientHost.startsWith('/') ? clientHost.slice(1) : clientHost;
}

export function isAllowed(ctx: AuthorizeContext, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string): boolean {
  const acls = ctx.acls;
  if (acls === undefined || acls === null) return true;
  return acls.authorize({ principal: ctx.principal ?? anonymousPrincipal, host: hostOf(ctx.clientHost) }, operation, resourceType, resourceName);
}

export function mayOnTopic(ctx: AuthorizeContext, operation: AclOperationCode, topic: string): boolean {
  return isAllowed(ctx, operation, ResourceType.TOPIC, topic);
}

export function mayOnGroup(ctx: AuthorizeContext, operation: AclOperationCode, group: string): boolean {
  return isAllowed(ctx, operation, ResourceType.GROUP, group);
}

export function mayOnCluster(ctx: AuthorizeContext, operation: AclOperationCode): boolean {
  return isAllowed(ctx, operation, ResourceType.CLUSTER, clusterResourceName);
}

export function mayOnTransactionalId(ctx: AuthorizeContext, operation: AclOperationCode, transactionalId: string): boolean {
  return isAllowed(ctx, operation, ResourceType.TRANSACTIONAL_ID, transactionalId);
}

/** Creating a topic: CREATE on the cluster, or on the topic itself (Kafka's rule). */
export function mayCreateTopic(ctx: AuthorizeContext, topic: string): boolean {
  return mayOnCluster(ctx, AclOperation.CREATE) || mayOnTopic(ctx, AclOperation.CREATE, topic);
}

export { AclOperation };
