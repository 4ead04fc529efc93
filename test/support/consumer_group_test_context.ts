// A coordinator on a fake clock for the consumer group protocol (KIP-848), and a model client:
// `ConsumerTestMember` heartbeats the way a KIP-848 consumer does (joins with epoch 0 and empty
// owned partitions, reports what it owns, adopts each assignment it is sent — dropping revoked
// partitions at once or, when told to be slow, only on a later heartbeat). Every reply, record and
// event is kept, so tests can replay the records (a restart) and check ownership over time.

import { GroupCoordinator, type GroupResult } from '../../core/group/coordinator.js';
import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  ConsumerTopicPartitions,
  GroupReply,
  OffsetCommitResponse,
  RequestId,
} from '../../core/group/group_api.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import type { GroupEvent } from '../../core/group/group_event.js';
import type { GroupRecord } from '../../core/group/group_record.js';
import { FakeClock } from './fake_clock.js';

export class ConsumerGroupTestContext {
  readonly clock = new FakeClock();
  coordinator: GroupCoordinator;
  readonly topics: Record<string, number>;
  readonly replies = new Map<RequestId, GroupReply>();
  readonly records: GroupRecord[] = [];
  readonly events: GroupEvent[] = [];
  #requestIdNext = 1;
  readonly #config: Partial<GroupConfig>;

  constructor(options: { topics?: Record<string, number>; config?: Partial<GroupConfig> } = {}) {
    this.topics = options.topics ?? { orders: 6 };
    this.#config = options.config ?? {};
    this.coordinator = new GroupCoordinator(this.coordinatorOptions());
  }

  coordinatorOptions() {
    return {
      config: this.#config,
      partitionCount: (topic: string) => (Object.hasOwn(this.topics, topic) ? this.topics[topic] : undefined),
      topicNames: () => Object.keys(this.topics).sort(),
    };
  }

  restart(): void {
    this.coordinator = GroupCoordinator.replay(this.records, this.clock.nowMs(), this.coordinatorOptions());
  }

  absorb(result: GroupResult): GroupResult {
    for (const reply of result.replies) {
      if (this.replies.has(reply.requestId)) throw new Error(`request ${String(reply.requestId)} answered twice`);
      this.replies.set(reply.requestId, reply);
    }
    this.records.push(...result.records);
    this.events.push(...result.events);
    return result;
  }

  sleep(ms: number): void {
    this.clock.advance(ms);
    this.absorb(this.coordinator.tick(this.clock.nowMs()));
  }

  /** Sets a topic's partition count (creates it), or deletes it (undefined), and tells the coordinator. */
  setTopic(topic: string, partitions: number | undefined): void {
    if (partitions === undefined) delete this.topics[topic];
    else this.topics[topic] = partitions;
    this.absorb(this.coordinator.topicsChanged(this.clock.nowMs()));
  }

  /** One raw heartbeat: fields default to a full join request (epoch 0). */
  heartbeat(request: Partial<ConsumerGroupHeartbeatRequest> & { groupId: string }): ConsumerGroupHeartbeatResponse {
    const requestId = this.#requestIdNext++;
    const full: ConsumerGroupHeartbeatRequest = {
      memberId: '',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['orders'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      ownedPartitions: [],
      clientId: 'client',
      clientHost: '/127.0.0.1',
      ...request,
    };
    this.absorb(this.coordinator.consumerGroupHeartbeat(this.clock.nowMs(), requestId, full));
    const reply = this.replies.get(requestId);
    if (reply === undefined || reply.api !== 'ConsumerGroupHeartbeat') throw new Error('a heartbeat is answered at once');
    return reply.response;
  }

  commit(groupId: string, memberId: string, memberEpoch: number, offsets: Record<string, number>): OffsetCommitResponse {
    const requestId = this.#requestIdNext++;
    const topics = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[]>();
    for (const [key, offset] of Object.entries(offsets)) {
      const [topic, partition] = key.split('/');
      const list = topics.get(topic) ?? [];
      list.push({ partitionIndex: Number(partition), committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null });
      topics.set(topic, list);
    }
    this.absorb(
      this.coordinator.offsetCommit(this.clock.nowMs(), requestId, {
        groupId,
        generationId: memberEpoch,
        memberId,
        groupInstanceId: null,
        topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
      }),
    );
    return this.replies.get(requestId)?.response as OffsetCommitResponse;
  }

  /** Partitions held by two members of `groupId` at once, per the clients' own view. */
  static doubleOwned(members: readonly ConsumerTestMember[]): string[] {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const member of members) {
      for (const key of member.ownedKeys()) {
        if (seen.has(key)) twice.push(`${key} (${seen.get(key)} and ${member.name})`);
        seen.set(key, member.name);
      }
    }
    return twice;
  }
}

/** A model KIP-848 consumer. */
export class ConsumerTestMember {
  memberId = '';
  memberEpoch = 0;
  /** topic → owned partitions, as the client believes. */
  owned = new Map<string, number[]>();
  /** Assignment received but not yet applied (a slow revocation). */
  #pendingAssignment: readonly ConsumerTopicPartitions[] | null = null;
  lastError = 0;

  constructor(
    readonly t: ConsumerGroupTestContext,
    readonly groupId: string,
    readonly name: string,
    readonly options: { instanceId?: string; topics?: string[]; regex?: string; assignor?: string; rebalanceTimeoutMs?: number } = {},
  ) {}

  ownedKeys(): string[] {
    return [...this.owned].flatMap(([topic, partitions]) => partitions.map((p) => `${topic}-${p}`));
  }

  ownedCount(): number {
    return this.ownedKeys().length;
  }

  #ownedList(): ConsumerTopicPartitions[] {
    return [...this.owned].map(([topic, partitions]) => ({ topic, partitions }));
  }

  join(): ConsumerGroupHeartbeatResponse {
    this.owned = new Map();
    this.memberEpoch = 0;
    return this.#send({
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: 0,
      instanceId: this.options.instanceId ?? null,
      subscribedTopicNames: this.options.topics ?? (this.options.regex === undefined ? ['orders'] : null),
      subscribedTopicRegex: this.options.regex ?? null,
      serverAssignor: this.options.assignor ?? null,
      rebalanceTimeoutMs: this.options.rebalanceTimeoutMs ?? 30_000,
      ownedPartitions: [],
    });
  }

  /**
   * A regular heartbeat reporting what it owns. `slow`: an assignment that revokes partitions
   * is held and applied only at the next heartbeat (a consumer busy finishing its batch).
   */
  poll(options: { slow?: boolean } = {}): ConsumerGroupHeartbeatResponse {
    if (this.#pendingAssignment !== null && !options.slow) {
      this.#adopt(this.#pendingAssignment);
      this.#pendingAssignment = null;
    }
    return this.#send(
      {
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.memberEpoch,
        instanceId: null,
        subscribedTopicNames: null,
        rebalanceTimeoutMs: -1,
        ownedPartitions: this.#ownedList(),
      },
      options.slow ?? false,
    );
  }

  leave(epoch: -1 | -2 = -1): ConsumerGroupHeartbeatResponse {
    const response = this.t.heartbeat({
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: epoch,
      instanceId: this.options.instanceId ?? null,
      subscribedTopicNames: null,
      rebalanceTimeoutMs: -1,
      ownedPartitions: null,
    });
    this.owned = new Map();
    return response;
  }

  #send(request: Partial<ConsumerGroupHeartbeatRequest> & { groupId: string }, slow = false): ConsumerGroupHeartbeatResponse {
    const response = this.t.heartbeat(request);
    this.lastError = response.errorCode;
    if (response.errorCode !== 0) {
      // FENCED / UNKNOWN: a real consumer drops everything and rejoins with epoch 0.
      this.owned = new Map();
      this.memberEpoch = 0;
      return response;
    }
    if (response.memberId !== null) this.memberId = response.memberId;
    this.memberEpoch = response.memberEpoch;
    if (response.assignment !== null) {
      const revokes = this.ownedKeys().some((key) => !response.assignment!.some((tp) => tp.partitions.some((p) => `${tp.topic}-${p}` === key)));
      if (slow && revokes) this.#pendingAssignment = response.assignment;
      else this.#adopt(response.assignment);
    }
    return response;
  }

  #adopt(assignment: readonly ConsumerTopicPartitions[]): void {
    this.owned = new Map(assignment.filter((tp) => tp.partitions.length > 0).map((tp) => [tp.topic, [...tp.partitions]]));
  }
}
