// DeleteAcls: removes what each filter matches and answers the removed bindings, per filter in
// request order, once the new list is saved. Without an authorizer every filter answers
// SECURITY_DISABLED; a client needs ALTER on the cluster; a filter with an unknown code is
// INVALID_REQUEST with the reason (and removes nothing).
import type { AclFilter } from '../acl/acl.js';
import { ErrorCode } from '../errors.js';
import { deleteAclsApi } from '../protocol/messages/delete_acls.js';
import { AclOperation, mayOnCluster } from './authorize.js';
import { securityDisabledMessage } from './describe_acls.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler } from './handler.js';

export const deleteAcls = defineHandler({
  api: deleteAclsApi,
  async handle(ctx, request) {
    const all = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode, errorMessage, matchingAcls: [] })),
    });
    if (ctx.acls === undefined || ctx.acls === null) return all(ErrorCode.SECURITY_DISABLED, securityDisabledMessage);
    if (!mayOnCluster(ctx, AclOperation.ALTER)) return all(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DeleteAcls needs ALTER on the cluster');
    const filters: AclFilter[] = request.filters.map((filter) => ({
      resourceType: filter.resourceTypeFilter,
      resourceName: filter.resourceNameFilter,
      patternType: filter.patternTypeFilter,
      principal: filter.principalFilter,
      host: filter.hostFilter,
      operation: filter.operation,
      permission: filter.permissionType,
    }));
    try {
      const outcomes = await ctx.acls.delete(filters);
      return {
        throttleTimeMs: 0,
        filterResults: outcomes.map((outcome) =>
          'error' in outcome
            ? { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: outcome.error, matchingAcls: [] }
            : {
                errorCode: ErrorCode.NONE,
                errorMessage: null,
                matchingAcls: outcome.removed.map((binding) => ({
                  errorCode: ErrorCode.NONE,
                  errorMessage: null,
                  resourceType: binding.resourceType,
                  resourceName: binding.resourceName,
                  patternType: binding.patternType,
                  principal: binding.principal,
                  host: binding.host,
                  operation: binding.operation,
                  permissionType: binding.permission,
                })),
              },
        ),
      };
    } catch (error) {
      return all(errorCodeOf(error), errorMessageOf(error));
    }
  },
});
