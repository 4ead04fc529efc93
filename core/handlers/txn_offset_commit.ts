// TxnOffsetCommit: stages a consumer group's offsets in the producer's transaction (the group must
// have been added with AddOffsetsToTxn). Lanes keeps them with the transaction, in the
// transaction coordinator's durable state, and hands them to the group coordinator when the
// transaction commits; an abort drops them. Partitions of unknown topics answer
// UNKNOWN_TOPIC_OR_PARTITION and metadata longer than offset.metadata.max.bytes (its default)
// OFFSET_METADATA_TOO_LARGE, as an OffsetCommit's; neither is staged. From v3 the request names the
// consumer whose offsets these are (KIP-447): the group coordinator checks that member and its
// generation (or member epoch) first, so a zombie — a member paused past a rebalance — is refused
// (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, STALE_MEMBER_EPOCH) and cannot
// commit over the offsets of the member that took its partitions. v5 is transaction version 2: the
// group joins the transaction here if it has not (no AddOffsetsToTxn first).
import { ErrorCode } from '../errors.js';
import { txnOffsetCommitApi, type TxnOffsetCommitRequest } from '../protocol/messages/txn_offset_commit.js';
import { askTxnCoordinator, fencedFor } from './ask_txn_coordinator.js';
import { groupErrorCodeOf } from './errors.js';
import { groupConfigDefault } from '../group/group_config.js';
import { defineHandler, type RequestContext } from './handler.js';
import { topicViews } from './topic_views.js';
import { txnOffsetCommitVersion2FromVersion } from '../txn/transaction_version.js';

const encoder = new TextEncoder();

function everyPartition(request: TxnOffsetCommitRequest, codeOf: (topic: string, partition: number) => number) {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      topicName: topic.topicName,
      partitions: topic.partitions.map(({ partitionIndex }) => ({ partitionIndex, errorCode: codeOf(topic.topicName, partitionIndex) })),
    })),
  };
}

/** The group coordinator's answer for the member a v3+ request names; its error code if it cannot be asked. */
async function checkMember(ctx: RequestContext, request: TxnOffsetCommitRequest): Promise<number> {
  if (ctx.groups === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  try {
    return await ctx.groups.validateTxnOffsetCommit({
      groupId: request.groupId,
      memberId: request.memberId,
      generationId: request.generationId,
      groupInstanceId: request.groupInstanceId,
    });
  } catch (error) {
    return groupErrorCodeOf(error);
  }
}

export const txnOffsetCommit = defineHandler({
  api: txnOffsetCommitApi,
  async handle(ctx, request) {
    const describe = topicViews(ctx);
    const known = (topic: string, partition: number) => {
      const view = describe(topic);
      return view !== undefined && partition >= 0 && partition < view.partitions.length;
    };
    const tooLarge = new Set<string>();
    for (const topic of request.topics) {
      for (const partition of topic.partitions) {
        if (encoder.encode(partition.committedMetadata ?? '').length > groupConfigDefault.offsetMetadataBytesMax) tooLarge.add(`${partition.partitionIndex}\u0000${topic.topicName}`);
      }
    }
    const staged = (topic: string, partition: number) => known(topic, partition) && !tooLarge.has(`${partition}\u0000${topic}`);
    const offsets = request.topics.flatMap((topic) =>
      topic.partitions
        .filter((partition) => staged(topic.topicName, partition.partitionIndex))
        .map((partition) => ({
          topic: topic.topicName,
          partition: partition.partitionIndex,
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.committedMetadata,
        })),
    );
    const unknownOr = (code: number) => (topic: string, partition: number) =>
      !known(topic, partition) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : tooLarge.has(`${partition}\u0000${topic}`) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : code;
    if (ctx.apiVersion >= 3) {
      const memberError = await checkMember(ctx, request);
      if (memberError !== ErrorCode.NONE) return everyPartition(request, unknownOr(memberError));
    }
    return askTxnCoordinator(
      ctx,
      (errorCode) => everyPartition(request, unknownOr(errorCode)),
      (txns) => txns.txnOffsetCommit({ transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch, groupId: request.groupId, offsets, addsGroup: ctx.apiVersion >= txnOffsetCommitVersion2FromVersion }),
      (reply) => everyPartition(request, unknownOr(fencedFor(reply.errorCode, ctx.apiVersion, 2))),
    );
  },
});
