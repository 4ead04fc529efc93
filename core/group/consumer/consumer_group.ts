// One group of the consumer group protocol (KIP-848): the group epoch, the target assignment and
// its epoch, the members with their own epochs and current assignments, and committed offsets.
// Plain data plus the rules that only look at the group, after Kafka's ConsumerGroup and
// ConsumerGroupMember. The coordinator (consumer_heartbeat.ts) decides when they apply.
//
// Epochs: the group epoch counts changes of what the assignment depends on (members, their
// subscriptions and assignors, the subscribed topics' partition counts); the assignment epoch is
// the group epoch the target assignment was computed for; a member's epoch is the assignment
// epoch it has reconciled to (reconcile.ts). A partition is owned by at most one member at a time:
// the member whose assigned partitions or partitions pending revocation hold it.

import { assert } from '../../assert.js';
import { CommittedOffsets } from '../committed_offsets.js';
import type { ConsumerGroupStateName } from '../group_api.js';
import type { RebalanceReason } from '../group_event.js';

/** topic → partitions, each list ascending without duplicates; topics with none are left out. */
export type TopicAssignment = ReadonlyMap<string, readonly number[]>;

export const emptyAssignment: TopicAssignment = new Map();

/**
 * Kafka's MemberState. STABLE: reconciled to the target; UNREVOKED_PARTITIONS: asked to revoke
 * partitions and not yet confirmed; UNRELEASED_PARTITIONS: at the target epoch but waiting for
 * partitions other members still own.
 */
export type ConsumerMemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

export interface ConsumerMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  /** −2 once a static member announced it will rejoin (it keeps its partitions meanwhile). */
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: ConsumerMemberState;
  readonly assigned: TopicAssignment;
  readonly pendingRevocation: TopicAssignment;
}

/** The epoch a static member that left with −2 has until it rejoins or its session expires. */
export const leaveStaticMemberEpoch = -2;
export const leaveMemberEpoch = -1;

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  /** Members in join order. */
  readonly members = new Map<string, ConsumerMember>();
  /** instanceId → memberId of the static member holding it. */
  readonly staticMembers = new Map<string, string>();
  /** memberId → its target assignment (members with nothing targeted may be absent). */
  readonly target = new Map<string, TopicAssignment>();
  /** The subscribed topics' partition counts the target was computed from (topic → count). */
  subscriptionMetadata: ReadonlyMap<string, number> = new Map();
  /** topic → partition → id of the member holding it (assigned or pending revocation). */
  readonly #owners = new Map<string, Map<number, string>>();
  /** topic → partition → committed offset. */
  readonly offsets = new CommittedOffsets();
  stateTimestampMs: number;
  /** The rebalance in flight (telemetry only): when the group epoch first moved, and why. */
  rebalance: { readonly startMs: number; readonly reason: RebalanceReason } | null = null;

  constructor(
    readonly groupId: string,
    nowMs: number,
  ) {
    this.stateTimestampMs = nowMs;
  }

  state(): ConsumerGroupStateName {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const member of this.members.values()) {
      if (member.state !== 'STABLE' || member.memberEpoch !== this.assignmentEpoch) return 'Reconciling';
    }
    return 'Stable';
  }

  staticMember(instanceId: string): ConsumerMember | undefined {
    const memberId = this.staticMembers.get(instanceId);
    return memberId === undefined ? undefined : this.members.get(memberId);
  }

  /** Adds or replaces a member, keeping the static member index in step. */
  put(member: ConsumerMember): void {
    const previous = this.members.get(member.memberId);
    if (previous !== undefined) this.#release(previous);
    if (previous?.instanceId != null && previous.instanceId !== member.instanceId) this.staticMembers.delete(previous.instanceId);
    this.members.set(member.memberId, member);
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topic, partitions] of assignment) {
        let owners = this.#owners.get(topic);
        if (owners === undefined) {
          owners = new Map();
          this.#owners.set(topic, owners);
        }
        for (const partition of partitions) {
          const other = owners.get(partition);
          assert(other === undefined || other === member.memberId, `group ${this.groupId}: ${topic}-${partition} given to ${member.memberId} while ${other} holds it`);
          owners.set(partition, member.memberId);
        }
      }
    }
    if (member.instanceId !== null) this.staticMembers.set(member.instanceId, member.memberId);
  }

  remove(memberId: string): ConsumerMember {
    const member = this.members.get(memberId);
    assert(member !== undefined, `group ${this.groupId}: removing unknown member ${memberId}`);
    this.#release(member);
    this.members.delete(memberId);
    if (member.instanceId !== null && this.staticMembers.get(member.instanceId) === memberId) this.staticMembers.delete(member.instanceId);
    this.target.delete(memberId);
    return member;
  }

  /** The id of the member holding a partition (assigned or pending revocation), or undefined. */
  ownerOf(topic: string, partition: number): string | undefined {
    return this.#owners.get(topic)?.get(partition);
  }

  #release(member: ConsumerMember): void {
    for (const assignment of [member.assigned, member.pendingRevocation]) {
      for (const [topic, partitions] of assignment) {
        const owners = this.#owners.get(topic);
        if (owners === undefined) continue;
        for (const partition of partitions) if (owners.get(partition) === member.memberId) owners.delete(partition);
        if (owners.size === 0) this.#owners.delete(topic);
      }
    }
  }

  /** No partition is owned by two members; static index and members agree. Walks everything. */
  checkInvariants(): void {
    const owners = new Map<string, string>();
    for (const member of this.members.values()) {
      for (const assignment of [member.assigned, member.pendingRevocation]) {
        for (const [topic, partitions] of assignment) {
          assert(partitions.length > 0, `group ${this.groupId}: ${member.memberId} holds an empty list for ${topic}`);
          for (const partition of partitions) {
            const key = `${topic}\u0000${partition}`;
            const other = owners.get(key);
            assert(other === undefined, `group ${this.groupId}: ${topic}-${partition} owned by both ${other} and ${member.memberId}`);
            owners.set(key, member.memberId);
            assert(this.ownerOf(topic, partition) === member.memberId, `group ${this.groupId}: owner index misses ${topic}-${partition}`);
          }
        }
      }
      if (member.instanceId !== null) assert(this.staticMembers.get(member.instanceId) === member.memberId, `group ${this.groupId}: static index misses ${member.memberId}`);
      assert(member.memberEpoch <= this.assignmentEpoch || member.memberEpoch < 0, `group ${this.groupId}: ${member.memberId} epoch ${member.memberEpoch} > assignment epoch ${this.assignmentEpoch}`);
    }
    assert(this.staticMembers.size <= this.members.size, `group ${this.groupId}: more static ids than members`);
    assert(this.assignmentEpoch <= this.groupEpoch, `group ${this.groupId}: assignment epoch ${this.assignmentEpoch} > group epoch ${this.groupEpoch}`);
    for (const memberId of this.target.keys()) assert(this.members.has(memberId), `group ${this.groupId}: target for non-member ${memberId}`);
  }
}

export function holds(assignment: TopicAssignment, topic: string, partition: number): boolean {
  return assignment.get(topic)?.includes(partition) ?? false;
}

export function assignmentSize(assignment: TopicAssignment): number {
  let size = 0;
  for (const partitions of assignment.values()) size += partitions.length;
  return size;
}

export function sameAssignment(a: TopicAssignment, b: TopicAssignment): boolean {
  if (a.size !== b.size) return false;
  for (const [topic, partitions] of a) {
    const other = b.get(topic);
    if (other === undefined || other.length !== partitions.length) return false;
    for (let i = 0; i < partitions.length; i++) if (other[i] !== partitions[i]) return false;
  }
  return true;
}

/** An assignment from unsorted (topic, partitions) pairs: sorted, deduplicated, empty topics dropped. */
export function toAssignment(entries: Iterable<readonly [string, Iterable<number>]>): TopicAssignment {
  const merged = new Map<string, Set<number>>();
  for (const [topic, partitions] of entries) {
    let set = merged.get(topic);
    if (set === undefined) {
      set = new Set();
      merged.set(topic, set);
    }
    for (const partition of partitions) set.add(partition);
  }
  const result = new Map<string, number[]>();
  for (const topic of [...merged.keys()].sort()) {
    const partitions = [...(merged.get(topic) as Set<number>)].sort((x, y) => x - y);
    if (partitions.length > 0) result.set(topic, partitions);
  }
  return result;
}
