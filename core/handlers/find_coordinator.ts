// FindCoordinator. This node coordinates every group; transactions are not served yet, so a
// transaction coordinator is COORDINATOR_NOT_AVAILABLE.
import { ErrorCode } from '../errors.js';
import { findCoordinatorApi } from '../protocol/messages/find_coordinator.js';
import { CoordinatorKeyType } from '../protocol/messages/find_coordinator.js';
import { defineHandler } from './handler.js';

export const findCoordinator = defineHandler({
  api: findCoordinatorApi,
  async handle(ctx, request) {
    const available = request.keyType === CoordinatorKeyType.group && ctx.groups !== null;
    if (!available) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'no coordinator for this key type', nodeId: -1, host: '', port: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.settings.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort };
  },
});
