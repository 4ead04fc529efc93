// OffsetDelete: drop a group's committed offsets for some partitions.
import { offsetDeleteApi } from '../protocol/messages/offset_delete.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const offsetDelete = defineHandler({
  api: offsetDeleteApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({ errorCode, throttleTimeMs: 0, topics: [] }),
      (groups) =>
        groups.offsetDelete({
          groupId: request.groupId,
          topics: request.topics.map((topic) => ({ name: topic.topicName, partitionIndexes: topic.partitions.map((partition) => partition.partitionIndex) })),
        }),
      (response) => ({
        errorCode: response.errorCode,
        throttleTimeMs: 0,
        topics: response.topics.map((topic) => ({
          topicName: topic.name,
          partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode: partition.errorCode })),
        })),
      }),
    );
  },
});
