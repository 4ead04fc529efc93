// OffsetDelete: drop a group's committed offsets for some partitions.
import { ErrorCode } from '../errors.js';
import { offsetDeleteApi } from '../protocol/messages/offset_delete.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const offsetDelete = defineHandler({
  api: offsetDeleteApi,
  async handle(ctx, request) {
    if (ctx.groups === null) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, throttleTimeMs: 0, topics: [] };
    let response;
    try {
      response = await ctx.groups.offsetDelete({
        groupId: request.groupId,
        topics: request.topics.map((topic) => ({ name: topic.topicName, partitionIndexes: topic.partitions.map((partition) => partition.partitionIndex) })),
      });
    } catch (error) {
      return { errorCode: groupErrorCodeOf(error), throttleTimeMs: 0, topics: [] };
    }
    return {
      errorCode: response.errorCode,
      throttleTimeMs: 0,
      topics: response.topics.map((topic) => ({
        topicName: topic.name,
        partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode: partition.errorCode })),
      })),
    };
  },
});
