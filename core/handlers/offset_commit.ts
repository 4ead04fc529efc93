// OffsetCommit. The retention time of v2–v4 is
// ignored (offsets are kept until the group is deleted); v6 carries leader epochs, v7 static
// members' instance ids.
import { ErrorCode } from '../errors.js';
import { offsetCommitApi } from '../protocol/messages/offset_commit.js';
import { errorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

function everyPartition(topics: readonly { topicName: string; partitions: readonly { partitionIndex: number }[] }[], errorCode: number) {
  return {
    throttleTimeMs: 0,
    topics: topics.map((topic) => ({
      topicName: topic.topicName,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode })),
    })),
  };
}

export const offsetCommit = defineHandler({
  api: offsetCommitApi,
  async handle(ctx, request) {
    if (ctx.groups === null) return everyPartition(request.topics, ErrorCode.COORDINATOR_NOT_AVAILABLE);
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
      // The coordinator could not take or store the commit: too large to reach it (Kafka's code for
      // a commit it cannot store), or its offsets log failed (a full disk, an I/O error). Every
      // partition answers the code; the connection stays.
      const code = errorCodeOf(error);
      return everyPartition(request.topics, code === ErrorCode.MESSAGE_TOO_LARGE ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : code);
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
