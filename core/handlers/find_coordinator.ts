// FindCoordinator (10), v0–v2 (v0 is needed: librdkafka < 2.11 requires it for its group
// consumer). This node coordinates every group; transactions are not served yet, so a
// transaction coordinator is COORDINATOR_NOT_AVAILABLE.
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { CoordinatorKeyType } from '../protocol/messages/find_coordinator.js';
import { defineHandler } from './handler.js';

export const findCoordinator = defineHandler({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  versionMin: 0,
  versionMax: 2,
  async handle(ctx, request) {
    const available = request.keyType === CoordinatorKeyType.group && ctx.groups !== null;
    if (!available) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'no coordinator for this key type', nodeId: -1, host: '', port: -1 };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: ctx.settings.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort };
  },
});
