// OffsetFetch. Partitions without a committed offset answer −1.
// v2+ may ask for every committed partition (null topics) and has a top-level error code; in v1
// a group-level error is reported on every partition instead.
import { ErrorCode } from '../errors.js';
import type { OffsetFetchResponse as CoordinatorOffsets } from '../group/group_api.js';
import { offsetFetchApi } from '../protocol/messages/offset_fetch.js';
import type { OffsetFetchResponse } from '../protocol/messages/offset_fetch.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const offsetFetch = defineHandler({
  api: offsetFetchApi,
  handle(ctx, request) {
    const requested = request.topics?.map((topic) => ({ name: topic.topicName, partitionIndexes: topic.partitionIndexes })) ?? null;
    const failed = (errorCode: number): CoordinatorOffsets => ({
      errorCode,
      topics: (requested ?? []).map((topic) => ({
        name: topic.name,
        partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE })),
      })),
    });
    const topLevel = ctx.apiVersion >= 2;
    const answer = (response: CoordinatorOffsets): OffsetFetchResponse => ({
      throttleTimeMs: 0,
      errorCode: topLevel ? response.errorCode : ErrorCode.NONE,
      topics: response.topics.map((topic) => ({
        topicName: topic.name,
        partitions: topic.partitions.map((partition) => ({
          partitionIndex: partition.partitionIndex,
          committedOffset: partition.committedOffset,
          committedLeaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.metadata ?? '',
          errorCode: !topLevel && response.errorCode !== ErrorCode.NONE ? response.errorCode : partition.errorCode,
        })),
      })),
    });
    return askCoordinator(ctx, (errorCode) => answer(failed(errorCode)), (groups) => groups.offsetFetch({ groupId: request.groupId, topics: requested }), answer);
  },
});
