// One consumer-group member of the load generator, over the classic protocol and its own control
// connection (so a long-poll Fetch on the data connection never delays a heartbeat):
//
//   JoinGroup (v4+: MEMBER_ID_REQUIRED, then again with the given id)
//     → the leader runs the range assignor (core/assignors) over every member's subscription
//     → SyncGroup → OffsetFetch for the assigned partitions (no commit: start at offset 0)
//     → fetch; heartbeat every heartbeatIntervalMs; commit what was consumed every commitIntervalMs
//
// A heartbeat answered REBALANCE_IN_PROGRESS (or UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION) sets
// `rejoinNeeded`; the consumer loop then commits and calls join() again (eager protocol: every
// partition is given up first). This is what KafkaJS and librdkafka do, without their extras.
import { assert } from '../../core/assert.js';
import { ErrorCode, errorCodeName } from '../../core/errors.js';
import { decodeAssignment, encodeAssignment, encodeSubscription, decodeSubscription } from '../../core/assignors/consumer_protocol.js';
import { rangeAssignor } from '../../core/assignors/range.js';
import { memberFromSubscription, toTopicPartitions } from '../../core/assignors/assignor.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import type { KafkaConnection } from '../../actors/net/kafka_client.js';

export interface GroupMemberOptions {
  groupId: string;
  topic: string;
  partitionCount: number;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

const joinAttemptsMax = 50;

export class GroupMember {
  readonly #connection: KafkaConnection;
  readonly #options: Required<GroupMemberOptions>;
  memberId = '';
  generationId = -1;
  /** Partitions of `topic` this member fetches in the current generation. */
  partitions: number[] = [];
  rejoinNeeded = false;
  #heartbeatTimer: NodeJS.Timeout | null = null;
  #heartbeating = false;

  constructor(connection: KafkaConnection, options: GroupMemberOptions) {
    this.#connection = connection;
    this.#options = { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, heartbeatIntervalMs: 1_000, ...options };
  }

  /** Joins (or rejoins) the group and learns this member's partitions. */
  async join(): Promise<void> {
    this.#stopHeartbeats();
    const { groupId, topic } = this.#options;
    for (let attempt = 0; attempt < joinAttemptsMax; attempt++) {
      const joined = await this.#connection.send(ApiKey.JoinGroup, {
        groupId,
        sessionTimeoutMs: this.#options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.#options.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: rangeAssignor.name, metadata: encodeSubscription({ version: 0, topics: [topic] }) }],
      });
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        continue;
      }
      if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (joined.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      if (joined.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup ${groupId}: ${errorCodeName(joined.errorCode)}`);
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      const assignments = joined.leader === joined.memberId ? this.#assign(joined.members) : [];
      const synced = await this.#connection.send(ApiKey.SyncGroup, {
        groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        assignments,
      });
      if (synced.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || synced.errorCode === ErrorCode.ILLEGAL_GENERATION) continue;
      if (synced.errorCode !== ErrorCode.NONE) throw new Error(`SyncGroup ${groupId}: ${errorCodeName(synced.errorCode)}`);
      const assignment = synced.assignment.length === 0 ? [] : decodeAssignment(synced.assignment).assignedPartitions;
      this.partitions = assignment.filter((each) => each.topic === topic).flatMap((each) => [...each.partitions]);
      this.rejoinNeeded = false;
      this.#startHeartbeats();
      return;
    }
    throw new Error(`JoinGroup ${groupId}: no stable generation after ${joinAttemptsMax} attempts`);
  }

  /** Committed offsets of this member's partitions; partitions without one start at 0. */
  async committedOffsets(): Promise<Map<number, number>> {
    const { groupId, topic } = this.#options;
    const fetched = await this.#connection.send(ApiKey.OffsetFetch, {
      groupId,
      topics: [{ topicName: topic, partitionIndexes: this.partitions }],
      requireStable: false,
    } as never);
    const offsets = new Map<number, number>();
    for (const partition of this.partitions) offsets.set(partition, 0);
    for (const each of fetched.topics) {
      for (const partition of each.partitions) {
        if (partition.errorCode === ErrorCode.NONE && partition.committedOffset >= 0) offsets.set(partition.partitionIndex, partition.committedOffset);
      }
    }
    return offsets;
  }

  /** Commits `offsets` (the next offset to read, per partition) under the current generation. */
  async commit(offsets: ReadonlyMap<number, number>): Promise<void> {
    if (offsets.size === 0) return;
    const { groupId, topic } = this.#options;
    const committed = await this.#connection.send(ApiKey.OffsetCommit, {
      groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [
        {
          topicName: topic,
          partitions: [...offsets].map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: null })),
        },
      ],
    });
    for (const each of committed.topics) {
      for (const partition of each.partitions) {
        if (partition.errorCode === ErrorCode.NONE) continue;
        // A rebalance started: the next owner resumes from the previous commit, as with Kafka.
        if (isRebalanceError(partition.errorCode)) this.rejoinNeeded = true;
        else throw new Error(`OffsetCommit ${groupId}: ${errorCodeName(partition.errorCode)}`);
      }
    }
  }

  async leave(): Promise<void> {
    this.#stopHeartbeats();
    if (this.memberId === '') return;
    await this.#connection.send(ApiKey.LeaveGroup, {
      groupId: this.#options.groupId,
      memberId: this.memberId,
      members: [{ memberId: this.memberId, groupInstanceId: null }],
    } as never);
  }

  #assign(members: readonly { memberId: string; metadata: Uint8Array }[]): { memberId: string; assignment: Uint8Array }[] {
    assert(members.length > 0, 'the leader sees at least itself');
    const spec = {
      members: members.map((member) => memberFromSubscription(member.memberId, null, decodeSubscription(member.metadata))),
      partitionsPerTopic: new Map([[this.#options.topic, this.#options.partitionCount]]),
    };
    const assignment = rangeAssignor.assign(spec);
    return members.map((member) => ({
      memberId: member.memberId,
      assignment: encodeAssignment({ version: 0, assignedPartitions: toTopicPartitions(assignment.get(member.memberId) ?? new Map()) }),
    }));
  }

  #startHeartbeats(): void {
    this.#heartbeatTimer = setInterval(() => void this.#heartbeat(), this.#options.heartbeatIntervalMs);
    this.#heartbeatTimer.unref();
  }

  #stopHeartbeats(): void {
    if (this.#heartbeatTimer !== null) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }

  async #heartbeat(): Promise<void> {
    if (this.#heartbeating || this.rejoinNeeded) return;
    this.#heartbeating = true;
    try {
      const answer = await this.#connection.send(ApiKey.Heartbeat, { groupId: this.#options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
      if (isRebalanceError(answer.errorCode)) this.rejoinNeeded = true;
    } catch {
      // The connection failed: the consumer loop sees it on its next request.
    } finally {
      this.#heartbeating = false;
    }
  }
}

function isRebalanceError(code: number): boolean {
  return code === ErrorCode.REBALANCE_IN_PROGRESS || code === ErrorCode.UNKNOWN_MEMBER_ID || code === ErrorCode.ILLEGAL_GENERATION;
}
