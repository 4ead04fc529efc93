// OffsetForLeaderEpoch: the end offset of a leader epoch, which a consumer compares with its
// position to detect a truncated log. One node, no elections: every partition has been led in
// epoch 0 since it was created (the epoch Metadata, ListOffsets and every stored batch carry), so
// Kafka's epoch cache (LeaderEpochFileCache.endOffsetFor) reduces to:
//   epoch 0             → (0, log end offset): the current epoch ends where the log does
//   epoch −1 or above 0 → (−1, −1): unknown
//   epoch below −1      → (that epoch, log start offset): older than every epoch kept
// A current leader epoch (other than −1) that is not 0 is fenced as Kafka fences it:
// FENCED_LEADER_EPOCH below, UNKNOWN_LEADER_EPOCH above.
import { ErrorCode } from '../errors.js';
import { partitionLeaderEpoch } from '../log/log.js';
import { offsetForLeaderEpochApi } from '../protocol/messages/offset_for_leader_epoch.js';
import { defineHandler, type TopicView } from './handler.js';
import { topicViews } from './topic_views.js';

/** Kafka's "no epoch" (RecordBatch.NO_PARTITION_LEADER_EPOCH). */
const undefinedEpoch = -1;

export const offsetForLeaderEpoch = defineHandler({
  api: offsetForLeaderEpochApi,
  async handle(ctx, request) {
    const describe = topicViews(ctx);
    const topics = request.topics.map((topic) => ({
      topicName: topic.topicName,
      partitions: topic.partitions.map((partition) => endOffsetFor(describe(topic.topicName), partition.partitionIndex, partition.currentLeaderEpoch, partition.leaderEpoch)),
    }));
    return { throttleTimeMs: 0, topics };
  },
});

function endOffsetFor(view: TopicView | undefined, partitionIndex: number, currentLeaderEpoch: number, leaderEpoch: number) {
  const answer = (errorCode: number, epoch: number, endOffset: number) => ({ errorCode, partitionIndex, leaderEpoch: epoch, endOffset });
  const partition = view?.partitions[partitionIndex];
  if (partition === undefined) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, undefinedEpoch, -1);
  if (currentLeaderEpoch !== undefinedEpoch && currentLeaderEpoch < partitionLeaderEpoch) return answer(ErrorCode.FENCED_LEADER_EPOCH, undefinedEpoch, -1);
  if (currentLeaderEpoch > partitionLeaderEpoch) return answer(ErrorCode.UNKNOWN_LEADER_EPOCH, undefinedEpoch, -1);
  if (leaderEpoch === partitionLeaderEpoch) return answer(ErrorCode.NONE, partitionLeaderEpoch, partition.highWatermark);
  if (leaderEpoch < undefinedEpoch) return answer(ErrorCode.NONE, leaderEpoch, partition.logStartOffset);
  return answer(ErrorCode.NONE, undefinedEpoch, -1);
}
