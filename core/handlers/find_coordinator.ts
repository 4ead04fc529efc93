// FindCoordinator. This node coordinates every group (key type 0) and every transactional id
// (key type 1), when the broker has those coordinators; otherwise, and for share groups,
// COORDINATOR_NOT_AVAILABLE. Up to v3 one key is asked and answered in the top-level fields;
// from v4 every key of the batch gets its own answer.
import { ErrorCode } from '../errors.js';
import { CoordinatorKeyType, findCoordinatorApi, type FindCoordinatorResponseCoordinator } from '../protocol/messages/find_coordinator.js';
import { AclOperation, mayOnGroup, mayOnTransactionalId } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';

export const findCoordinator = defineHandler({
  api: findCoordinatorApi,
  async handle(ctx, request) {
    if (ctx.apiVersion >= 4) {
      const coordinators = request.coordinatorKeys.map((key) => coordinatorFor(ctx, request.keyType, key));
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: -1, host: '', port: -1, coordinators };
    }
    const { errorCode, errorMessage, nodeId, host, port } = coordinatorFor(ctx, request.keyType, request.key);
    return { throttleTimeMs: 0, errorCode, errorMessage, nodeId, host, port, coordinators: [] };
  },
});

function coordinatorFor(ctx: RequestContext, keyType: number, key: string): FindCoordinatorResponseCoordinator {
  const available =
    (keyType === CoordinatorKeyType.group && ctx.groups !== null) ||
    (keyType === CoordinatorKeyType.transaction && (ctx.txns ?? null) !== null);
  if (!available) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'no coordinator for this key type' };
  }
  // With an authorizer, finding a coordinator needs DESCRIBE on the group or transactional id (Kafka's rule).
  if (keyType === CoordinatorKeyType.group && !mayOnGroup(ctx, AclOperation.DESCRIBE, key)) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'finding a group coordinator needs DESCRIBE on the group' };
  }
  if (keyType === CoordinatorKeyType.transaction && !mayOnTransactionalId(ctx, AclOperation.DESCRIBE, key)) {
    return { key, nodeId: -1, host: '', port: -1, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, errorMessage: 'finding a transaction coordinator needs DESCRIBE on the transactional id' };
  }
  return { key, nodeId: ctx.settings.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, errorCode: ErrorCode.NONE, errorMessage: null };
}
