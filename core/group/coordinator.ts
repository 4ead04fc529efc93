// The classic group coordinator for the groups one shard owns: JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit/Fetch/Delete, DescribeGroups, ListGroups and DeleteGroups, after
// Kafka's GroupMetadataManager (classic part) and ClassicGroup.
//
// Pure and deterministic: every call takes `nowMs`, nothing awaits, nothing reads a clock. A call
// returns a GroupResult: replies (a JoinGroup or SyncGroup may be parked and answered in a later
// call's replies, `tick` included), records to persist, and telemetry events. Each call first
// fires the timers already due at `nowMs`, so the answer never depends on how often the shard
// ticks: a heartbeat that arrives after its member's session timeout is answered as if the expiry
// had run on time.
//
// Timers (keyed in one TimerWheel; rescheduling a key replaces it):
//   session  per member: no heartbeat for sessionTimeoutMs ⇒ removed (kept alive while parked)
//   pending  per MEMBER_ID_REQUIRED id: forgotten if it does not rejoin within its session timeout
//   join     per group: end of the join phase (initial delay from Empty, else rebalance timeout)
//   sync     per group: members that have not sent SyncGroup within the rebalance timeout leave

import { assert, assertNever, verify } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { groupTimersPerAdvanceMax, memberIdAttemptsMax } from '../limits.js';
import { TimerWheel } from '../timer_wheel.js';
import type {
  DeletedGroup,
  DescribedGroup,
  GroupReply,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  JoinGroupResponseMember,
  LeaveGroupMemberResponse,
  LeaveGroupRequest,
  ListedGroup,
  ListGroupsResponse,
  OffsetCommitPartitionResponse,
  OffsetCommitRequest,
  OffsetCommitTopicResponse,
  OffsetDeleteRequest,
  OffsetFetchPartitionResponse,
  OffsetFetchRequest,
  OffsetFetchTopicResponse,
  RequestId,
  SyncGroupRequest,
  SyncGroupResponse,
} from './group_api.js';
import { groupConfig, type GroupConfig } from './group_config.js';
import type { GroupEvent, MemberRemovedEvent, RebalanceReason } from './group_event.js';
import { ClassicGroup, consumerProtocolType, type GroupMember } from './group.js';
import type { GroupMetadataValue, GroupRecord } from './group_record.js';
import type { GroupState } from './group_state.js';

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
}

type TimerAction =
  | { readonly kind: 'session'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'pending'; readonly groupId: string; readonly memberId: string }
  | { readonly kind: 'join'; readonly groupId: string; readonly initial: { delayMs: number; remainingMs: number } | null }
  | { readonly kind: 'sync'; readonly groupId: string; readonly generationId: number };

const noMetadata = '';
const emptyBytes = new Uint8Array(0);

export class GroupCoordinator {
  readonly config: GroupConfig;
  private readonly groups = new Map<string, ClassicGroup>();
  private readonly timers = new TimerWheel();
  private readonly timerActions = new Map<string, TimerAction>();
  /** Requests parked in a member, answered exactly once by a later call. */
  private readonly parked = new Set<RequestId>();
  private readonly options: GroupCoordinatorOptions;
  private nowMs = Number.NEGATIVE_INFINITY;
  private memberIdCounter = 0;
  private out: GroupResult = { replies: [], records: [], events: [] };

  constructor(options: GroupCoordinatorOptions) {
    this.options = options;
    this.config = groupConfig(options.config);
  }

  // ─── Public API: calls that may change state return a GroupResult ───────────────────────────

  joinGroup(nowMs: number, requestId: RequestId, request: JoinGroupRequest): GroupResult {
    this.begin(nowMs);
    this.handleJoinGroup(requestId, request);
    return this.finish();
  }

  syncGroup(nowMs: number, requestId: RequestId, request: SyncGroupRequest): GroupResult {
    this.begin(nowMs);
    this.handleSyncGroup(requestId, request);
    return this.finish();
  }

  heartbeat(nowMs: number, requestId: RequestId, request: HeartbeatRequest): GroupResult {
    this.begin(nowMs);
    this.reply({ requestId, api: 'Heartbeat', response: { errorCode: this.handleHeartbeat(request) } });
    return this.finish();
  }

  leaveGroup(nowMs: number, requestId: RequestId, request: LeaveGroupRequest): GroupResult {
    this.begin(nowMs);
    this.handleLeaveGroup(requestId, request);
    return this.finish();
  }

  offsetCommit(nowMs: number, requestId: RequestId, request: OffsetCommitRequest): GroupResult {
    this.begin(nowMs);
    this.handleOffsetCommit(requestId, request);
    return this.finish();
  }

  offsetDelete(nowMs: number, requestId: RequestId, request: OffsetDeleteRequest): GroupResult {
    this.begin(nowMs);
    this.handleOffsetDelete(requestId, request);
    return this.finish();
  }

  deleteGroups(nowMs: number, requestId: RequestId, groupIds: readonly string[]): GroupResult {
    this.begin(nowMs);
    const response: DeletedGroup[] = groupIds.map((groupId) => ({ groupId, errorCode: this.deleteGroup(groupId) }));
    this.reply({ requestId, api: 'DeleteGroups', response });
    return this.finish();
  }

  /** Fires every timer due at `nowMs`. The shard calls it at `nextDeadlineMs()`. */
  tick(nowMs: number): GroupResult {
    this.begin(nowMs);
    return this.finish();
  }

  nextDeadlineMs(): number | undefined {
    return this.timers.nextDeadlineMs();
  }

  // ─── Public API: read-only queries answer directly ──────────────────────────────────────────

  offsetFetch(request: OffsetFetchRequest): { errorCode: number; topics: OffsetFetchTopicResponse[] } {
    if (request.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, topics: [] };
    const group = this.groups.get(request.groupId);
    if (request.topics === null) {
      if (group === undefined) return { errorCode: ErrorCode.NONE, topics: [] };
      const topics = [...group.offsets.keys()].sort().map((name) => ({
        name,
        partitions: [...(group.offsets.get(name) ?? new Map()).keys()]
          .sort((a, b) => a - b)
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

  describeGroups(groupIds: readonly string[]): DescribedGroup[] {
    return groupIds.map((groupId) => this.describeGroup(groupId));
  }

  /** `statesFilter` (ListGroups v4+) matches state names case-insensitively; empty means all. */
  listGroups(statesFilter: readonly string[] = []): ListGroupsResponse {
    const wanted = new Set(statesFilter.map((state) => state.toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const group of [...this.groups.values()].sort((a, b) => compareStrings(a.groupId, b.groupId))) {
      if (wanted.size > 0 && !wanted.has(group.state.toLowerCase())) continue;
      groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state });
    }
    return { errorCode: ErrorCode.NONE, groups };
  }

  /** The state of one group, or undefined if the coordinator has none by that id. */
  groupState(groupId: string): GroupState | undefined {
    return this.groups.get(groupId)?.state;
  }

  /** The durable view of every group, sorted by id: what replaying the records must rebuild. */
  snapshot(): GroupSnapshot[] {
    return [...this.groups.values()]
      .sort((a, b) => compareStrings(a.groupId, b.groupId))
      .map((group) => snapshotOf(group));
  }

  // ─── Replay ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Rebuilds a coordinator from records in log order (after compaction or not). As Kafka does on
   * load, a group with members comes back Stable with the members as they were, and each member's
   * session timer starts at `nowMs`: members that are really gone expire then.
   */
  static replay(records: Iterable<GroupRecord>, nowMs: number, options: GroupCoordinatorOptions): GroupCoordinator {
    const coordinator = new GroupCoordinator(options);
    coordinator.nowMs = nowMs;
    for (const record of records) coordinator.applyRecord(record);
    // Vacant groups are forgotten once, at the end, not after each record: then a group's state
    // depends only on its latest metadata record and the latest record of each of its offsets,
    // whatever their order — what compaction (offsets_compaction.ts) relies on.
    for (const group of coordinator.groups.values()) coordinator.forgetIfVacant(group);
    for (const group of coordinator.groups.values()) {
      for (const member of group.members.values()) coordinator.scheduleSession(group, member);
      if (verify) group.checkInvariants();
    }
    return coordinator;
  }

  private applyRecord(record: GroupRecord): void {
    switch (record.type) {
      case 'OffsetCommit': {
        const group = this.groups.get(record.groupId) ?? this.createGroup(record.groupId);
        if (record.value === null) group.deleteCommittedOffset(record.topic, record.partition);
        else group.setCommittedOffset(record.topic, record.partition, record.value);
        return;
      }
      case 'GroupMetadata': {
        const previous = this.groups.get(record.groupId);
        const group = new ClassicGroup(record.groupId, this.nowMs);
        if (previous !== undefined) for (const [topic, partitions] of previous.offsets) group.offsets.set(topic, partitions);
        this.groups.set(record.groupId, group);
        if (record.value !== null) loadGroupMetadata(group, record.value);
        return;
      }
      default:
        assertNever(record, 'group record');
    }
  }

  // ─── JoinGroup ──────────────────────────────────────────────────────────────────────────────

  private handleJoinGroup(requestId: RequestId, request: JoinGroupRequest): void {
    if (request.groupId === '') return this.replyJoinError(requestId, request.memberId, ErrorCode.INVALID_GROUP_ID);
    const { sessionTimeoutMs } = request;
    if (sessionTimeoutMs < this.config.sessionTimeoutMsMin || sessionTimeoutMs > this.config.sessionTimeoutMsMax) {
      return this.replyJoinError(requestId, request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.groups.get(request.groupId);
    if (group === undefined) {
      // Only a new member may create a group; a known id means the group it knew is gone.
      if (request.memberId !== '') return this.replyJoinError(requestId, request.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      group = this.createGroup(request.groupId);
    }
    if (!this.acceptsJoiningMember(group, request.memberId)) {
      this.replyJoinError(requestId, request.memberId, ErrorCode.GROUP_MAX_SIZE_REACHED);
    } else if (request.memberId === '') {
      this.joinNewMember(group, requestId, request);
    } else {
      this.joinExistingMember(group, requestId, request);
    }
    this.forgetIfVacant(group);
  }

  /**
   * Kafka's group.max.size check. While rebalancing, members that have not rejoined are about to
   * be dropped, so only those already rejoined count against the cap.
   */
  private acceptsJoiningMember(group: ClassicGroup, memberId: string): boolean {
    const cap = this.config.groupSizeMax;
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance': {
        const member = group.members.get(memberId);
        if (member !== undefined && member.joinRequestId !== null) return true;
        return group.awaitingJoinCount() < cap;
      }
      case 'CompletingRebalance':
      case 'Stable':
        return group.members.has(memberId) || group.members.size < cap;
      default:
        return assertNever(group.state, 'group state');
    }
  }

  private joinNewMember(group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest): void {
    if (!group.supportsProtocols(request.protocolType, protocolNames(request))) {
      return this.replyJoinError(requestId, '', ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const memberId = this.newMemberId(group, request.groupInstanceId ?? request.clientId);
    if (request.groupInstanceId !== null) {
      const existingId = group.staticMembers.get(request.groupInstanceId);
      if (existingId !== undefined) return this.replaceStaticMember(group, existingId, memberId, requestId, request);
      return this.addMemberAndRebalance(group, memberId, requestId, request);
    }
    if (request.requireKnownMemberId) {
      // The two-step join (KIP-394): hand out an id, remember it for one session timeout, and
      // let the member come back with it. Until then it is not a member.
      group.pendingMembers.add(memberId);
      this.schedule(pendingKey(group.groupId, memberId), this.nowMs + request.sessionTimeoutMs, {
        kind: 'pending',
        groupId: group.groupId,
        memberId,
      });
      return this.replyJoinError(requestId, memberId, ErrorCode.MEMBER_ID_REQUIRED);
    }
    this.addMemberAndRebalance(group, memberId, requestId, request);
  }

  private joinExistingMember(group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest): void {
    const { memberId } = request;
    if (!group.supportsProtocols(request.protocolType, protocolNames(request))) {
      return this.replyJoinError(requestId, memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (group.pendingMembers.has(memberId)) {
      // Ids handed out by MEMBER_ID_REQUIRED are dynamic only; a static member never gets one.
      if (request.groupInstanceId !== null) return this.replyJoinError(requestId, memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      return this.addMemberAndRebalance(group, memberId, requestId, request);
    }
    const memberError = validateMember(group, memberId, request.groupInstanceId);
    if (memberError !== ErrorCode.NONE) return this.replyJoinError(requestId, memberId, memberError);
    const member = group.member(memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, requestId, request, 'memberJoined');
      case 'CompletingRebalance':
        // Same metadata: the member most likely lost our JoinGroup response; send it again.
        if (sameProtocols(member.protocols, request.protocols)) return this.replyJoinCurrent(group, member, requestId, false);
        return this.updateMemberAndRebalance(group, member, requestId, request, 'metadataChanged');
      case 'Stable':
        // The leader may rejoin to make the group reassign after a change the coordinator cannot
        // see (new partitions of a subscribed topic), so its join always starts a rebalance.
        if (group.isLeader(memberId)) return this.updateMemberAndRebalance(group, member, requestId, request, 'leaderRejoined');
        if (!sameProtocols(member.protocols, request.protocols)) {
          return this.updateMemberAndRebalance(group, member, requestId, request, 'metadataChanged');
        }
        return this.replyJoinCurrent(group, member, requestId, false);
      case 'Empty':
      case 'Dead':
        return this.replyJoinError(requestId, memberId, ErrorCode.UNKNOWN_MEMBER_ID);
      default:
        return assertNever(group.state, 'group state');
    }
  }

  private addMemberAndRebalance(group: ClassicGroup, memberId: string, requestId: RequestId, request: JoinGroupRequest): void {
    if (group.pendingMembers.delete(memberId)) this.cancel(pendingKey(group.groupId, memberId));
    const member: GroupMember = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      protocolType: request.protocolType,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      assignment: emptyBytes,
      joinRequestId: null,
      syncRequestId: null,
    };
    group.add(member);
    this.parkJoin(member, requestId);
    this.scheduleSession(group, member);
    if (group.state === 'PreparingRebalance' && group.previousState === 'Empty') group.newMemberAdded = true;
    this.rebalanceOrCompleteJoin(group, 'memberJoined');
  }

  private updateMemberAndRebalance(
    group: ClassicGroup,
    member: GroupMember,
    requestId: RequestId,
    request: JoinGroupRequest,
    reason: RebalanceReason,
  ): void {
    member.protocols = request.protocols;
    member.sessionTimeoutMs = request.sessionTimeoutMs;
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
    this.parkJoin(member, requestId);
    this.scheduleSession(group, member);
    this.rebalanceOrCompleteJoin(group, reason);
  }

  /**
   * A static member restarted: it joins with its instance id and no member id. The new id takes
   * the old one's place; requests still carrying the old id are fenced from now on. In a Stable
   * group with unchanged metadata it keeps its assignment and nobody rebalances (KIP-345).
   */
  private replaceStaticMember(
    group: ClassicGroup,
    oldMemberId: string,
    memberId: string,
    requestId: RequestId,
    request: JoinGroupRequest,
  ): void {
    const old = group.member(oldMemberId);
    this.answerParked(group, old, ErrorCode.FENCED_INSTANCE_ID);
    this.cancel(sessionKey(group.groupId, oldMemberId));
    const unchanged = sameProtocols(old.protocols, request.protocols);
    const member: GroupMember = {
      memberId,
      groupInstanceId: request.groupInstanceId,
      clientId: request.clientId,
      clientHost: request.clientHost,
      protocolType: request.protocolType,
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocols: request.protocols,
      assignment: old.assignment,
      joinRequestId: null,
      syncRequestId: null,
    };
    group.replaceStaticMember(oldMemberId, member);
    this.scheduleSession(group, member);
    this.emit({ type: 'memberRemoved', groupId: group.groupId, memberId: oldMemberId, groupInstanceId: old.groupInstanceId, cause: 'fenced' });
    switch (group.state) {
      case 'Stable':
        if (unchanged) {
          this.persistGroup(group);
          // The leader is told to skip assigning (KIP-814): the current assignment stands.
          return this.replyJoinCurrent(group, member, requestId, group.isLeader(memberId));
        }
        this.parkJoin(member, requestId);
        return this.prepareRebalance(group, 'metadataChanged');
      case 'CompletingRebalance':
        this.parkJoin(member, requestId);
        return this.prepareRebalance(group, 'staticMemberReplaced');
      case 'PreparingRebalance':
        this.parkJoin(member, requestId);
        return this.maybeCompleteJoinPhase(group);
      case 'Empty':
      case 'Dead':
        return assert(false, `group ${group.groupId}: static member ${oldMemberId} in a ${group.state} group`);
      default:
        return assertNever(group.state, 'group state');
    }
  }

  private rebalanceOrCompleteJoin(group: ClassicGroup, reason: RebalanceReason): void {
    if (group.state === 'PreparingRebalance') this.maybeCompleteJoinPhase(group);
    else this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: ClassicGroup, reason: RebalanceReason): void {
    if (group.state === 'CompletingRebalance') {
      // The generation being synced is abandoned: held SyncGroups learn it and rejoin.
      for (const member of group.members.values()) {
        member.assignment = emptyBytes;
        if (member.syncRequestId === null) continue;
        this.parked.delete(member.syncRequestId);
        this.replySync(member.syncRequestId, group, ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes);
        member.syncRequestId = null;
      }
    }
    this.cancel(syncKey(group.groupId));
    group.pendingSyncMembers.clear();
    if (group.rebalanceStartMs === null) {
      group.rebalanceStartMs = this.nowMs;
      group.rebalanceReason = reason;
    }
    const initial = group.state === 'Empty';
    group.transitionTo('PreparingRebalance', this.nowMs);
    if (initial) {
      // A fleet starting together should cause one rebalance, not one per member: wait a little
      // for the others (group.initial.rebalance.delay.ms), at most the rebalance timeout in all.
      const delayMs = this.config.initialRebalanceDelayMs;
      const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
      group.newMemberAdded = false;
      this.schedule(joinKey(group.groupId), this.nowMs + delayMs, {
        kind: 'join',
        groupId: group.groupId,
        initial: { delayMs, remainingMs },
      });
      return;
    }
    if (group.hasAllMembersJoined()) return this.completeJoin(group);
    this.schedule(joinKey(group.groupId), this.nowMs + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId, initial: null });
  }

  /** Ends the join phase early once every member has rejoined, except during the initial delay. */
  private maybeCompleteJoinPhase(group: ClassicGroup): void {
    if (group.state !== 'PreparingRebalance') return;
    if (!group.hasAllMembersJoined()) return;
    if (group.previousState === 'Empty') return; // the initial delay's timer ends this one
    this.completeJoin(group);
  }

  private onInitialDelayExpired(group: ClassicGroup, delayMs: number, remainingMs: number): void {
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const nextDelayMs = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
      const nextRemainingMs = Math.max(remainingMs - delayMs, 0);
      this.schedule(joinKey(group.groupId), this.nowMs + nextDelayMs, {
        kind: 'join',
        groupId: group.groupId,
        initial: { delayMs: nextDelayMs, remainingMs: nextRemainingMs },
      });
      return;
    }
    this.completeJoin(group);
  }

  private completeJoin(group: ClassicGroup): void {
    assert(group.state === 'PreparingRebalance', `group ${group.groupId}: completing a join in ${group.state}`);
    this.cancel(joinKey(group.groupId));
    // Dynamic members that did not rejoin in time are gone. Static members stay until their
    // session times out: a restarting instance should find its place (KIP-345).
    for (const member of [...group.members.values()]) {
      if (member.joinRequestId === null && member.groupInstanceId === null) {
        this.removeMember(group, member, 'rebalanceTimeout');
      }
    }
    if (group.members.size > 0 && group.awaitingJoinCount() === 0) {
      // Only static members that have not rejoined remain: wait for them or their session timeouts.
      this.schedule(joinKey(group.groupId), this.nowMs + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId, initial: null });
      return;
    }
    if (group.leaderId !== null && group.member(group.leaderId).joinRequestId === null) {
      const joined = [...group.members.values()].find((member) => member.joinRequestId !== null);
      assert(joined !== undefined, `group ${group.groupId}: no joined member to lead`);
      group.leaderId = joined.memberId;
    }
    group.generationId += 1;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transitionTo('Empty', this.nowMs);
      this.persistGroup(group);
      this.reportRebalance(group);
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transitionTo('CompletingRebalance', this.nowMs);
    for (const member of group.members.values()) {
      group.pendingSyncMembers.add(member.memberId);
      if (member.joinRequestId === null) continue;
      const requestId = member.joinRequestId;
      member.joinRequestId = null;
      this.parked.delete(requestId);
      this.reply({ requestId, api: 'JoinGroup', response: this.joinResponse(group, member, false) });
      this.scheduleSession(group, member);
    }
    this.schedule(syncKey(group.groupId), this.nowMs + group.rebalanceTimeoutMs(), {
      kind: 'sync',
      groupId: group.groupId,
      generationId: group.generationId,
    });
  }

  private joinResponse(group: ClassicGroup, member: GroupMember, skipAssignment: boolean): JoinGroupResponse {
    const members: JoinGroupResponseMember[] = group.isLeader(member.memberId)
      ? [...group.members.values()].map((each) => ({
          memberId: each.memberId,
          groupInstanceId: each.groupInstanceId,
          metadata: group.metadataOf(each),
        }))
      : [];
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment,
      memberId: member.memberId,
      members,
    };
  }

  private replyJoinCurrent(group: ClassicGroup, member: GroupMember, requestId: RequestId, skipAssignment: boolean): void {
    this.scheduleSession(group, member);
    this.reply({ requestId, api: 'JoinGroup', response: this.joinResponse(group, member, skipAssignment) });
  }

  private replyJoinError(requestId: RequestId, memberId: string, errorCode: number): void {
    this.reply({ requestId, api: 'JoinGroup', response: joinError(memberId, errorCode) });
  }

  private parkJoin(member: GroupMember, requestId: RequestId): void {
    if (member.joinRequestId !== null) {
      // A retried JoinGroup supersedes the one parked before: answer that one so nothing waits
      // forever; REBALANCE_IN_PROGRESS makes a client that still listens simply rejoin.
      this.parked.delete(member.joinRequestId);
      this.reply({ requestId: member.joinRequestId, api: 'JoinGroup', response: joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS) });
    }
    assert(!this.parked.has(requestId), `request ${String(requestId)} parked twice`);
    this.parked.add(requestId);
    member.joinRequestId = requestId;
  }

  // ─── SyncGroup ──────────────────────────────────────────────────────────────────────────────

  private handleSyncGroup(requestId: RequestId, request: SyncGroupRequest): void {
    const group = this.groups.get(request.groupId);
    if (request.groupId === '') return this.replySync(requestId, group, ErrorCode.INVALID_GROUP_ID, emptyBytes);
    if (group === undefined) return this.replySync(requestId, group, ErrorCode.UNKNOWN_MEMBER_ID, emptyBytes);
    const memberError = validateMember(group, request.memberId, request.groupInstanceId);
    if (memberError !== ErrorCode.NONE) return this.replySync(requestId, group, memberError, emptyBytes);
    if (request.generationId !== group.generationId) return this.replySync(requestId, group, ErrorCode.ILLEGAL_GENERATION, emptyBytes);
    if (
      (request.protocolType !== null && request.protocolType !== group.protocolType) ||
      (request.protocolName !== null && request.protocolName !== group.protocolName)
    ) {
      return this.replySync(requestId, group, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, emptyBytes);
    }
    const member = group.member(request.memberId);
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return this.replySync(requestId, group, ErrorCode.UNKNOWN_MEMBER_ID, emptyBytes);
      case 'PreparingRebalance':
        return this.replySync(requestId, group, ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes);
      case 'CompletingRebalance': {
        if (member.syncRequestId !== null) {
          this.parked.delete(member.syncRequestId);
          this.replySync(member.syncRequestId, group, ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes);
        }
        assert(!this.parked.has(requestId), `request ${String(requestId)} parked twice`);
        this.parked.add(requestId);
        member.syncRequestId = requestId;
        group.pendingSyncMembers.delete(member.memberId);
        this.scheduleSession(group, member);
        if (group.isLeader(member.memberId)) this.completeSync(group, request);
        return;
      }
      case 'Stable':
        this.scheduleSession(group, member);
        group.pendingSyncMembers.delete(member.memberId);
        this.replySync(requestId, group, ErrorCode.NONE, member.assignment);
        this.maybeFinishRebalance(group);
        return;
      default:
        return assertNever(group.state, 'group state');
    }
  }

  /** The leader's SyncGroup: store every member's assignment and release the held SyncGroups. */
  private completeSync(group: ClassicGroup, leaderRequest: SyncGroupRequest): void {
    const assignments = new Map<string, Uint8Array>();
    for (const entry of leaderRequest.assignments) assignments.set(entry.memberId, entry.assignment);
    for (const member of group.members.values()) member.assignment = assignments.get(member.memberId) ?? emptyBytes;
    group.transitionTo('Stable', this.nowMs);
    this.persistGroup(group);
    for (const member of group.members.values()) {
      if (member.syncRequestId === null) continue;
      const requestId = member.syncRequestId;
      member.syncRequestId = null;
      this.parked.delete(requestId);
      this.replySync(requestId, group, ErrorCode.NONE, member.assignment);
    }
    this.maybeFinishRebalance(group);
  }

  /** Once every member of a Stable generation has its assignment, the rebalance is over. */
  private maybeFinishRebalance(group: ClassicGroup): void {
    if (group.state !== 'Stable' || group.pendingSyncMembers.size > 0) return;
    this.cancel(syncKey(group.groupId));
    this.reportRebalance(group);
  }

  private reportRebalance(group: ClassicGroup): void {
    if (group.rebalanceStartMs === null) return; // already reported, or loaded from records
    assert(group.rebalanceReason !== null, `group ${group.groupId}: rebalance without a reason`);
    this.emit({
      type: 'rebalance',
      groupId: group.groupId,
      generationId: group.generationId,
      reason: group.rebalanceReason,
      members: [...group.members.keys()],
      durationMs: this.nowMs - group.rebalanceStartMs,
    });
    group.rebalanceStartMs = null;
    group.rebalanceReason = null;
  }

  private replySync(requestId: RequestId, group: ClassicGroup | undefined, errorCode: number, assignment: Uint8Array): void {
    const response: SyncGroupResponse = {
      errorCode,
      protocolType: group?.protocolType ?? null,
      protocolName: errorCode === ErrorCode.NONE ? (group?.protocolName ?? null) : null,
      assignment,
    };
    this.reply({ requestId, api: 'SyncGroup', response });
  }

  // ─── Heartbeat and LeaveGroup ──────────────────────────────────────────────────────────────

  private handleHeartbeat(request: HeartbeatRequest): number {
    if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(request.groupId);
    if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    const memberError = validateMember(group, request.memberId, request.groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.member(request.memberId);
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance':
        // Still alive, but it must rejoin: the heartbeat keeps it until the rebalance timeout.
        this.scheduleSession(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleSession(group, member);
        return ErrorCode.NONE;
      default:
        return assertNever(group.state, 'group state');
    }
  }

  private handleLeaveGroup(requestId: RequestId, request: LeaveGroupRequest): void {
    if (request.groupId === '') {
      this.reply({ requestId, api: 'LeaveGroup', response: { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] } });
      return;
    }
    const group = this.groups.get(request.groupId);
    const members: LeaveGroupMemberResponse[] = request.members.map((leaving) => ({
      memberId: leaving.memberId,
      groupInstanceId: leaving.groupInstanceId,
      errorCode: group === undefined ? ErrorCode.UNKNOWN_MEMBER_ID : this.leaveOne(group, leaving.memberId, leaving.groupInstanceId),
    }));
    this.reply({ requestId, api: 'LeaveGroup', response: { errorCode: ErrorCode.NONE, members } });
    if (group !== undefined) this.forgetIfVacant(group);
  }

  private leaveOne(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
    if (memberId === '') {
      // An admin removing a static member by instance id (LeaveGroup v3+).
      const currentId = groupInstanceId === null ? undefined : group.staticMembers.get(groupInstanceId);
      if (currentId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMemberAndRebalance(group, group.member(currentId), 'leaveGroup', 'memberLeft');
      return ErrorCode.NONE;
    }
    if (group.pendingMembers.delete(memberId)) {
      this.cancel(pendingKey(group.groupId, memberId));
      return ErrorCode.NONE;
    }
    const memberError = validateMember(group, memberId, groupInstanceId);
    if (memberError !== ErrorCode.NONE) return memberError;
    this.removeMemberAndRebalance(group, group.member(memberId), 'leaveGroup', 'memberLeft');
    return ErrorCode.NONE;
  }

  /** Answers whatever the member left parked, so no client waits on a member that is gone. */
  private answerParked(group: ClassicGroup, member: GroupMember, errorCode: number): void {
    if (member.joinRequestId !== null) {
      this.parked.delete(member.joinRequestId);
      this.reply({ requestId: member.joinRequestId, api: 'JoinGroup', response: joinError(member.memberId, errorCode) });
      member.joinRequestId = null;
    }
    if (member.syncRequestId !== null) {
      this.parked.delete(member.syncRequestId);
      this.replySync(member.syncRequestId, group, errorCode, emptyBytes);
      member.syncRequestId = null;
    }
  }

  private removeMember(group: ClassicGroup, member: GroupMember, cause: MemberRemovedEvent['cause']): void {
    this.answerParked(group, member, ErrorCode.UNKNOWN_MEMBER_ID);
    group.remove(member.memberId);
    this.cancel(sessionKey(group.groupId, member.memberId));
    this.emit({ type: 'memberRemoved', groupId: group.groupId, memberId: member.memberId, groupInstanceId: member.groupInstanceId, cause });
  }

  private removeMemberAndRebalance(
    group: ClassicGroup,
    member: GroupMember,
    cause: MemberRemovedEvent['cause'],
    reason: RebalanceReason,
  ): void {
    this.removeMember(group, member, cause);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        return this.prepareRebalance(group, reason);
      case 'PreparingRebalance':
        return this.maybeCompleteJoinPhase(group);
      case 'Empty':
      case 'Dead':
        return assert(false, `group ${group.groupId}: removed a member from a ${group.state} group`);
      default:
        return assertNever(group.state, 'group state');
    }
  }

  // ─── Offsets ────────────────────────────────────────────────────────────────────────────────

  private handleOffsetCommit(requestId: RequestId, request: OffsetCommitRequest): void {
    let group = this.groups.get(request.groupId);
    const groupError = this.validateOffsetCommit(group, request);
    const topics: OffsetCommitTopicResponse[] = [];
    for (const topic of request.topics) {
      const partitions: OffsetCommitPartitionResponse[] = [];
      for (const partition of topic.partitions) {
        let errorCode: number = groupError;
        if (!this.partitionExists(topic.name, partition.partitionIndex)) {
          errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (errorCode === ErrorCode.NONE && utf8Length(partition.committedMetadata ?? '') > this.config.offsetMetadataBytesMax) {
          errorCode = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        } else if (errorCode === ErrorCode.NONE) {
          // A commit with generation −1 to an unknown group creates a "simple" group: one that
          // only stores offsets for a consumer managing its own partitions.
          group ??= this.createGroup(request.groupId);
          const value = {
            offset: partition.committedOffset,
            leaderEpoch: partition.committedLeaderEpoch,
            metadata: partition.committedMetadata,
            commitTimestampMs: this.nowMs,
          };
          group.setCommittedOffset(topic.name, partition.partitionIndex, value);
          this.out.records.push({ type: 'OffsetCommit', groupId: request.groupId, topic: topic.name, partition: partition.partitionIndex, value });
        }
        partitions.push({ partitionIndex: partition.partitionIndex, errorCode });
      }
      topics.push({ name: topic.name, partitions });
    }
    if (groupError === ErrorCode.NONE && group !== undefined && request.memberId !== '') {
      const member = group.members.get(request.memberId);
      if (member !== undefined) this.scheduleSession(group, member);
    }
    this.reply({ requestId, api: 'OffsetCommit', response: { topics } });
  }

  /** Kafka's ClassicGroup.validateOffsetCommit, in its order. */
  private validateOffsetCommit(group: ClassicGroup | undefined, request: OffsetCommitRequest): number {
    if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (group === undefined) return request.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (request.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (request.generationId >= 0 || request.memberId !== '' || request.groupInstanceId !== null) {
      const memberError = validateMember(group, request.memberId, request.groupInstanceId);
      if (memberError !== ErrorCode.NONE) return memberError;
      if (request.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    } else if (group.state !== 'Empty') {
      return ErrorCode.UNKNOWN_MEMBER_ID; // a simple commit to a group with members
    }
    // Its generation is current, so it has our JoinGroup response but not yet its assignment.
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return ErrorCode.NONE;
  }

  private handleOffsetDelete(requestId: RequestId, request: OffsetDeleteRequest): void {
    const group = this.groups.get(request.groupId);
    let groupError: number = ErrorCode.NONE;
    if (request.groupId === '') groupError = ErrorCode.INVALID_GROUP_ID;
    else if (group === undefined) groupError = ErrorCode.GROUP_ID_NOT_FOUND;
    else if (group.state !== 'Empty' && group.protocolType !== consumerProtocolType) groupError = ErrorCode.NON_EMPTY_GROUP;
    if (groupError !== ErrorCode.NONE || group === undefined) {
      this.reply({ requestId, api: 'OffsetDelete', response: { errorCode: groupError, topics: [] } });
      return;
    }
    const topics: OffsetCommitTopicResponse[] = request.topics.map((topic) => {
      const subscribed = group.state !== 'Empty' && this.isSubscribedToTopic(group, topic.name);
      const partitions = topic.partitionIndexes.map((partitionIndex) => {
        if (!this.partitionExists(topic.name, partitionIndex)) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        if (subscribed) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
        if (group.deleteCommittedOffset(topic.name, partitionIndex)) {
          this.out.records.push({ type: 'OffsetCommit', groupId: group.groupId, topic: topic.name, partition: partitionIndex, value: null });
        }
        return { partitionIndex, errorCode: ErrorCode.NONE };
      });
      return { name: topic.name, partitions };
    });
    this.reply({ requestId, api: 'OffsetDelete', response: { errorCode: ErrorCode.NONE, topics } });
    this.forgetIfVacant(group);
  }

  private isSubscribedToTopic(group: ClassicGroup, topic: string): boolean {
    if (group.protocolType !== consumerProtocolType || group.members.size === 0) return false;
    const decode = this.options.decodeSubscribedTopics;
    if (decode === undefined || group.protocolName === null) return true;
    for (const member of group.members.values()) {
      const topics = decode(group.metadataOf(member));
      if (topics === undefined || topics.includes(topic)) return true;
    }
    return false;
  }

  private partitionExists(topic: string, partition: number): boolean {
    const count = this.options.partitionCount(topic);
    return count !== undefined && Number.isInteger(partition) && partition >= 0 && partition < count;
  }

  // ─── DescribeGroups and DeleteGroups ────────────────────────────────────────────────────────

  private describeGroup(groupId: string): DescribedGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      // Kafka describes a group it does not know as Dead, without an error.
      const errorCode = groupId === '' ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE;
      return { errorCode, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    }
    const stable = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((member) => ({
        memberId: member.memberId,
        groupInstanceId: member.groupInstanceId,
        clientId: member.clientId,
        clientHost: member.clientHost,
        memberMetadata: stable ? group.metadataOf(member) : emptyBytes,
        memberAssignment: stable ? member.assignment : emptyBytes,
      })),
    };
  }

  private deleteGroup(groupId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    for (const topic of [...group.offsets.keys()].sort()) {
      for (const partition of [...(group.offsets.get(topic) ?? new Map()).keys()].sort((a, b) => a - b)) {
        this.out.records.push({ type: 'OffsetCommit', groupId, topic, partition, value: null });
      }
    }
    this.out.records.push({ type: 'GroupMetadata', groupId, value: null });
    for (const memberId of group.pendingMembers) this.cancel(pendingKey(groupId, memberId));
    group.transitionTo('Dead', this.nowMs);
    this.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  // ─── Timers ─────────────────────────────────────────────────────────────────────────────────

  private schedule(key: string, deadlineMs: number, action: TimerAction): void {
    this.timers.schedule(key, deadlineMs);
    this.timerActions.set(key, action);
  }

  private cancel(key: string): void {
    this.timers.cancel(key);
    this.timerActions.delete(key);
  }

  private scheduleSession(group: ClassicGroup, member: GroupMember): void {
    this.schedule(sessionKey(group.groupId, member.memberId), this.nowMs + member.sessionTimeoutMs, {
      kind: 'session',
      groupId: group.groupId,
      memberId: member.memberId,
    });
  }

  private fireDueTimers(): void {
    for (let fired = 0; ; fired++) {
      assert(fired < groupTimersPerAdvanceMax, `more than ${groupTimersPerAdvanceMax} timers fired at ${this.nowMs}: a timer loop`);
      // One at a time: handling one timer may cancel or reschedule another that is also due.
      const [key] = this.timers.expire(this.nowMs, 1);
      if (key === undefined) return;
      const action = this.timerActions.get(key);
      assert(action !== undefined, `timer ${key} fired without an action`);
      this.timerActions.delete(key);
      this.onTimer(action);
    }
  }

  private onTimer(action: TimerAction): void {
    const group = this.groups.get(action.groupId);
    assert(group !== undefined, `timer ${action.kind} for unknown group ${action.groupId}`);
    switch (action.kind) {
      case 'session': {
        const member = group.member(action.memberId);
        // A member waiting on us for a join or sync response cannot heartbeat; the join and sync
        // deadlines bound that wait instead.
        if (member.joinRequestId !== null || member.syncRequestId !== null) return this.scheduleSession(group, member);
        this.removeMemberAndRebalance(group, member, 'sessionTimeout', 'sessionTimeout');
        return this.forgetIfVacant(group);
      }
      case 'pending':
        assert(group.pendingMembers.delete(action.memberId), `pending timer for non-pending ${action.memberId}`);
        return this.forgetIfVacant(group);
      case 'join':
        assert(group.state === 'PreparingRebalance', `group ${group.groupId}: join timer in ${group.state}`);
        if (action.initial !== null) return this.onInitialDelayExpired(group, action.initial.delayMs, action.initial.remainingMs);
        return this.completeJoin(group);
      case 'sync':
        return this.onSyncExpired(group, action.generationId);
      default:
        return assertNever(action, 'timer action');
    }
  }

  private onSyncExpired(group: ClassicGroup, generationId: number): void {
    assert(generationId === group.generationId, `group ${group.groupId}: sync timer of generation ${generationId}`);
    assert(group.state === 'CompletingRebalance' || group.state === 'Stable', `group ${group.groupId}: sync timer in ${group.state}`);
    assert(group.pendingSyncMembers.size > 0, `group ${group.groupId}: sync timer with everyone synced`);
    for (const memberId of [...group.pendingSyncMembers]) this.removeMember(group, group.member(memberId), 'syncTimeout');
    this.prepareRebalance(group, 'syncTimeout');
  }

  // ─── Plumbing ───────────────────────────────────────────────────────────────────────────────

  private begin(nowMs: number): void {
    assert(Number.isFinite(nowMs), `nowMs ${nowMs} is not a finite time`);
    // A wall clock may step back; time here never does, or deadlines would fire twice.
    this.nowMs = Math.max(this.nowMs, nowMs);
    this.out = { replies: [], records: [], events: [] };
    this.fireDueTimers();
  }

  private finish(): GroupResult {
    // The call may have set a deadline that is already due (an initial delay of 0): honour it
    // now rather than leave an answer waiting for the next tick.
    this.fireDueTimers();
    const out = this.out;
    this.out = { replies: [], records: [], events: [] };
    if (verify) this.checkInvariants();
    return out;
  }

  private reply(reply: GroupReply): void {
    assert(!this.parked.has(reply.requestId), `request ${String(reply.requestId)} answered while still parked`);
    this.out.replies.push(reply);
  }

  private emit(event: GroupEvent): void {
    this.out.events.push(event);
  }

  private createGroup(groupId: string): ClassicGroup {
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
  private forgetIfVacant(group: ClassicGroup): void {
    if (group.state !== 'Empty' || group.generationId !== 0) return;
    if (group.members.size > 0 || group.pendingMembers.size > 0 || group.offsets.size > 0) return;
    this.groups.delete(group.groupId);
  }

  private newMemberId(group: ClassicGroup, prefix: string): string {
    for (let attempt = 0; attempt < memberIdAttemptsMax; attempt++) {
      const suffix = this.options.memberIdSuffix?.() ?? `${this.nowMs.toString(36)}-${(this.memberIdCounter++).toString(36)}`;
      const memberId = `${prefix}-${suffix}`;
      if (!group.members.has(memberId) && !group.pendingMembers.has(memberId)) return memberId;
    }
    return assert(false, `group ${group.groupId}: no unique member id in ${memberIdAttemptsMax} attempts`) as never;
  }

  private persistGroup(group: ClassicGroup): void {
    this.out.records.push({ type: 'GroupMetadata', groupId: group.groupId, value: groupMetadataValue(group) });
  }

  /** Walks every group and timer: run only under `verify`. */
  checkInvariants(): void {
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

// ─── Helpers ──────────────────────────────────────────────────────────────────────────────────

export interface GroupSnapshot {
  readonly groupId: string;
  readonly state: GroupState;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leaderId: string | null;
  readonly members: readonly {
    readonly memberId: string;
    readonly groupInstanceId: string | null;
    readonly clientId: string;
    readonly clientHost: string;
    readonly sessionTimeoutMs: number;
    readonly rebalanceTimeoutMs: number;
    readonly protocols: readonly { readonly name: string; readonly metadata: Uint8Array }[];
    readonly assignment: Uint8Array;
  }[];
  readonly offsets: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly leaderEpoch: number;
    readonly metadata: string | null;
    readonly commitTimestampMs: number;
  }[];
}

function snapshotOf(group: ClassicGroup): GroupSnapshot {
  const offsets = [];
  for (const topic of [...group.offsets.keys()].sort()) {
    const partitions = group.offsets.get(topic) ?? new Map();
    for (const partition of [...partitions.keys()].sort((a, b) => a - b)) {
      offsets.push({ topic, partition, ...partitions.get(partition) });
    }
  }
  return {
    groupId: group.groupId,
    state: group.state,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: group.leaderId,
    members: [...group.members.values()].map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      sessionTimeoutMs: member.sessionTimeoutMs,
      rebalanceTimeoutMs: member.rebalanceTimeoutMs,
      protocols: member.protocols.map((protocol) => ({ name: protocol.name, metadata: protocol.metadata })),
      assignment: member.assignment,
    })),
    offsets,
  };
}

function groupMetadataValue(group: ClassicGroup): GroupMetadataValue {
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

function loadGroupMetadata(group: ClassicGroup, value: GroupMetadataValue): void {
  group.generationId = value.generationId;
  group.stateTimestampMs = value.currentStateTimestampMs;
  for (const stored of value.members) {
    group.add({
      memberId: stored.memberId,
      groupInstanceId: stored.groupInstanceId,
      clientId: stored.clientId,
      clientHost: stored.clientHost,
      protocolType: value.protocolType,
      sessionTimeoutMs: stored.sessionTimeoutMs,
      rebalanceTimeoutMs: stored.rebalanceTimeoutMs,
      protocols: stored.protocols,
      assignment: stored.assignment,
      joinRequestId: null,
      syncRequestId: null,
    });
  }
  // A record's leader and type win over what adding the members inferred.
  group.protocolType = value.protocolType === '' ? null : value.protocolType;
  group.leaderId = value.leader;
  if (group.members.size > 0) {
    group.protocolName = value.protocolName;
    // Loaded groups with members resume Stable, without passing through a rebalance.
    group.state = 'Stable';
    group.previousState = 'Empty';
  }
}

function fetchedOffset(group: ClassicGroup | undefined, topic: string, partition: number): OffsetFetchPartitionResponse {
  const committed = group?.committedOffset(topic, partition);
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

/**
 * Kafka's ClassicGroup.validateMember: a static member must present the member id its instance
 * id currently maps to (else it is a fenced, older incarnation); anyone else must be a member.
 */
function validateMember(group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const currentId = group.staticMembers.get(groupInstanceId);
    if (currentId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (currentId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
}

function joinError(memberId: string, errorCode: number): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    skipAssignment: false,
    memberId,
    members: [],
  };
}

function protocolNames(request: JoinGroupRequest): string[] {
  return request.protocols.map((protocol) => protocol.name);
}

function sameProtocols(
  current: readonly { name: string; metadata: Uint8Array }[],
  offered: readonly { name: string; metadata: Uint8Array }[],
): boolean {
  if (current.length !== offered.length) return false;
  return current.every((protocol, index) => protocol.name === offered[index].name && sameBytes(protocol.metadata, offered[index].metadata));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

const utf8 = new TextEncoder();
function utf8Length(text: string): number {
  return text.length === 0 ? 0 : utf8.encode(text).length;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Timer keys: JSON arrays, so group and member ids may hold any character without clashing. */
function sessionKey(groupId: string, memberId: string): string {
  return JSON.stringify(['session', groupId, memberId]);
}
function pendingKey(groupId: string, memberId: string): string {
  return JSON.stringify(['pending', groupId, memberId]);
}
function joinKey(groupId: string): string {
  return JSON.stringify(['join', groupId]);
}
function syncKey(groupId: string): string {
  return JSON.stringify(['sync', groupId]);
}
