// CreateAcls: adds bindings, one result per creation in request order, answered once the new
// list is saved. Without an authorizer every result is SECURITY_DISABLED; a client needs ALTER
// on the cluster (CLUSTER_AUTHORIZATION_FAILED for each otherwise); a binding Kafka would refuse
// (an ANY or UNKNOWN code, an empty name, a principal not `Type:name`) is INVALID_REQUEST with
// the reason; a binding that already exists is a success that changes nothing.
import type { AclBinding, AclOperationCode, AclPermissionCode, PatternTypeCode, ResourceTypeCode } from '../acl/acl.js';
import { ErrorCode } from '../errors.js';
import { createAclsApi } from '../protocol/messages/create_acls.js';
import { AclOperation, mayOnCluster } from './authorize.js';
import { securityDisabledMessage } from './describe_acls.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler } from './handler.js';

export const createAcls = defineHandler({
  api: createAclsApi,
  async handle(ctx, request) {
    const all = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode, errorMessage })) });
    if (ctx.acls === undefined || ctx.acls === null) return all(ErrorCode.SECURITY_DISABLED, securityDisabledMessage);
    if (!mayOnCluster(ctx, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'CreateAcls needs ALTER on the cluster');
    // The codes are checked by the store; the casts only carry the wire's numbers there.
    const bindings: AclBinding[] = request.creations.map((creation) => ({
      resourceType: creation.resourceType as ResourceTypeCode,
      resourceName: creation.resourceName,
      patternType: creation.resourcePatternType as PatternTypeCode,
      principal: creation.principal,
      host: creation.host,
      operation: creation.operation as AclOperationCode,
      permission: creation.permissionType as AclPermissionCode,
    }));
    try {
      const outcomes = await ctx.acls.create(bindings);
      return {
        throttleTimeMs: 0,
        results: outcomes.map((reason) => (reason === null ? { errorCode: ErrorCode.NONE, errorMessage: null } : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: reason })),
      };
    } catch (error) {
      return all(errorCodeOf(error), errorMessageOf(error));
    }
  },
});
