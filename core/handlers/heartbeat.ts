// Heartbeat (12), v0–v3 (v0 needed by librdkafka < 2.11).
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const heartbeat = defineHandler({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  versionMin: 0,
  versionMax: 3,
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
