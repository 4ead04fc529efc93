// TxnOffsetCommit: stages a consumer group's offsets in the producer's transaction (the group must
// have been added with AddOffsetsToTxn). Lanes keeps them with the transaction, in the
// transaction coordinator's durable state, and hands them to the group coordinator when the
// transaction commits; an abort drops them. Partitions of unknown topics answer
// UNKNOWN_TOPIC_OR_PARTITION and are not staged. The member and generation of v3+ are not checked.
import { ErrorCode } from '../errors.js';
import { txnOffsetCommitApi, type TxnOffsetCommitRequest } from '../protocol/messages/txn_offset_commit.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { defineHandler } from './handler.js';

function everyPartition(request: TxnOffsetCommitRequest, codeOf: (topic: string, partition: number) => number) {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      topicName: topic.topicName,
      partitions: topic.partitions.map(({ partitionIndex }) => ({ partitionIndex, errorCode: codeOf(topic.topicName, partitionIndex) })),
    })),
  };
}

export const txnOffsetCommit = defineHandler({
  api: txnOffsetCommitApi,
  handle(ctx, request) {
    const known = (topic: string, partition: number) => {
      const view = ctx.broker.describeTopic(topic);
      return view !== undefined && partition >= 0 && partition < view.partitions.length;
    };
    const offsets = request.topics.flatMap((topic) =>
      topic.partitions
        .filter((partition) => known(topic.topicName, partition.partitionIndex))
        .map((partition) => ({
          topic: topic.topicName,
          partition: partition.partitionIndex,
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.committedMetadata,
        })),
    );
    const unknownOr = (code: number) => (topic: string, partition: number) => (known(topic, partition) ? code : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    return askTxnCoordinator(
      ctx,
      (errorCode) => everyPartition(request, unknownOr(errorCode)),
      (txns) => txns.txnOffsetCommit({ transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch, groupId: request.groupId, offsets }),
      (reply) => everyPartition(request, unknownOr(fencedFor(reply.errorCode, ctx.apiVersion, 2))),
    );
  },
});
