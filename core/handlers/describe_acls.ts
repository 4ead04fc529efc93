// DescribeAcls: the bindings one filter matches, grouped by resource pattern in the order the
// patterns were first created. Without an authorizer: SECURITY_DISABLED (Kafka's answer); a
// client needs DESCRIBE on the cluster; a filter with an unknown code is INVALID_REQUEST.
import type { AclBinding } from '../acl/acl.js';
import { ErrorCode } from '../errors.js';
import { describeAclsApi } from '../protocol/messages/describe_acls.js';
import { AclOperation, mayOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

export const securityDisabledMessage = 'no authorizer is configured on the broker (start it with --authorizer)';

export const describeAcls = defineHandler({
  api: describeAclsApi,
  async handle(ctx, request) {
    const failed = (errorCode: number, errorMessage: string) => ({ throttleTimeMs: 0, errorCode, errorMessage, resources: [] });
    if (ctx.acls === undefined || ctx.acls === null) return failed(ErrorCode.SECURITY_DISABLED, securityDisabledMessage);
    if (!mayOnCluster(ctx, AclOperation.DESCRIBE)) return failed(ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'DescribeAcls needs DESCRIBE on the cluster');
    const described = ctx.acls.describe({
      resourceType: request.resourceTypeFilter,
      resourceName: request.resourceNameFilter,
      patternType: request.patternTypeFilter,
      principal: request.principalFilter,
      host: request.hostFilter,
      operation: request.operation,
      permission: request.permissionType,
    });
    if ('error' in described) return failed(ErrorCode.INVALID_REQUEST, described.error);
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: groupByResource(described.bindings) };
  },
});

function groupByResource(bindings: readonly AclBinding[]) {
  const resources = new Map<string, { resourceType: number; resourceName: string; patternType: number; acls: { principal: string; host: string; operation: number; permissionType: number }[] }>();
  for (const binding of bindings) {
    const key = `${binding.resourceType}\u0000${binding.patternType}\u0000${binding.resourceName}`;
    let resource = resources.get(key);
    if (resource === undefined) {
      resource = { resourceType: binding.resourceType, resourceName: binding.resourceName, patternType: binding.patternType, acls: [] };
      resources.set(key, resource);
    }
    resource.acls.push({ principal: binding.principal, host: binding.host, operation: binding.operation, permissionType: binding.permission });
  }
  return [...resources.values()];
}
