// SyncGroup. The leader's assignment bytes are views
// into the frame: copied before the coordinator keeps them.
import { ErrorCode } from '../errors.js';
import { groupAssignmentBytesMax } from '../limits.js';
import { syncGroupApi } from '../protocol/messages/sync_group.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const syncGroup = defineHandler({
  api: syncGroupApi,
  async handle(ctx, request) {
    const failed = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, assignment: new Uint8Array(0) });
    if (ctx.groups === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    let assignmentBytes = 0;
    for (const each of request.assignments) assignmentBytes += each.assignment.length;
    if (assignmentBytes > groupAssignmentBytesMax) {
      ctx.warn?.(`SyncGroup for group ${request.groupId} carries ${assignmentBytes} bytes of assignments, more than ${groupAssignmentBytesMax}`);
      return failed(ErrorCode.INVALID_REQUEST);
    }
    let response;
    try {
      response = await ctx.groups.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        protocolType: null,
        protocolName: null,
        assignments: request.assignments.map((each) => ({ memberId: each.memberId, assignment: each.assignment.slice() })),
      });
    } catch (error) {
      return failed(groupErrorCodeOf(error));
    }
    return { throttleTimeMs: 0, errorCode: response.errorCode, assignment: response.assignment };
  },
});
