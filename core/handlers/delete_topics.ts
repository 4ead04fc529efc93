// DeleteTopics: per-topic error codes.
import { ErrorCode } from '../errors.js';
import { deleteTopicsApi } from '../protocol/messages/delete_topics.js';
import { errorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const deleteTopics = defineHandler({
  api: deleteTopicsApi,
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
