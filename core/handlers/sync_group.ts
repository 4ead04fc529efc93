// SyncGroup (14), v0–v3 (v0 needed by librdkafka < 2.11). The leader's assignment bytes are views
// into the frame: copied before the coordinator keeps them.
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { defineHandler } from './handler.js';

export const syncGroup = defineHandler({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  versionMin: 0,
  versionMax: 3,
  async handle(ctx, request) {
    if (ctx.groups === null) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: new Uint8Array(0) };
    const response = await ctx.groups.syncGroup({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      groupInstanceId: request.groupInstanceId,
      protocolType: null,
      protocolName: null,
      assignments: request.assignments.map((each) => ({ memberId: each.memberId, assignment: each.assignment.slice() })),
    });
    return { throttleTimeMs: 0, errorCode: response.errorCode, assignment: response.assignment };
  },
});
