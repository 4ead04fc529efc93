// Heartbeat: the coordinator's answer, or COORDINATOR_NOT_AVAILABLE without one.
import { ErrorCode } from '../errors.js';
import { heartbeatApi } from '../protocol/messages/heartbeat.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const heartbeat = defineHandler({
  api: heartbeatApi,
  async handle(ctx, request) {
    if (ctx.groups === null) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
    try {
      const response = await ctx.groups.heartbeat({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
      });
      return { throttleTimeMs: 0, errorCode: response.errorCode };
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: groupErrorCodeOf(error) };
    }
  },
});
