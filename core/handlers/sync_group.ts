// SyncGroup. The leader's assignment bytes are views
// into the frame: copied before the coordinator keeps them.
import { ErrorCode, LanesError } from '../errors.js';
import { groupAssignmentBytesMax } from '../limits.js';
import { syncGroupApi } from '../protocol/messages/sync_group.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const syncGroup = defineHandler({
  api: syncGroupApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) }),
      (groups) => {
        let assignmentBytes = 0;
        for (const each of request.assignments) assignmentBytes += each.assignment.length;
        if (assignmentBytes > groupAssignmentBytesMax) {
          const message = `SyncGroup for group ${request.groupId} carries ${assignmentBytes} bytes of assignments, more than ${groupAssignmentBytesMax}`;
          ctx.warn?.(message);
          throw new LanesError(ErrorCode.INVALID_REQUEST, message);
        }
        const sync = {
          groupId: request.groupId,
          generationId: request.generationId,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          // Null before v5, where the request has neither: then not checked.
          protocolType: request.protocolType,
          protocolName: request.protocolName,
          assignments: request.assignments.map((each) => ({ memberId: each.memberId, assignment: each.assignment.slice() })),
        };
        // A follower waits for its leader's assignment: not on the request budget.
        ctx.requestBytesCopied?.();
        return groups.syncGroup(sync);
      },
      (response) => ({
        throttleTimeMs: 0,
        errorCode: response.errorCode,
        protocolType: response.protocolType,
        protocolName: response.protocolName,
        assignment: response.assignment,
      }),
    );
  },
});
