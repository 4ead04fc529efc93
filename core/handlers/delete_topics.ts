// DeleteTopics (20), v0–v3: per-topic error codes.
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { errorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const deleteTopics = defineHandler({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  versionMin: 0,
  versionMax: 3,
  async handle(ctx, request) {
    const responses = await Promise.all(
      request.topicNames.map(async (topicName) => {
        try {
          await ctx.broker.deleteTopic(topicName);
          return { topicName, errorCode: ErrorCode.NONE };
        } catch (error) {
          return { topicName, errorCode: errorCodeOf(error) };
        }
      }),
    );
    return { throttleTimeMs: 0, responses };
  },
});
