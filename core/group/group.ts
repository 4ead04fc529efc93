// One classic consumer group: its members, generation, chosen protocol, leader, committed
// offsets, and the bookkeeping of a rebalance in flight. Plain data plus the rules that only look
// at the group itself (protocol vote, leader succession, "has everyone joined"); the coordinator
// decides when they apply. Runs on the shard that owns the group id.

import { assert } from '../assert.js';
import { CommittedOffsets } from './committed_offsets.js';
import type { JoinGroupProtocol, RequestId } from './group_api.js';
import type { RebalanceReason } from './group_event.js';
import { assertTransition, type GroupState } from './group_state.js';

export const consumerProtocolType = 'consumer';

export interface GroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** Equal to the group's for every member; the first member's sets the group's. */
  readonly protocolType: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** In the member's order of preference. */
  protocols: readonly JoinGroupProtocol[];
  /** What the leader gave this member in the current generation; empty until then. */
  assignment: Uint8Array;
  /** A JoinGroup parked until the join phase completes. */
  joinRequestId: RequestId | null;
  /** A SyncGroup parked until the leader's SyncGroup arrives. */
  syncRequestId: RequestId | null;
}

export class ClassicGroup {
  state: GroupState = 'Empty';
  /** The state before the last transition: PreparingRebalance from Empty runs the initial delay. */
  previousState: GroupState = 'Empty';
  stateTimestampMs: number;
  generationId = 0;
  /** Set by the first member to join; null for a group that only ever had simple commits. */
  protocolType: string | null = null;
  /** The protocol chosen for the current generation; null when Empty. */
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Members in join order; the order decides leader succession and protocol-vote ties. */
  readonly members = new Map<string, GroupMember>();
  /** groupInstanceId → memberId of the static member currently holding it. */
  readonly staticMembers = new Map<string, string>();
  /**
   * Member ids handed out with MEMBER_ID_REQUIRED that have not come back yet. They are not
   * members: they neither count towards the group nor hold up a rebalance.
   */
  readonly pendingMembers = new Set<string>();
  /** Members of the current generation whose SyncGroup has not arrived yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** topic → partition → committed offset. */
  readonly offsets = new CommittedOffsets();
  /** A member joined during the initial delay, so the delay is extended once more. */
  newMemberAdded = false;
  /** When the rebalance in flight began and why; null while no rebalance is in flight. */
  rebalanceStartMs: number | null = null;
  rebalanceReason: RebalanceReason | null = null;

  constructor(
    readonly groupId: string,
    nowMs: number,
  ) {
    this.stateTimestampMs = nowMs;
  }

  transitionTo(target: GroupState, nowMs: number): void {
    assertTransition(this.groupId, this.state, target);
    this.previousState = this.state;
    this.state = target;
    this.stateTimestampMs = nowMs;
  }

  member(memberId: string): GroupMember {
    const member = this.members.get(memberId);
    assert(member !== undefined, `group ${this.groupId}: no member ${memberId}`);
    return member;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  add(member: GroupMember): void {
    assert(!this.members.has(member.memberId), `group ${this.groupId}: member ${member.memberId} added twice`);
    assert(!this.pendingMembers.has(member.memberId), `group ${this.groupId}: ${member.memberId} still pending`);
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    this.leaderId ??= member.memberId;
  }

  /** Removes a member; a departing leader is succeeded by the earliest remaining member. */
  remove(memberId: string): GroupMember {
    const member = this.member(memberId);
    assert(member.joinRequestId === null, `group ${this.groupId}: removing ${memberId} with a parked join`);
    assert(member.syncRequestId === null, `group ${this.groupId}: removing ${memberId} with a parked sync`);
    this.members.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) {
      const next = this.members.keys().next();
      this.leaderId = next.done === true ? null : next.value;
    }
    return member;
  }

  /**
   * Puts `replacement` in the place of the static member `oldMemberId` (a restart of the same
   * instance): same position, same assignment, leadership and pending sync carried over.
   */
  replaceStaticMember(oldMemberId: string, replacement: GroupMember): void {
    const old = this.member(oldMemberId);
    assert(old.groupInstanceId !== null, `group ${this.groupId}: ${oldMemberId} is not static`);
    assert(old.groupInstanceId === replacement.groupInstanceId, `group ${this.groupId}: instance ids differ`);
    assert(old.joinRequestId === null && old.syncRequestId === null, `group ${this.groupId}: fence parked requests first`);
    const entries = [...this.members.entries()];
    this.members.clear();
    for (const [memberId, member] of entries) {
      if (memberId === oldMemberId) this.members.set(replacement.memberId, replacement);
      else this.members.set(memberId, member);
    }
    this.staticMembers.set(old.groupInstanceId, replacement.memberId);
    if (this.leaderId === oldMemberId) this.leaderId = replacement.memberId;
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(replacement.memberId);
  }

  awaitingJoinCount(): number {
    let count = 0;
    for (const member of this.members.values()) if (member.joinRequestId !== null) count++;
    return count;
  }

  /** Pending (MEMBER_ID_REQUIRED) members are deliberately not waited for. */
  hasAllMembersJoined(): boolean {
    return this.awaitingJoinCount() === this.members.size;
  }

  /** The longest rebalance timeout among members: the join phase waits at most this long. */
  rebalanceTimeoutMs(): number {
    let timeoutMs = 0;
    for (const member of this.members.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs);
    return timeoutMs;
  }

  /**
   * Whether a member offering `protocolNames` under `protocolType` could join: the type must be
   * the group's and at least one protocol must be one every current member supports. The first
   * member only needs to offer something.
   */
  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.members.size === 0) return protocolType !== '' && protocolNames.length > 0;
    if (protocolType !== this.protocolType) return false;
    return protocolNames.some((name) => this.isSupportedByAll(name));
  }

  private isSupportedByAll(name: string): boolean {
    for (const member of this.members.values()) {
      if (!member.protocols.some((protocol) => protocol.name === name)) return false;
    }
    return true;
  }

  /**
   * Kafka's vote: among the protocols every member supports, each member votes for the one it
   * prefers most; the most votes wins. Ties go to the protocol that got its first vote from the
   * earliest member, so the choice is deterministic (Kafka leaves it to hash order).
   */
  selectProtocol(): string {
    assert(this.members.size > 0, `group ${this.groupId}: cannot select a protocol without members`);
    const votes = new Map<string, number>();
    for (const member of this.members.values()) {
      const vote = member.protocols.find((protocol) => this.isSupportedByAll(protocol.name));
      assert(vote !== undefined, `group ${this.groupId}: member ${member.memberId} supports no common protocol`);
      votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
    }
    let chosen = '';
    let chosenVotes = 0;
    for (const [name, count] of votes) {
      if (count > chosenVotes) {
        chosen = name;
        chosenVotes = count;
      }
    }
    return chosen;
  }

  /** The member's metadata for the chosen protocol. */
  metadataOf(member: GroupMember): Uint8Array {
    if (this.protocolName === null) return new Uint8Array(0);
    const protocol = member.protocols.find((candidate) => candidate.name === this.protocolName);
    assert(protocol !== undefined, `group ${this.groupId}: ${member.memberId} lacks protocol ${this.protocolName}`);
    return protocol.metadata;
  }

  /** Whole-group consistency; the coordinator runs it after every call under `verify`. */
  checkInvariants(): void {
    const id = this.groupId;
    assert(this.generationId >= 0, `group ${id}: negative generation`);
    assert(this.state !== 'Dead', `group ${id}: a Dead group must not be kept`);
    if (this.state === 'Empty') {
      assert(this.members.size === 0, `group ${id}: Empty with ${this.members.size} members`);
      assert(this.protocolName === null, `group ${id}: Empty with protocol ${this.protocolName}`);
    }
    if (this.state === 'CompletingRebalance' || this.state === 'Stable') {
      assert(this.members.size > 0, `group ${id}: ${this.state} without members`);
      assert(this.protocolName !== null, `group ${id}: ${this.state} without a protocol`);
    }
    if (this.state !== 'CompletingRebalance' && this.state !== 'Stable') {
      assert(this.pendingSyncMembers.size === 0, `group ${id}: pending syncs in ${this.state}`);
    }
    if (this.members.size === 0) assert(this.leaderId === null, `group ${id}: leader without members`);
    if (this.members.size > 0) {
      assert(this.leaderId !== null && this.members.has(this.leaderId), `group ${id}: leader ${this.leaderId} not a member`);
    }
    for (const member of this.members.values()) {
      if (member.joinRequestId !== null) assert(this.state === 'PreparingRebalance', `group ${id}: join parked in ${this.state}`);
      if (member.syncRequestId !== null) assert(this.state === 'CompletingRebalance', `group ${id}: sync parked in ${this.state}`);
      assert(!this.pendingMembers.has(member.memberId), `group ${id}: ${member.memberId} both member and pending`);
      if (member.groupInstanceId !== null) {
        assert(this.staticMembers.get(member.groupInstanceId) === member.memberId, `group ${id}: static index misses ${member.memberId}`);
      }
    }
    for (const [instanceId, memberId] of this.staticMembers) {
      assert(this.members.get(memberId)?.groupInstanceId === instanceId, `group ${id}: stale static entry ${instanceId}`);
    }
    for (const memberId of this.pendingSyncMembers) {
      assert(this.members.has(memberId), `group ${id}: pending sync for non-member ${memberId}`);
    }
  }
}
