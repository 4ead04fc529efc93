// Heartbeat: the coordinator's answer, or COORDINATOR_NOT_AVAILABLE without one.
import { heartbeatApi } from '../protocol/messages/heartbeat.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const heartbeat = defineHandler({
  api: heartbeatApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode }),
      (groups) => groups.heartbeat({ groupId: request.groupId, generationId: request.generationId, memberId: request.memberId, groupInstanceId: request.groupInstanceId }),
      (response) => ({ throttleTimeMs: 0, errorCode: response.errorCode }),
    );
  },
});
