// One classic consumer-group member for `lanes consume --group`: JoinGroup (with the KIP-394
// MEMBER_ID_REQUIRED handshake), the range assignor when elected leader, SyncGroup, heartbeats
// on a timer, committed offsets (OffsetFetch / OffsetCommit) and LeaveGroup.
//
// The member never blocks on a rebalance by itself: a heartbeat or commit that learns of one sets
// `rebalanceNeeded`, and the consume loop calls join() again at its next turn (after committing
// what it has printed). That is the eager protocol: everything is given up on every rebalance.

import { ErrorCode } from '../../core/errors.js';
import { toTopicPartitions, type AssignorMember } from '../../core/assignors/assignor.js';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../core/assignors/consumer_protocol.js';
import { assignRange } from '../../core/assignors/range.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { describeErrorCode, type KafkaConnection } from '../net/kafka_client.js';
import { CliError, sleep } from './cli_error.js';
import { type Cluster } from '../net/cluster.js';

export interface GroupMemberOptions {
  groupId: string;
  topics: readonly string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

/** topic → assigned partitions (ascending). */
export type Assignment = Map<string, number[]>;

const protocolType = 'consumer';
const assignorName = 'range';
const joinAttemptsMax = 50;
/** Errors after which the member must join again, keeping its member id. */
const rejoinCodes = new Set<number>([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION]);
/** Errors after which the member must join again as a new member. */
const resetCodes = new Set<number>([ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.FENCED_INSTANCE_ID]);
const coordinatorCodes = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]);

export class GroupMember {
  readonly #cluster: Cluster;
  readonly #options: GroupMemberOptions;
  memberId = '';
  generationId = -1;
  rebalanceNeeded = true;
  #heartbeat: NodeJS.Timeout | null = null;
  #heartbeatInFlight = false;
  /** A heartbeat failure the member cannot recover from (connection lost). */
  failure: Error | null = null;

  constructor(cluster: Cluster, options: GroupMemberOptions) {
    this.#cluster = cluster;
    this.#options = options;
  }

  get groupId(): string {
    return this.#options.groupId;
  }

  async #coordinator(): Promise<KafkaConnection> {
    return (await this.#cluster.coordinator(this.#options.groupId)).connection;
  }

  #onError(code: number): void {
    if (resetCodes.has(code)) {
      this.memberId = '';
      this.generationId = -1;
    }
    if (coordinatorCodes.has(code)) this.#cluster.forgetCoordinator(this.#options.groupId);
    this.rebalanceNeeded = true;
  }

  /** Joins (or rejoins) the group and returns this member's assignment. */
  async join(): Promise<Assignment> {
    this.#stopHeartbeats();
    for (let attempt = 0; attempt < joinAttemptsMax; attempt++) {
      const coordinator = await this.#coordinator();
      const joined = await coordinator.send(
        ApiKey.JoinGroup,
        {
          groupId: this.#options.groupId,
          sessionTimeoutMs: this.#options.sessionTimeoutMs,
          rebalanceTimeoutMs: this.#options.rebalanceTimeoutMs,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType,
          protocols: [{ name: assignorName, metadata: encodeSubscription({ version: 0, topics: this.#options.topics }) }],
        },
        { timeoutMs: this.#options.rebalanceTimeoutMs + 10_000 },
      );
      if (joined.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = joined.memberId;
        continue;
      }
      if (joined.errorCode === ErrorCode.INCONSISTENT_GROUP_PROTOCOL) {
        throw new CliError(`group '${this.#options.groupId}': its members use other assignors than '${assignorName}' (INCONSISTENT_GROUP_PROTOCOL)`);
      }
      if (joined.errorCode !== ErrorCode.NONE) {
        if (rejoinCodes.has(joined.errorCode) || resetCodes.has(joined.errorCode) || coordinatorCodes.has(joined.errorCode)) {
          this.#onError(joined.errorCode);
          await sleep(100);
          continue;
        }
        throw new CliError(`join group '${this.#options.groupId}': ${describeErrorCode(joined.errorCode)}`);
      }
      this.memberId = joined.memberId;
      this.generationId = joined.generationId;
      const assignments = joined.leader === joined.memberId ? await this.#assign(joined.members) : [];
      const synced = await coordinator.send(
        ApiKey.SyncGroup,
        { groupId: this.#options.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null, assignments },
        { timeoutMs: this.#options.rebalanceTimeoutMs + 10_000 },
      );
      if (synced.errorCode !== ErrorCode.NONE) {
        if (rejoinCodes.has(synced.errorCode) || resetCodes.has(synced.errorCode) || coordinatorCodes.has(synced.errorCode)) {
          this.#onError(synced.errorCode);
          continue;
        }
        throw new CliError(`sync group '${this.#options.groupId}': ${describeErrorCode(synced.errorCode)}`);
      }
      this.rebalanceNeeded = false;
      this.#startHeartbeats();
      const assignment: Assignment = new Map();
      for (const { topic, partitions } of decodeAssignment(synced.assignment).assignedPartitions) {
        assignment.set(topic, [...partitions].sort((a, b) => a - b));
      }
      return assignment;
    }
    throw new CliError(`group '${this.#options.groupId}': still rebalancing after ${joinAttemptsMax} attempts to join`);
  }

  /** The leader's part: the range assignment of every member's subscription. */
  async #assign(members: readonly { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[]): Promise<{ memberId: string; assignment: Uint8Array }[]> {
    const assignorMembers: AssignorMember[] = members.map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      topics: decodeSubscription(member.metadata).topics,
    }));
    const topics = [...new Set(assignorMembers.flatMap((m) => m.topics))];
    const metadata = await this.#cluster.metadata(topics);
    const partitionsPerTopic = new Map<string, number>();
    for (const topic of metadata.topics) if (topic.errorCode === ErrorCode.NONE) partitionsPerTopic.set(topic.topicName, topic.partitions.length);
    const assignment = assignRange({ members: assignorMembers, partitionsPerTopic });
    return [...assignment].map(([memberId, partitions]) => ({
      memberId,
      assignment: encodeAssignment({ version: 0, assignedPartitions: toTopicPartitions(partitions) }),
    }));
  }

  #startHeartbeats(): void {
    this.#stopHeartbeats();
    // Kafka's heartbeat.interval.ms is 3 s; 1 s lets a rebalance finish sooner for a tool.
    const intervalMs = Math.max(100, Math.min(1000, Math.floor(this.#options.sessionTimeoutMs / 3)));
    this.#heartbeat = setInterval(() => void this.#beat(), intervalMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeats(): void {
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  async #beat(): Promise<void> {
    if (this.#heartbeatInFlight || this.rebalanceNeeded) return;
    this.#heartbeatInFlight = true;
    try {
      const coordinator = await this.#coordinator();
      const response = await coordinator.send(ApiKey.Heartbeat, {
        groupId: this.#options.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
      });
      if (response.errorCode !== ErrorCode.NONE) this.#onError(response.errorCode);
    } catch (error) {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#heartbeatInFlight = false;
    }
  }

  /** Committed offsets of `partitions` ("topic" → partition → offset, −1 when none). */
  async committed(assignment: Assignment): Promise<Map<string, Map<number, number>>> {
    return fetchCommittedOffsets(await this.#coordinator(), this.#options.groupId, assignment);
  }

  /**
   * Commits `offsets` (next offset to read) under the current generation. Returns false when the
   * group is rebalancing or this member was fenced: the offsets were not committed and the member
   * must join again.
   */
  async commit(offsets: Map<string, Map<number, number>>): Promise<boolean> {
    if (offsets.size === 0) return true;
    const coordinator = await this.#coordinator();
    const response = await coordinator.send(ApiKey.OffsetCommit, {
      groupId: this.#options.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: [...offsets].map(([topicName, partitions]) => ({
        topicName,
        partitions: [...partitions].map(([partitionIndex, committedOffset]) => ({
          partitionIndex,
          committedOffset,
          committedLeaderEpoch: -1,
          committedMetadata: '',
        })),
      })),
    });
    for (const topic of response.topics) {
      for (const partition of topic.partitions) {
        if (partition.errorCode === ErrorCode.NONE) continue;
        if (rejoinCodes.has(partition.errorCode) || resetCodes.has(partition.errorCode) || coordinatorCodes.has(partition.errorCode)) {
          this.#onError(partition.errorCode);
          return false;
        }
        throw new CliError(`commit ${topic.topicName}[${partition.partitionIndex}] for group '${this.#options.groupId}': ${describeErrorCode(partition.errorCode)}`);
      }
    }
    return true;
  }

  /** Leaves the group so that the others rebalance at once rather than after a session timeout. */
  async leave(): Promise<void> {
    this.#stopHeartbeats();
    if (this.memberId === '') return;
    const coordinator = await this.#coordinator();
    await coordinator.send(ApiKey.LeaveGroup, {
      groupId: this.#options.groupId,
      memberId: this.memberId,
      members: [{ memberId: this.memberId, groupInstanceId: null }],
    });
    this.memberId = '';
  }

  stop(): void {
    this.#stopHeartbeats();
  }
}

/**
 * A group's committed offsets, by OffsetFetch. `assignment` null asks for every partition the
 * group committed (OffsetFetch v2+). Returns topic → partition → offset (−1 when none).
 */
export async function fetchCommittedOffsets(
  coordinator: KafkaConnection,
  groupId: string,
  assignment: ReadonlyMap<string, readonly number[]> | null,
): Promise<Map<string, Map<number, number>>> {
  const response = await coordinator.send(ApiKey.OffsetFetch, {
    groupId,
    topics: assignment === null ? null : [...assignment].map(([topicName, partitions]) => ({ topicName, partitionIndexes: [...partitions] })),
  });
  if (response.errorCode !== ErrorCode.NONE) throw new CliError(`committed offsets of group '${groupId}': ${describeErrorCode(response.errorCode)}`);
  const offsets = new Map<string, Map<number, number>>();
  for (const topic of response.topics) {
    const partitions = new Map<number, number>();
    for (const partition of topic.partitions) {
      if (partition.errorCode !== ErrorCode.NONE && partition.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new CliError(`committed offset of ${topic.topicName}[${partition.partitionIndex}] in group '${groupId}': ${describeErrorCode(partition.errorCode)}`);
      }
      partitions.set(partition.partitionIndex, partition.committedOffset);
    }
    offsets.set(topic.topicName, partitions);
  }
  return offsets;
}
