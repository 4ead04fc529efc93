// OffsetCommit. The retention time of v2–v4 is
// ignored (offsets are kept until the group is deleted); v6 carries leader epochs, v7 static
// members' instance ids.
import { ErrorCode } from '../errors.js';
import { offsetCommitApi } from '../protocol/messages/offset_commit.js';
import { askCoordinator } from './ask_coordinator.js';
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
  handle(ctx, request) {
    // A commit the coordinator could not take or store: too large to reach it (Kafka's code for a
    // commit it cannot store), or its offsets log failed (a full disk, an I/O error). Every
    // partition answers the code; the connection stays.
    return askCoordinator(
      ctx,
      (errorCode) => everyPartition(request.topics, errorCode),
      (groups) =>
        groups.offsetCommit({
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
        }),
      (response) => ({
        throttleTimeMs: 0,
        topics: response.topics.map((topic) => ({
          topicName: topic.name,
          partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode: partition.errorCode })),
        })),
      }),
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    );
  },
});
