// FindCoordinator. This node coordinates every group (key type 0) and every transactional id
// (key type 1), when the broker has those coordinators; otherwise COORDINATOR_NOT_AVAILABLE.
import { ErrorCode } from '../errors.js';
import { findCoordinatorApi } from '../protocol/messages/find_coordinator.js';
import { CoordinatorKeyType } from '../protocol/messages/find_coordinator.js';
import { defineHandler } from './handler.js';

export const findCoordinator = defineHandler({
  api: findCoordinatorApi,
  async handle(ctx, request) {
    const available =
      (request.keyType === CoordinatorKeyType.group && ctx.groups !== null) ||
      (request.keyType === CoordinatorKeyType.transaction && (ctx.txns ?? null) !== null);
    if (!available) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'no coordinator for this key type', nodeId: -1, host: '', port: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.settings.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort };
  },
});
