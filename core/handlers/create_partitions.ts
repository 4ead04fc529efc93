// CreatePartitions: grow a topic to `count` partitions (validate_only checks only). A manual
// assignment must give one replica list per new partition, each naming only this node
// (replica_assignment.ts): INVALID_REPLICA_ASSIGNMENT otherwise, as Kafka's controller answers.
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { createPartitionsApi } from '../protocol/messages/create_partitions.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler } from './handler.js';
import { checkReplicaLists } from './replica_assignment.js';

export const createPartitions = defineHandler({
  api: createPartitionsApi,
  async handle(ctx, request) {
    const results = await Promise.all(
      request.topics.map(async (topic) => {
        try {
          const known = ctx.broker.describeTopic(topic.topicName);
          if (known === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${quoted(topic.topicName)} does not exist`);
          const current = known.partitions.length;
          if (topic.count <= current) {
            throw new LanesError(ErrorCode.INVALID_PARTITIONS, `topic ${quoted(topic.topicName)} has ${current} partitions; ${topic.count} is not more`);
          }
          if (topic.assignments !== null) {
            const added = topic.count - current;
            if (topic.assignments.length !== added) {
              throw new LanesError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `attempted to add ${added} partitions, but ${topic.assignments.length} assignments were given`);
            }
            checkReplicaLists(topic.assignments.map((assignment) => assignment.brokerIds), ctx.settings.nodeId, `the assignment for topic ${quoted(topic.topicName)}`);
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
