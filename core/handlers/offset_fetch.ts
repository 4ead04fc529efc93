// OffsetFetch. Partitions without a committed offset answer −1.
// v2+ may ask for every committed partition (null topics) and has a top-level error code; in v1
// a group-level error is reported on every partition instead. v8+ asks for several groups, each
// answered on its own; v9 carries a consumer-protocol member's id and epoch, which the
// coordinator checks (STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID). v7+ may set requireStable (KIP-447; a
// read_committed consumer does): a partition an open transaction staged an offset for (TxnOffsetCommit)
// answers UNSTABLE_OFFSET_COMMIT (offset −1) until the transaction ends, and the client asks again,
// so a consumer taking over partitions never starts from an offset a pending transaction is about
// to move. Per partition, as Kafka tracks them: the group's other partitions, and a group added by
// AddOffsetsToTxn with nothing staged yet, answer their committed offsets.
import { ErrorCode } from '../errors.js';
import type { OffsetFetchResponse as CoordinatorOffsets, OffsetFetchTopic } from '../group/group_api.js';
import { offsetFetchApi } from '../protocol/messages/offset_fetch.js';
import type { OffsetFetchResponse } from '../protocol/messages/offset_fetch.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler, type RequestContext } from './handler.js';
import { openTxnStates } from '../txn/txn_state.js';

function failedOffsets(requested: readonly OffsetFetchTopic[] | null, errorCode: number): CoordinatorOffsets {
  return {
    errorCode,
    topics: (requested ?? []).map((topic) => ({
      name: topic.name,
      partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE })),
    })),
  };
}

function wireTopics(response: CoordinatorOffsets, partitionErrorCode: (errorCode: number) => number) {
  return response.topics.map((topic) => ({
    topicName: topic.name,
    partitions: topic.partitions.map((partition) => ({
      partitionIndex: partition.partitionIndex,
      committedOffset: partition.committedOffset,
      committedLeaderEpoch: partition.committedLeaderEpoch,
      metadata: partition.metadata ?? '',
      errorCode: partitionErrorCode(partition.errorCode),
    })),
  }));
}

/** One group's offsets from its coordinator (an operating error answers the group's error). */
function fetchGroup(ctx: RequestContext, groupId: string, requested: readonly OffsetFetchTopic[] | null, member?: { memberId: string | null; memberEpoch: number }): Promise<CoordinatorOffsets> {
  return askCoordinator(
    ctx,
    (errorCode) => failedOffsets(requested, errorCode),
    (groups) => groups.offsetFetch({ groupId, topics: requested, ...member }),
    (response) => response,
  );
}

const partitionKey = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

/**
 * Per group, the partitions an open transaction staged offsets for (none when no transaction
 * coordinator runs).
 */
async function pendingOffsets(ctx: RequestContext): Promise<ReadonlyMap<string, ReadonlySet<string>>> {
  const pending = new Map<string, Set<string>>();
  const txns = ctx.txns ?? null;
  if (txns === null) return pending;
  const listed = await txns.listTransactions({ states: [...openTxnStates], producerIds: [], durationMsMin: -1 });
  if (listed.transactions.length === 0) return pending;
  const described = await txns.describeTransactions(listed.transactions.map((txn) => txn.transactionalId));
  for (const txn of described) {
    if (!(openTxnStates as readonly string[]).includes(txn.state)) continue;
    for (const { groupId, topic, partition } of txn.stagedOffsets) {
      let partitions = pending.get(groupId);
      if (partitions === undefined) pending.set(groupId, (partitions = new Set()));
      partitions.add(partitionKey(topic, partition));
    }
  }
  return pending;
}

/** The answer with the partitions `isPending` names unstable: a pending transaction will move their offsets. */
function unstable(response: CoordinatorOffsets, isPending: (topic: string, partition: number) => boolean): CoordinatorOffsets {
  if (response.errorCode !== ErrorCode.NONE) return response;
  return {
    errorCode: response.errorCode,
    topics: response.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) =>
        partition.errorCode === ErrorCode.NONE && isPending(topic.name, partition.partitionIndex)
          ? { ...partition, committedOffset: -1, committedLeaderEpoch: -1, errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
          : partition,
      ),
    })),
  };
}

export const offsetFetch = defineHandler({
  api: offsetFetchApi,
  async handle(ctx, request): Promise<OffsetFetchResponse> {
    // Transactions that could not be asked about may hold offsets for any group: unstable, retried.
    const pending: ReadonlyMap<string, ReadonlySet<string>> | 'unknown' = request.requireStable ? await pendingOffsets(ctx).catch(() => 'unknown' as const) : new Map();
    const stableOnly = (groupId: string, response: CoordinatorOffsets) => {
      if (pending === 'unknown') return unstable(response, () => true);
      const partitions = pending.get(groupId);
      return partitions === undefined ? response : unstable(response, (topic, partition) => partitions.has(partitionKey(topic, partition)));
    };
    if (ctx.apiVersion >= 8) {
      const groups = await Promise.all(
        request.groups.map(async (group) => {
          const requested = group.topics?.map((topic) => ({ name: topic.topicName, partitionIndexes: topic.partitionIndexes })) ?? null;
          const member = ctx.apiVersion >= 9 ? { memberId: group.memberId, memberEpoch: group.memberEpoch } : undefined;
          const response = stableOnly(group.groupId, await fetchGroup(ctx, group.groupId, requested, member));
          return { groupId: group.groupId, topics: wireTopics(response, (code) => code), errorCode: response.errorCode };
        }),
      );
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, topics: [], groups };
    }
    const requested = request.topics?.map((topic) => ({ name: topic.topicName, partitionIndexes: topic.partitionIndexes })) ?? null;
    const response = stableOnly(request.groupId, await fetchGroup(ctx, request.groupId, requested));
    const topLevel = ctx.apiVersion >= 2;
    return {
      throttleTimeMs: 0,
      errorCode: topLevel ? response.errorCode : ErrorCode.NONE,
      topics: wireTopics(response, (code) => (!topLevel && response.errorCode !== ErrorCode.NONE ? response.errorCode : code)),
      groups: [],
    };
  },
});
