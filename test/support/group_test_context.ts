// A coordinator on a fake clock with helpers that read like the protocol, after Kafka's
// GroupMetadataManagerTestContext: `join`, `sync`, `heartbeat`, `leave`, `commit`, `fetch`, and
// `sleep(ms)`, which advances time and fires the timers that fall due. Every reply, record and
// event any call produced is kept, so a test can look up a parked JoinGroup's answer later.

import { GroupCoordinator, type GroupResult } from '../../core/group/coordinator.js';
import type {
  GroupReply,
  JoinGroupProtocol,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupResponse,
  OffsetCommitResponse,
  OffsetFetchTopic,
  RequestId,
  SyncGroupResponse,
} from '../../core/group/group_api.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import type { GroupEvent } from '../../core/group/group_event.js';
import type { GroupRecord } from '../../core/group/group_record.js';
import type { GroupState } from '../../core/group/group_state.js';
import { FakeClock } from './fake_clock.js';

export const sessionTimeoutMsDefault = 10_000;
export const rebalanceTimeoutMsDefault = 30_000;
/**
 * The tests' group.initial.rebalance.delay.ms. Not 0: with no delay the first member to join an
 * Empty group completes a generation on its own, and tests want several members in one.
 */
export const initialRebalanceDelayMsTest = 1000;

/** A reply that may arrive in a later call: read `response` once `done`. */
export class PendingReply<Response> {
  constructor(
    readonly requestId: RequestId,
    private readonly replies: Map<RequestId, GroupReply>,
  ) {}

  get done(): boolean {
    return this.replies.has(this.requestId);
  }

  get response(): Response {
    const reply = this.replies.get(this.requestId);
    if (reply === undefined) throw new Error(`request ${String(this.requestId)} has no reply yet`);
    return reply.response as Response;
  }
}

export interface JoinOptions {
  memberId?: string;
  groupInstanceId?: string | null;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  protocolType?: string;
  protocols?: readonly JoinGroupProtocol[];
  clientId?: string;
  requireKnownMemberId?: boolean;
}

export interface TestMember {
  readonly memberId: string;
  readonly generationId: number;
  readonly groupInstanceId: string | null;
}

export interface GroupTestContextOptions {
  config?: Partial<GroupConfig>;
  /** topic → partition count; other topics are unknown. */
  topics?: Record<string, number>;
  decodeSubscribedTopics?: (metadata: Uint8Array) => readonly string[] | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Test metadata: the subscribed topic names, comma-separated. */
export function subscription(...topics: string[]): Uint8Array {
  return encoder.encode(topics.join(','));
}

export function decodeTestSubscription(metadata: Uint8Array): readonly string[] | undefined {
  const text = decoder.decode(metadata);
  return text === '' ? [] : text.split(',');
}

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(value: Uint8Array): string {
  return decoder.decode(value);
}

export class GroupTestContext {
  readonly clock = new FakeClock();
  coordinator: GroupCoordinator;
  readonly topics: Record<string, number>;
  readonly replies = new Map<RequestId, GroupReply>();
  readonly records: GroupRecord[] = [];
  readonly events: GroupEvent[] = [];
  private requestIdNext = 1;
  private readonly options: GroupTestContextOptions;

  constructor(options: GroupTestContextOptions = {}) {
    this.options = options;
    this.topics = options.topics ?? { orders: 4 };
    this.coordinator = new GroupCoordinator(this.coordinatorOptions());
  }

  coordinatorOptions() {
    return {
      config: { initialRebalanceDelayMs: initialRebalanceDelayMsTest, ...this.options.config },
      partitionCount: (topic: string) => this.topics[topic],
      decodeSubscribedTopics: this.options.decodeSubscribedTopics ?? decodeTestSubscription,
    };
  }

  /** Replaces the coordinator by one rebuilt from every record so far (a restart). */
  restart(): void {
    this.coordinator = GroupCoordinator.replay(this.records, this.clock.nowMs(), this.coordinatorOptions());
  }

  private absorb(result: GroupResult): GroupResult {
    for (const reply of result.replies) {
      if (this.replies.has(reply.requestId)) throw new Error(`request ${String(reply.requestId)} answered twice`);
      this.replies.set(reply.requestId, reply);
    }
    this.records.push(...result.records);
    this.events.push(...result.events);
    return result;
  }

  private nextRequestId(): number {
    return this.requestIdNext++;
  }

  /** Advances the clock and fires every timer due by then. */
  sleep(ms: number): GroupResult {
    this.clock.advance(ms);
    return this.absorb(this.coordinator.tick(this.clock.nowMs()));
  }

  joinRequest(groupId: string, options: JoinOptions = {}): JoinGroupRequest {
    return {
      groupId,
      memberId: options.memberId ?? '',
      groupInstanceId: options.groupInstanceId ?? null,
      sessionTimeoutMs: options.sessionTimeoutMs ?? sessionTimeoutMsDefault,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? rebalanceTimeoutMsDefault,
      protocolType: options.protocolType ?? 'consumer',
      protocols: options.protocols ?? [{ name: 'roundrobin', metadata: subscription('orders') }],
      clientId: options.clientId ?? 'client',
      clientHost: '/127.0.0.1',
      requireKnownMemberId: options.requireKnownMemberId ?? false,
    };
  }

  /** One JoinGroup as sent; the reply may be parked. */
  join(groupId: string, options: JoinOptions = {}): PendingReply<JoinGroupResponse> {
    const requestId = this.nextRequestId();
    this.absorb(this.coordinator.joinGroup(this.clock.nowMs(), requestId, this.joinRequest(groupId, options)));
    return new PendingReply(requestId, this.replies);
  }

  /** The v4+ two-step join: MEMBER_ID_REQUIRED, then the rejoin with the given id (parked). */
  joinV4(groupId: string, options: JoinOptions = {}): PendingReply<JoinGroupResponse> {
    const first = this.join(groupId, { ...options, requireKnownMemberId: true });
    if (first.response.errorCode !== 79) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.response.errorCode}`);
    return this.join(groupId, { ...options, memberId: first.response.memberId, requireKnownMemberId: true });
  }

  sync(
    groupId: string,
    member: { memberId: string; generationId: number; groupInstanceId?: string | null },
    assignments: Record<string, Uint8Array> = {},
  ): PendingReply<SyncGroupResponse> {
    const requestId = this.nextRequestId();
    this.absorb(
      this.coordinator.syncGroup(this.clock.nowMs(), requestId, {
        groupId,
        generationId: member.generationId,
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId ?? null,
        protocolType: null,
        protocolName: null,
        assignments: Object.entries(assignments).map(([memberId, assignment]) => ({ memberId, assignment })),
      }),
    );
    return new PendingReply(requestId, this.replies);
  }

  heartbeat(groupId: string, member: { memberId: string; generationId: number; groupInstanceId?: string | null }): number {
    const requestId = this.nextRequestId();
    this.absorb(
      this.coordinator.heartbeat(this.clock.nowMs(), requestId, {
        groupId,
        generationId: member.generationId,
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId ?? null,
      }),
    );
    return (this.replies.get(requestId)?.response as { errorCode: number }).errorCode;
  }

  leave(groupId: string, ...members: { memberId: string; groupInstanceId?: string | null }[]): LeaveGroupResponse {
    const requestId = this.nextRequestId();
    this.absorb(
      this.coordinator.leaveGroup(this.clock.nowMs(), requestId, {
        groupId,
        members: members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId ?? null })),
      }),
    );
    return this.replies.get(requestId)?.response as LeaveGroupResponse;
  }

  /** Commits `offsets` ("topic/partition" → offset); returns the response. */
  commit(
    groupId: string,
    member: { memberId: string; generationId: number; groupInstanceId?: string | null },
    offsets: Record<string, number>,
    metadata: string | null = null,
  ): OffsetCommitResponse {
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: number }[]>();
    for (const [key, offset] of Object.entries(offsets)) {
      const [topic, partition] = key.split('/');
      const list = byTopic.get(topic) ?? [];
      list.push({ partitionIndex: Number(partition), committedOffset: offset });
      byTopic.set(topic, list);
    }
    const requestId = this.nextRequestId();
    this.absorb(
      this.coordinator.offsetCommit(this.clock.nowMs(), requestId, {
        groupId,
        generationId: member.generationId,
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId ?? null,
        topics: [...byTopic].map(([name, partitions]) => ({
          name,
          partitions: partitions.map((partition) => ({ ...partition, committedLeaderEpoch: -1, committedMetadata: metadata })),
        })),
      }),
    );
    return this.replies.get(requestId)?.response as OffsetCommitResponse;
  }

  /** Every partition's error code of a commit, flattened: "topic/partition" → code. */
  commitCodes(
    groupId: string,
    member: { memberId: string; generationId: number; groupInstanceId?: string | null },
    offsets: Record<string, number>,
    metadata: string | null = null,
  ): Record<string, number> {
    const codes: Record<string, number> = {};
    for (const topic of this.commit(groupId, member, offsets, metadata).topics) {
      for (const partition of topic.partitions) codes[`${topic.name}/${partition.partitionIndex}`] = partition.errorCode;
    }
    return codes;
  }

  /** Committed offsets ("topic/partition" → offset, −1 when none). */
  fetch(groupId: string, topics: readonly OffsetFetchTopic[] | null = null): Record<string, number> {
    const offsets: Record<string, number> = {};
    for (const topic of this.coordinator.offsetFetch({ groupId, topics }).topics) {
      for (const partition of topic.partitions) offsets[`${topic.name}/${partition.partitionIndex}`] = partition.committedOffset;
    }
    return offsets;
  }

  deleteGroups(...groupIds: string[]): Record<string, number> {
    const requestId = this.nextRequestId();
    this.absorb(this.coordinator.deleteGroups(this.clock.nowMs(), requestId, groupIds));
    const response = this.replies.get(requestId)?.response as { groupId: string; errorCode: number }[];
    return Object.fromEntries(response.map((entry) => [entry.groupId, entry.errorCode]));
  }

  state(groupId: string): GroupState {
    return this.coordinator.describeGroups([groupId])[0].groupState;
  }

  /**
   * Brings `count` members (v4 two-step joins) to a Stable generation: all join, the leader
   * assigns each member the bytes `assignment(memberId)`, everyone syncs.
   */
  stableGroup(
    groupId: string,
    count: number,
    options: JoinOptions & { assignment?: (memberId: string, index: number) => Uint8Array } = {},
  ): TestMember[] {
    const joins = [];
    for (let index = 0; index < count; index++) joins.push(this.joinV4(groupId, { ...options, clientId: `client-${index}` }));
    this.completeJoins(...joins);
    return this.syncAll(groupId, joins.map((join) => join.response), options.assignment);
  }

  /**
   * Sleeps by the initial rebalance delay until every given JoinGroup is answered (each member
   * that joined during the delay extends it once), returning the responses.
   */
  completeJoins(...joins: PendingReply<JoinGroupResponse>[]): JoinGroupResponse[] {
    const delayMs = this.coordinator.config.initialRebalanceDelayMs;
    for (let round = 0; round <= joins.length + 1 && !joins.every((join) => join.done); round++) this.sleep(delayMs);
    if (!joins.every((join) => join.done)) throw new Error('joins still parked after the initial delay');
    return joins.map((join) => join.response);
  }

  /** Sends every member's SyncGroup, the leader's with an assignment, and checks all succeed. */
  syncAll(
    groupId: string,
    responses: readonly JoinGroupResponse[],
    assignment: (memberId: string, index: number) => Uint8Array = (memberId) => bytes(`assigned:${memberId}`),
  ): TestMember[] {
    const leader = responses.find((response) => response.memberId === response.leader);
    if (leader === undefined) throw new Error('no leader among the join responses');
    const assignments = Object.fromEntries(leader.members.map((member, index) => [member.memberId, assignment(member.memberId, index)]));
    const syncs = responses.map((response) =>
      this.sync(groupId, response, response.memberId === response.leader ? assignments : {}),
    );
    for (const sync of syncs) if (!sync.done || sync.response.errorCode !== 0) throw new Error('sync did not complete');
    return responses.map((response) => ({ memberId: response.memberId, generationId: response.generationId, groupInstanceId: null }));
  }
}
