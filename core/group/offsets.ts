// Committed offsets, after Kafka's OffsetMetadataManager: OffsetCommit (group and "simple"
// commits, validated in Kafka's order, metadata size bound), OffsetFetch and OffsetDelete. Each
// change is also a record (a null value deletes), which the group actor persists and
// group_replay.ts loads back. Offsets do not expire: they stay until OffsetDelete or DeleteGroups.

import { ErrorCode } from '../errors.js';
import { compareNumbers, validateMember, type CoordinatorState } from './coordinator_state.js';
import type {
  OffsetCommitPartitionResponse,
  OffsetCommitRequest,
  OffsetCommitTopicResponse,
  OffsetDeleteRequest,
  OffsetFetchPartitionResponse,
  OffsetFetchRequest,
  OffsetFetchTopicResponse,
  RequestId,
  TxnOffsetCommitMember,
  TxnOffsetsCommitRequest,
} from './group_api.js';
import { consumerProtocolType, type ClassicGroup } from './group.js';
import { offsetCommitRecordBytes, utf8Bytes } from './group_record.js';
import { offsetCommitRecordBytesMax } from '../limits.js';
import type { ConsumerGroup } from './consumer/consumer_group.js';
import { validateConsumerOffsetCommit, validateConsumerOffsetFetch } from './consumer/consumer_groups.js';

/** Either kind of group: both keep committed offsets the same way. */
type OffsetHolder = ClassicGroup | ConsumerGroup;

const noMetadata = '';

export function handleOffsetCommit(s: CoordinatorState, requestId: RequestId, request: OffsetCommitRequest): void {
  if (commitRecordBytes(request) > offsetCommitRecordBytesMax) {
    // Refused whole and before anything changes: its records would not fit one batch of the
    // offsets log, and a commit is stored all or nothing (Kafka: INVALID_COMMIT_OFFSET_SIZE).
    const topics = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode: ErrorCode.INVALID_COMMIT_OFFSET_SIZE })),
    }));
    s.reply({ requestId, api: 'OffsetCommit', response: { topics } });
    return;
  }
  const consumerGroup = s.consumerGroups.get(request.groupId);
  if (consumerGroup !== undefined) {
    // generationId carries the member epoch for a consumer-protocol group (OffsetCommit v9).
    const groupError = validateConsumerOffsetCommit(consumerGroup, request.memberId, request.generationId);
    s.reply({ requestId, api: 'OffsetCommit', response: { topics: commitOffsets(s, consumerGroup, groupError, request) } });
    return;
  }
  let group = s.groups.get(request.groupId);
  const groupError = validateOffsetCommit(group, request);
  const topics: OffsetCommitTopicResponse[] = [];
  for (const topic of request.topics) {
    const partitions: OffsetCommitPartitionResponse[] = [];
    for (const partition of topic.partitions) {
      let errorCode: number = groupError;
      if (!s.partitionExists(topic.name, partition.partitionIndex)) {
        errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      } else if (errorCode === ErrorCode.NONE && utf8Bytes(partition.committedMetadata ?? '') > s.config.offsetMetadataBytesMax) {
        errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      } else if (errorCode === ErrorCode.NONE) {
        // A commit with generation −1 to an unknown group creates a "simple" group: one that
        // only stores offsets for a consumer managing its own partitions.
        group ??= s.createGroup(request.groupId);
        const value = {
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.committedMetadata,
          commitTimestampMs: s.nowMs,
        };
        group.offsets.record(topic.name, partition.partitionIndex, value);
        s.record({ type: 'OffsetCommit', groupId: request.groupId, topic: topic.name, partition: partition.partitionIndex, value });
      }
      partitions.push({ partitionIndex: partition.partitionIndex, errorCode });
    }
    topics.push({ name: topic.name, partitions });
  }
  if (groupError === ErrorCode.NONE && group !== undefined && request.memberId !== '') {
    const member = group.members.get(request.memberId);
    if (member !== undefined) s.scheduleSession(group, member);
  }
  s.reply({ requestId, api: 'OffsetCommit', response: { topics } });
}

/**
 * A committed transaction's offsets (TxnOffsetCommit staged them in the transaction coordinator,
 * invisible to the group until now). No member or generation is checked: the transaction
 * coordinator checked the producer, and the transaction is already decided, so refusing here
 * would lose offsets whose records are committed. Unknown partitions are skipped, as a commit
 * skips them.
 */
export function handleTxnOffsetsCommit(s: CoordinatorState, requestId: RequestId, request: TxnOffsetsCommitRequest): void {
  let group = s.groups.get(request.groupId);
  const topics: OffsetCommitTopicResponse[] = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition): OffsetCommitPartitionResponse => {
      if (request.groupId === '') return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.INVALID_GROUP_ID };
      if (!s.partitionExists(topic.name, partition.partitionIndex)) return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      group ??= s.createGroup(request.groupId);
      const value = { offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch, metadata: partition.committedMetadata, commitTimestampMs: s.nowMs };
      group.offsets.record(topic.name, partition.partitionIndex, value);
      s.record({ type: 'OffsetCommit', groupId: request.groupId, topic: topic.name, partition: partition.partitionIndex, value });
      return { partitionIndex: partition.partitionIndex, errorCode: ErrorCode.NONE };
    }),
  }));
  s.reply({ requestId, api: 'OffsetCommit', response: { topics } });
}

/** A consumer group's commit: the partitions' answers after the group-level check. */
function commitOffsets(s: CoordinatorState, group: ConsumerGroup, groupError: number, request: OffsetCommitRequest): OffsetCommitTopicResponse[] {
  return request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition) => {
      let errorCode: number = groupError;
      if (!s.partitionExists(topic.name, partition.partitionIndex)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (errorCode === ErrorCode.NONE && utf8Bytes(partition.committedMetadata ?? '') > s.config.offsetMetadataBytesMax) {
        errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
      } else if (errorCode === ErrorCode.NONE) {
        const value = {
          offset: partition.committedOffset,
          leaderEpoch: partition.committedLeaderEpoch,
          metadata: partition.committedMetadata,
          commitTimestampMs: s.nowMs,
        };
        group.offsets.record(topic.name, partition.partitionIndex, value);
        s.record({ type: 'OffsetCommit', groupId: request.groupId, topic: topic.name, partition: partition.partitionIndex, value });
      }
      return { partitionIndex: partition.partitionIndex, errorCode };
    }),
  }));
}

/**
 * Kafka's ClassicGroup.validateOffsetCommit, in its order. A transactional commit (TxnOffsetCommit)
 * may name no member of a group with members, and is not refused while the group completes a
 * rebalance: the transaction commits it later, if at all.
 */
function validateOffsetCommit(group: ClassicGroup | undefined, request: TxnOffsetCommitMember, isTransactional = false): number {
  if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  if (group === undefined) return request.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  if (request.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
  if (request.generationId >= 0 || request.memberId !== '' || request.groupInstanceId !== null) {
    const memberError = validateMember(group, request.memberId, request.groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (!isTransactional && group.state !== 'Empty') {
    return ErrorCode.UNKNOWN_MEMBER_ID; // a simple commit to a group with members
  }
  // Its generation is current, so it has our JoinGroup response but not yet its assignment.
  if (!isTransactional && group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}

/**
 * TxnOffsetCommit v3+ (KIP-447): may the member it names stage offsets for the group? Kafka's
 * validateTransactionalOffsetCommit: a consumer-protocol group checks the member and its epoch
 * (generationId carries it), a classic one the member and generation; an unknown group accepts only
 * generation −1 (a consumer outside group management).
 */
export function validateTxnOffsetCommit(s: CoordinatorState, request: TxnOffsetCommitMember): number {
  if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  const consumerGroup = s.consumerGroups.get(request.groupId);
  if (consumerGroup !== undefined) return validateConsumerOffsetCommit(consumerGroup, request.memberId, request.generationId);
  return validateOffsetCommit(s.groups.get(request.groupId), request, true);
}

export function offsetFetch(s: CoordinatorState, request: OffsetFetchRequest): { errorCode: number; topics: OffsetFetchTopicResponse[] } {
  if (request.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
  const consumerGroup = s.consumerGroups.get(request.groupId);
  if (consumerGroup !== undefined && request.memberEpoch !== undefined) {
    const errorCode = validateConsumerOffsetFetch(consumerGroup, request.memberId ?? null, request.memberEpoch);
    if (errorCode !== ErrorCode.NONE) return { errorCode, topics: [] };
  }
  const group: OffsetHolder | undefined = consumerGroup ?? s.groups.get(request.groupId);
  if (request.topics === null) {
    if (group === undefined) return { errorCode: ErrorCode.NONE, topics: [] };
    const topics = [...group.offsets.keys()].sort().map((name) => ({
      name,
      partitions: [...(group.offsets.get(name) ?? new Map()).keys()]
        .sort(compareNumbers)
        .map((partition) => fetchedOffset(group, name, partition)),
    }));
    return { errorCode: ErrorCode.NONE, topics };
  }
  const topics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitionIndexes.map((partition) => fetchedOffset(group, topic.name, partition)),
  }));
  return { errorCode: ErrorCode.NONE, topics };
}

function fetchedOffset(group: OffsetHolder | undefined, topic: string, partition: number): OffsetFetchPartitionResponse {
  const committed = group?.offsets.of(topic, partition);
  if (committed === undefined) {
    return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: noMetadata, errorCode: ErrorCode.NONE };
  }
  return {
    partitionIndex: partition,
    committedOffset: committed.offset,
    committedLeaderEpoch: committed.leaderEpoch,
    metadata: committed.metadata,
    errorCode: ErrorCode.NONE,
  };
}

export function handleOffsetDelete(s: CoordinatorState, requestId: RequestId, request: OffsetDeleteRequest): void {
  const consumerGroup = s.consumerGroups.get(request.groupId);
  const group: OffsetHolder | undefined = consumerGroup ?? s.groups.get(request.groupId);
  let groupError: number = ErrorCode.NONE;
  if (request.groupId === '') groupError = ErrorCode.INVALID_GROUP_ID;
  else if (group === undefined) groupError = ErrorCode.GROUP_ID_NOT_FOUND;
  else if (consumerGroup === undefined && (group as ClassicGroup).state !== 'Empty' && (group as ClassicGroup).protocolType !== consumerProtocolType) groupError = ErrorCode.NON_EMPTY_GROUP;
  if (groupError !== ErrorCode.NONE || group === undefined) {
    s.reply({ requestId, api: 'OffsetDelete', response: { errorCode: groupError, topics: [] } });
    return;
  }
  const topics: OffsetCommitTopicResponse[] = request.topics.map((topic) => {
    const subscribed =
      consumerGroup !== undefined
        ? consumerGroup.members.size > 0 && consumerGroup.subscriptionMetadata.has(topic.name)
        : (group as ClassicGroup).state !== 'Empty' && isSubscribedToTopic(s, group as ClassicGroup, topic.name);
    const partitions = topic.partitionIndexes.map((partitionIndex) => {
      if (!s.partitionExists(topic.name, partitionIndex)) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
      if (subscribed) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
      if (group.offsets.remove(topic.name, partitionIndex)) {
        s.record({ type: 'OffsetCommit', groupId: group.groupId, topic: topic.name, partition: partitionIndex, value: null });
      }
      return { partitionIndex, errorCode: ErrorCode.NONE };
    });
    return { name: topic.name, partitions };
  });
  s.reply({ requestId, api: 'OffsetDelete', response: { errorCode: ErrorCode.NONE, topics } });
  if (consumerGroup === undefined) s.forgetIfVacant(group as ClassicGroup);
}

/** DeleteGroups: a tombstone for every committed offset of the group, in topic, partition order. */
export function deleteAllOffsets(s: CoordinatorState, group: OffsetHolder): void {
  for (const topic of [...group.offsets.keys()].sort()) {
    for (const partition of [...(group.offsets.get(topic) ?? new Map()).keys()].sort(compareNumbers)) {
      s.record({ type: 'OffsetCommit', groupId: group.groupId, topic, partition, value: null });
    }
  }
}

function isSubscribedToTopic(s: CoordinatorState, group: ClassicGroup, topic: string): boolean {
  if (group.protocolType !== consumerProtocolType || group.members.size === 0) return false;
  const decode = s.options.decodeSubscribedTopics;
  if (decode === undefined || group.protocolName === null) return true;
  for (const member of group.members.values()) {
    // A member that joined since the protocol was chosen may not offer it (its protocols need only
    // overlap the group's): its subscription is unknown until the rebalance ends, so the topic
    // counts as subscribed (refusing a delete is safe; deleting a live member's offsets is not).
    const protocol = member.protocols.find((candidate) => candidate.name === group.protocolName);
    if (protocol === undefined) return true;
    const topics = decode(protocol.metadata);
    if (topics === undefined || topics.includes(topic)) return true;
  }
  return false;
}

/** The offsets-log bytes a commit would write if every partition were stored. */
function commitRecordBytes(request: OffsetCommitRequest): number {
  let bytes = 0;
  for (const topic of request.topics) {
    for (const partition of topic.partitions) bytes += offsetCommitRecordBytes(request.groupId, topic.name, partition.committedMetadata);
  }
  return bytes;
}
