// OffsetCommit (8), v2–v7 (librdkafka needs overlap with 1–2). The retention time of v2–v4 is
// ignored (offsets are kept until the group is deleted); v6 carries leader epochs, v7 static
// members' instance ids.
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { errorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const offsetCommit = defineHandler({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  versionMin: 2,
  versionMax: 7,
  async handle(ctx, request) {
    const failed = (errorCode: number) => ({
      throttleTimeMs: 0,
      topics: request.topics.map((topic) => ({
        topicName: topic.topicName,
        partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })),
      })),
    });
    if (ctx.groups === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    let response;
    try {
      response = await ctx.groups.offsetCommit({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        topics: request.topics.map((topic) => ({
          name: topic.topicName,
          partitions: topic.partitions.map((partition) => ({
            partitionIndex: partition.partitionIndex,
            committedOffset: partition.committedOffset,
            committedLeaderEpoch: partition.committedLeaderEpoch,
            committedMetadata: partition.committedMetadata,
          })),
        })),
      });
    } catch (error) {
      // Too large to reach the coordinator: Kafka's code for a commit it cannot store.
      const code = errorCodeOf(error);
      return failed(code === ErrorCode.MESSAGE_TOO_LARGE ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : code);
    }
    return {
      throttleTimeMs: 0,
      topics: response.topics.map((topic) => ({
        topicName: topic.name,
        partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode: partition.errorCode })),
      })),
    };
  },
});
