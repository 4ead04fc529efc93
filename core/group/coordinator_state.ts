// The state every part of the group coordinator shares, and the plumbing they all use: the groups
// of this shard, the timers keyed by group and member, the requests parked in members, the time of
// the current call, and the result being built for it. The coordinator's parts (membership.ts,
// rebalance.ts, offsets.ts, group_replay.ts) are functions over one CoordinatorState; the
// GroupCoordinator facade (coordinator.ts) owns it and brackets every call with begin/finish.
//
// Timers (keyed in one TimerWheel; rescheduling a key replaces it):
//   session  per member: no heartbeat for sessionTimeoutMs ⇒ removed (kept alive while parked)
//   pending  per MEMBER_ID_REQUIRED id: forgotten if it does not rejoin within its session timeout
//   join     per group: end of the join phase (initial delay from Empty, else rebalance timeout)
//   sync     per group: members that have not sent SyncGroup within the rebalance timeout leave

import { assert } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { memberIdAttemptsMax, memberIdPrefixCharsMax } from '../limits.js';
import { TimerWheel } from '../timer_wheel.js';
import type { GroupReply, RequestId } from './group_api.js';
import { groupConfig, type GroupConfig } from './group_config.js';
import type { GroupEvent } from './group_event.js';
import { ClassicGroup, type GroupMember } from './group.js';
import type { GroupMetadataValue, GroupRecord } from './group_record.js';
import type { KernelSource } from '../assignors/kernel_choice.js';
import type { ConsumerGroup } from './consumer/consumer_group.js';

export interface GroupResult {
  readonly replies: GroupReply[];
  readonly records: GroupRecord[];
  readonly events: GroupEvent[];
}

export interface GroupCoordinatorOptions {
  readonly config?: Partial<GroupConfig>;
  /** Partitions of a topic, undefined for an unknown topic (the shard's topic registry). */
  readonly partitionCount: (topic: string) => number | undefined;
  /**
   * The topics a "consumer" member's metadata subscribes to, undefined when it cannot be read.
   * Injected so that this module does not depend on the assignors' codec; without it, a consumer
   * group with members counts as subscribed to every topic (Kafka's rule for unreadable metadata).
   */
  readonly decodeSubscribedTopics?: (metadata: Uint8Array) => readonly string[] | undefined;
  /**
   * A unique suffix for new member ids (Kafka uses a random UUID). The default is deterministic:
   * the join time and a counter, which together stay unique across a restart.
   */
  readonly memberIdSuffix?: () => string;
  /** Every topic's name, for consumer-protocol regex subscriptions; absent: none match. */
  readonly topicNames?: () => readonly string[];
  /** The assignment kernel large server-side assignments may run through (kernel_choice.ts). */
  readonly assignmentKernel?: KernelSource;
}

export type TimerAction =
  | { readonly kind: 'session'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'pending'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'join'; readonly groupId: string; readonly initial: { delayMs: number; remainingMs: number } | null }
  | { readonly kind: 'sync'; readonly groupId: string; readonly generationId: number }
  | { readonly kind: 'consumerSession'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'consumerRebalance'; readonly groupId: string; readonly memberId: string; readonly memberEpoch: number };

export const emptyBytes = new Uint8Array(0);

export class CoordinatorState {
  readonly config: GroupConfig;
  readonly options: GroupCoordinatorOptions;
  readonly groups = new Map<string, ClassicGroup>();
  /** Consumer-protocol groups (consumer/); a group id is in at most one of the two maps. */
  readonly consumerGroups = new Map<string, ConsumerGroup>();
  /** Consumer groups whose epoch moved and which have not settled yet (rebalance telemetry). */
  readonly rebalancingConsumerGroups = new Set<string>();
  readonly timers = new TimerWheel();
  readonly timerActions = new Map<string, TimerAction>();
  /** Requests parked in a member, answered exactly once by a later call. */
  readonly parked = new Set<RequestId>();
  /** The current call's time; never moves back (see GroupCoordinator.begin). */
  nowMs = Number.NEGATIVE_INFINITY;
  out: GroupResult = emptyResult();
  #memberIdCounter = 0;

  constructor(options: GroupCoordinatorOptions) {
    this.options = options;
    this.config = groupConfig(options.config);
  }

  reply(reply: GroupReply): void {
    assert(!this.parked.has(reply.requestId), `request ${String(reply.requestId)} answered while still parked`);
    this.out.replies.push(reply);
  }

  emit(event: GroupEvent): void {
    this.out.events.push(event);
  }

  record(record: GroupRecord): void {
    this.out.records.push(record);
  }

  /** A parked request leaves the parked set just before it is answered. */
  unpark(requestId: RequestId): void {
    this.parked.delete(requestId);
  }

  park(requestId: RequestId): void {
    assert(!this.parked.has(requestId), `request ${String(requestId)} parked twice`);
    this.parked.add(requestId);
  }

  createGroup(groupId: string): ClassicGroup {
    assert(!this.groups.has(groupId), `group ${groupId} created twice`);
    const group = new ClassicGroup(groupId, this.nowMs);
    this.groups.set(groupId, group);
    return group;
  }

  /**
   * Forgets a group that holds nothing: no members, pending members, offsets or history. Such a
   * group is what a failed first join or a deleted last offset leaves; keeping it would only
   * grow the map. A group that ever had a generation stays, as in Kafka, until DeleteGroups.
   */
  forgetIfVacant(group: ClassicGroup): void {
    if (group.state !== 'Empty' || group.generationId !== 0) return;
    if (group.members.size > 0 || group.pendingMembers.size > 0 || group.offsets.size > 0) return;
    this.groups.delete(group.groupId);
  }

  newMemberId(group: ClassicGroup, prefix: string): string {
    for (let attempt = 0; attempt < memberIdAttemptsMax; attempt++) {
      const suffix = this.options.memberIdSuffix?.() ?? `${this.nowMs.toString(36)}-${(this.#memberIdCounter++).toString(36)}`;
      // The prefix is the client's (its client id or group.instance.id, up to 32,767 bytes): cut,
      // so the id still fits the protocol strings that carry it back (JoinGroup, DescribeGroups).
      const memberId = `${prefix.length > memberIdPrefixCharsMax ? prefix.slice(0, memberIdPrefixCharsMax) : prefix}-${suffix}`;
      if (!group.members.has(memberId) && !group.pendingMembers.has(memberId)) return memberId;
    }
    return assert(false, `group ${group.groupId}: no unique member id in ${memberIdAttemptsMax} attempts`) as never;
  }

  /** A consumer-protocol member id for a v0 member that joins without one (Kafka: a random UUID). */
  newConsumerMemberId(group: ConsumerGroup | undefined): string {
    for (let attempt = 0; attempt < memberIdAttemptsMax; attempt++) {
      const memberId = `consumer-${this.options.memberIdSuffix?.() ?? `${this.nowMs.toString(36)}-${(this.#memberIdCounter++).toString(36)}`}`;
      if (group === undefined || !group.members.has(memberId)) return memberId;
    }
    return assert(false, `consumer group ${group?.groupId}: no unique member id in ${memberIdAttemptsMax} attempts`) as never;
  }

  persistGroup(group: ClassicGroup): void {
    this.record({ type: 'GroupMetadata', groupId: group.groupId, value: groupMetadataValue(group) });
  }

  schedule(key: string, deadlineMs: number, action: TimerAction): void {
    this.timers.schedule(key, deadlineMs);
    this.timerActions.set(key, action);
  }

  cancel(key: string): void {
    this.timers.cancel(key);
    this.timerActions.delete(key);
  }

  scheduleSession(group: ClassicGroup, member: GroupMember): void {
    this.schedule(sessionKey(group.groupId, member.memberId), this.nowMs + member.sessionTimeoutMs, {
      kind: 'session',
      groupId: group.groupId,
      memberId: member.memberId,
    });
  }

  partitionExists(topic: string, partition: number): boolean {
    const count = this.options.partitionCount(topic);
    return count !== undefined && Number.isInteger(partition) && partition >= 0 && partition < count;
  }

  /** Walks every group and timer: run only under `verify`. */
  checkInvariants(): void {
    for (const [groupId, group] of this.consumerGroups) {
      assert(group.groupId === groupId, `consumer group ${group.groupId} filed under ${groupId}`);
      assert(!this.groups.has(groupId), `group ${groupId} is both classic and consumer`);
      group.checkInvariants();
      for (const member of group.members.values()) {
        assert(this.timers.has(consumerSessionKey(groupId, member.memberId)), `consumer group ${groupId}: ${member.memberId} has no session timer`);
        const revoking = member.state === 'UNREVOKED_PARTITIONS';
        assert(this.timers.has(consumerRebalanceKey(groupId, member.memberId)) === revoking, `consumer group ${groupId}: ${member.memberId} rebalance timer while ${member.state}`);
      }
    }
    for (const [groupId, group] of this.groups) {
      assert(group.groupId === groupId, `group ${group.groupId} filed under ${groupId}`);
      group.checkInvariants();
      for (const member of group.members.values()) {
        assert(this.timers.has(sessionKey(groupId, member.memberId)), `group ${groupId}: ${member.memberId} has no session timer`);
        if (member.joinRequestId !== null) assert(this.parked.has(member.joinRequestId), `group ${groupId}: join not tracked`);
        if (member.syncRequestId !== null) assert(this.parked.has(member.syncRequestId), `group ${groupId}: sync not tracked`);
      }
      for (const memberId of group.pendingMembers) {
        assert(this.timers.has(pendingKey(groupId, memberId)), `group ${groupId}: pending ${memberId} never expires`);
      }
      const joinTimer = this.timers.has(joinKey(groupId));
      assert(joinTimer === (group.state === 'PreparingRebalance'), `group ${groupId}: join timer ${joinTimer} in ${group.state}`);
      const syncTimer = this.timers.has(syncKey(groupId));
      assert(syncTimer === group.pendingSyncMembers.size > 0, `group ${groupId}: sync timer ${syncTimer}, ${group.pendingSyncMembers.size} pending`);
    }
    assert(this.timers.size === this.timerActions.size, 'every timer has exactly one action');
  }
}

export function emptyResult(): GroupResult {
  return { replies: [], records: [], events: [] };
}

/** A group's GroupMetadata record value: what group_replay.ts loads back. */
export function groupMetadataValue(group: ClassicGroup): GroupMetadataValue {
  return {
    protocolType: group.protocolType ?? '',
    generationId: group.generationId,
    protocolName: group.protocolName,
    leader: group.leaderId,
    currentStateTimestampMs: group.stateTimestampMs,
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      sessionTimeoutMs: member.sessionTimeoutMs,
      protocols: member.protocols,
      assignment: member.assignment,
    })),
  };
}

/**
 * Kafka's ClassicGroup.validateMember: a static member must present the member id its instance
 * id currently maps to (else it is a fenced, older incarnation); anyone else must be a member.
 */
export function validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const currentId = group.staticMembers.get(groupInstanceId);
    if (currentId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (currentId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Timer keys: JSON arrays, so group and member ids may hold any character without clashing. */
export function sessionKey(groupId: string, memberId: string): string {
  return JSON.stringify(['session', groupId, memberId]);
}
export function pendingKey(groupId: string, memberId: string): string {
  return JSON.stringify(['pending', groupId, memberId]);
}
export function joinKey(groupId: string): string {
  return JSON.stringify(['join', groupId]);
}
export function syncKey(groupId: string): string {
  return JSON.stringify(['sync', groupId]);
}

export function consumerSessionKey(groupId: string, memberId: string): string {
  return JSON.stringify(['consumerSession', groupId, memberId]);
}
export function consumerRebalanceKey(groupId: string, memberId: string): string {
  return JSON.stringify(['consumerRebalance', groupId, memberId]);
}

export function compareNumbers(a: number, b: number): number {
  return a - b;
}
