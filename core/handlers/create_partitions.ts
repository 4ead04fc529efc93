// CreatePartitions: grow a topic to `count` partitions (validate_only checks only).
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { createPartitionsApi } from '../protocol/messages/create_partitions.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler } from './handler.js';

export const createPartitions = defineHandler({
  api: createPartitionsApi,
  async handle(ctx, request) {
    const results = await Promise.all(
      request.topics.map(async (topic) => {
        try {
          const known = ctx.broker.describeTopic(topic.topicName);
          if (known === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${quoted(topic.topicName)} does not exist`);
          if (topic.count <= known.partitions.length) {
            throw new LanesError(ErrorCode.INVALID_PARTITIONS, `topic ${quoted(topic.topicName)} has ${known.partitions.length} partitions; ${topic.count} is not more`);
          }
          if (!request.validateOnly) await ctx.broker.createPartitions(topic.topicName, topic.count);
          return { topicName: topic.topicName, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (error) {
          return { topicName: topic.topicName, errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error) };
        }
      }),
    );
    return { throttleTimeMs: 0, results };
  },
});
