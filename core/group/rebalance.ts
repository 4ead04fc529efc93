// The rebalance protocol of a classic group, after Kafka's GroupMetadataManager: the join phase
// (the initial delay from Empty, the rebalance timeout, electing a leader, the new generation),
// the sync phase (the leader's assignment released to every member held in SyncGroup), removing
// members (answering whatever they left parked) and the timers that drive all of it. The request
// handlers in membership.ts decide when a rebalance starts; this module carries it through.

import { assert, assertNever } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { groupTimersPerAdvanceMax } from '../limits.js';
import { emptyBytes, joinKey, sessionKey, syncKey, type CoordinatorState, type TimerAction } from './coordinator_state.js';
import type { JoinGroupResponse, JoinGroupResponseMember, RequestId, SyncGroupRequest, SyncGroupResponse } from './group_api.js';
import type { MemberRemovedEvent, RebalanceReason } from './group_event.js';
import type { ClassicGroup, GroupMember } from './group.js';
import { onConsumerRebalanceExpired, onConsumerSessionExpired } from './consumer/consumer_heartbeat.js';

export function rebalanceOrCompleteJoin(s: CoordinatorState, group: ClassicGroup, reason: RebalanceReason): void {
  if (group.state === 'PreparingRebalance') maybeCompleteJoinPhase(s, group);
  else prepareRebalance(s, group, reason);
}

export function prepareRebalance(s: CoordinatorState, group: ClassicGroup, reason: RebalanceReason): void {
  if (group.state === 'CompletingRebalance') {
    // The generation being synced is abandoned: held SyncGroups learn it and rejoin.
    for (const member of group.members.values()) {
      member.assignment = emptyBytes;
      if (member.syncRequestId === null) continue;
      s.unpark(member.syncRequestId);
      replySync(s, member.syncRequestId, group, ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes);
      member.syncRequestId = null;
    }
  }
  s.cancel(syncKey(group.groupId));
  group.pendingSyncMembers.clear();
  if (group.rebalanceStartMs === null) {
    group.rebalanceStartMs = s.nowMs;
    group.rebalanceReason = reason;
  }
  const initial = group.state === 'Empty';
  group.transitionTo('PreparingRebalance', s.nowMs);
  if (initial) {
    // A fleet starting together should cause one rebalance, not one per member: wait a little
    // for the others (group.initial.rebalance.delay.ms), at most the rebalance timeout in all.
    const delayMs = s.config.initialRebalanceDelayMs;
    const remainingMs = Math.max(group.rebalanceTimeoutMs() - delayMs, 0);
    group.newMemberAdded = false;
    s.schedule(joinKey(group.groupId), s.nowMs + delayMs, {
      kind: 'join',
      groupId: group.groupId,
      initial: { delayMs, remainingMs },
    });
    return;
  }
  if (group.hasAllMembersJoined()) return completeJoin(s, group);
  s.schedule(joinKey(group.groupId), s.nowMs + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId, initial: null });
}

/** Ends the join phase early once every member has rejoined, except during the initial delay. */
export function maybeCompleteJoinPhase(s: CoordinatorState, group: ClassicGroup): void {
  if (group.state !== 'PreparingRebalance') return;
  if (!group.hasAllMembersJoined()) return;
  if (group.previousState === 'Empty') return; // the initial delay's timer ends this one
  completeJoin(s, group);
}

function onInitialDelayExpired(s: CoordinatorState, group: ClassicGroup, delayMs: number, remainingMs: number): void {
  if (group.newMemberAdded && remainingMs !== 0) {
    group.newMemberAdded = false;
    const nextDelayMs = Math.min(s.config.initialRebalanceDelayMs, remainingMs);
    const nextRemainingMs = Math.max(remainingMs - delayMs, 0);
    s.schedule(joinKey(group.groupId), s.nowMs + nextDelayMs, {
      kind: 'join',
      groupId: group.groupId,
      initial: { delayMs: nextDelayMs, remainingMs: nextRemainingMs },
    });
    return;
  }
  completeJoin(s, group);
}

function completeJoin(s: CoordinatorState, group: ClassicGroup): void {
  assert(group.state === 'PreparingRebalance', `group ${group.groupId}: completing a join in ${group.state}`);
  s.cancel(joinKey(group.groupId));
  // Dynamic members that did not rejoin in time are gone. Static members stay until their
  // session times out: a restarting instance should find its place (KIP-345).
  for (const member of [...group.members.values()]) {
    if (member.joinRequestId === null && member.groupInstanceId === null) {
      removeMember(s, group, member, 'rebalanceTimeout');
    }
  }
  if (group.members.size > 0 && group.awaitingJoinCount() === 0) {
    // Only static members that have not rejoined remain: wait for them or their session timeouts.
    s.schedule(joinKey(group.groupId), s.nowMs + group.rebalanceTimeoutMs(), { kind: 'join', groupId: group.groupId, initial: null });
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
    group.transitionTo('Empty', s.nowMs);
    s.persistGroup(group);
    reportRebalance(s, group);
    return;
  }
  group.protocolName = group.selectProtocol();
  group.transitionTo('CompletingRebalance', s.nowMs);
  for (const member of group.members.values()) {
    group.pendingSyncMembers.add(member.memberId);
    if (member.joinRequestId === null) continue;
    const requestId = member.joinRequestId;
    member.joinRequestId = null;
    s.unpark(requestId);
    s.reply({ requestId, api: 'JoinGroup', response: joinResponse(group, member, false) });
    s.scheduleSession(group, member);
  }
  s.schedule(syncKey(group.groupId), s.nowMs + group.rebalanceTimeoutMs(), {
    kind: 'sync',
    groupId: group.groupId,
    generationId: group.generationId,
  });
}

export function joinResponse(group: ClassicGroup, member: GroupMember, skipAssignment: boolean): JoinGroupResponse {
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

export function joinError(memberId: string, errorCode: number): JoinGroupResponse {
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

export function parkJoin(s: CoordinatorState, member: GroupMember, requestId: RequestId): void {
  if (member.joinRequestId !== null) {
    // A retried JoinGroup supersedes the one parked before: answer that one so nothing waits
    // forever; REBALANCE_IN_PROGRESS makes a client that still listens simply rejoin.
    s.unpark(member.joinRequestId);
    s.reply({ requestId: member.joinRequestId, api: 'JoinGroup', response: joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS) });
  }
  s.park(requestId);
  member.joinRequestId = requestId;
}

/** The leader's SyncGroup: store every member's assignment and release the held SyncGroups. */
export function completeSync(s: CoordinatorState, group: ClassicGroup, leaderRequest: SyncGroupRequest): void {
  const assignments = new Map<string, Uint8Array>();
  for (const entry of leaderRequest.assignments) assignments.set(entry.memberId, entry.assignment);
  for (const member of group.members.values()) member.assignment = assignments.get(member.memberId) ?? emptyBytes;
  group.transitionTo('Stable', s.nowMs);
  s.persistGroup(group);
  for (const member of group.members.values()) {
    if (member.syncRequestId === null) continue;
    const requestId = member.syncRequestId;
    member.syncRequestId = null;
    s.unpark(requestId);
    replySync(s, requestId, group, ErrorCode.NONE, member.assignment);
  }
  maybeFinishRebalance(s, group);
}

/** Once every member of a Stable generation has its assignment, the rebalance is over. */
export function maybeFinishRebalance(s: CoordinatorState, group: ClassicGroup): void {
  if (group.state !== 'Stable' || group.pendingSyncMembers.size > 0) return;
  s.cancel(syncKey(group.groupId));
  reportRebalance(s, group);
}

function reportRebalance(s: CoordinatorState, group: ClassicGroup): void {
  if (group.rebalanceStartMs === null) return; // already reported, or loaded from records
  assert(group.rebalanceReason !== null, `group ${group.groupId}: rebalance without a reason`);
  s.emit({
    type: 'rebalance',
    groupId: group.groupId,
    generationId: group.generationId,
    reason: group.rebalanceReason,
    members: [...group.members.keys()],
    durationMs: s.nowMs - group.rebalanceStartMs,
  });
  group.rebalanceStartMs = null;
  group.rebalanceReason = null;
}

export function replySync(s: CoordinatorState, requestId: RequestId, group: ClassicGroup | undefined, errorCode: number, assignment: Uint8Array): void {
  const response: SyncGroupResponse = {
    errorCode,
    protocolType: group?.protocolType ?? null,
    protocolName: errorCode === ErrorCode.NONE ? (group?.protocolName ?? null) : null,
    assignment,
  };
  s.reply({ requestId, api: 'SyncGroup', response });
}

/** Answers whatever the member left parked, so no client waits on a member that is gone. */
export function answerParked(s: CoordinatorState, group: ClassicGroup, member: GroupMember, errorCode: number): void {
  if (member.joinRequestId !== null) {
    s.unpark(member.joinRequestId);
    s.reply({ requestId: member.joinRequestId, api: 'JoinGroup', response: joinError(member.memberId, errorCode) });
    member.joinRequestId = null;
  }
  if (member.syncRequestId !== null) {
    s.unpark(member.syncRequestId);
    replySync(s, member.syncRequestId, group, errorCode, emptyBytes);
    member.syncRequestId = null;
  }
}

function removeMember(s: CoordinatorState, group: ClassicGroup, member: GroupMember, cause: MemberRemovedEvent['cause']): void {
  answerParked(s, group, member, ErrorCode.UNKNOWN_MEMBER_ID);
  group.remove(member.memberId);
  s.cancel(sessionKey(group.groupId, member.memberId));
  s.emit({ type: 'memberRemoved', groupId: group.groupId, memberId: member.memberId, groupInstanceId: member.groupInstanceId, cause });
}

export function removeMemberAndRebalance(
  s: CoordinatorState,
  group: ClassicGroup,
  member: GroupMember,
  cause: MemberRemovedEvent['cause'],
  reason: RebalanceReason,
): void {
  removeMember(s, group, member, cause);
  switch (group.state) {
    case 'Stable':
    case 'CompletingRebalance':
      return prepareRebalance(s, group, reason);
    case 'PreparingRebalance':
      return maybeCompleteJoinPhase(s, group);
    case 'Empty':
    case 'Dead':
      return assert(false, `group ${group.groupId}: removed a member from a ${group.state} group`);
    default:
      return assertNever(group.state, 'group state');
  }
}

// ─── Timers ───────────────────────────────────────────────────────────────────────────────────

/** Fires every timer due at `s.nowMs`, one at a time. */
export function fireDueTimers(s: CoordinatorState): void {
  for (let fired = 0; ; fired++) {
    assert(fired < groupTimersPerAdvanceMax, `more than ${groupTimersPerAdvanceMax} timers fired at ${s.nowMs}: a timer loop`);
    // One at a time: handling one timer may cancel or reschedule another that is also due.
    const [key] = s.timers.expire(s.nowMs, 1);
    if (key === undefined) return;
    const action = s.timerActions.get(key);
    assert(action !== undefined, `timer ${key} fired without an action`);
    s.timerActions.delete(key);
    onTimer(s, action);
  }
}

function onTimer(s: CoordinatorState, action: TimerAction): void {
  if (action.kind === 'consumerSession') return onConsumerSessionExpired(s, action.groupId, action.memberId);
  if (action.kind === 'consumerRebalance') return onConsumerRebalanceExpired(s, action.groupId, action.memberId, action.memberEpoch);
  const group = s.groups.get(action.groupId);
  assert(group !== undefined, `timer ${action.kind} for unknown group ${action.groupId}`);
  switch (action.kind) {
    case 'session': {
      const member = group.member(action.memberId);
      // A member waiting on us for a join or sync response cannot heartbeat; the join and sync
      // deadlines bound that wait instead.
      if (member.joinRequestId !== null || member.syncRequestId !== null) return s.scheduleSession(group, member);
      removeMemberAndRebalance(s, group, member, 'sessionTimeout', 'sessionTimeout');
      return s.forgetIfVacant(group);
    }
    case 'pending':
      assert(group.pendingMembers.delete(action.memberId), `pending timer for non-pending ${action.memberId}`);
      return s.forgetIfVacant(group);
    case 'join':
      assert(group.state === 'PreparingRebalance', `group ${group.groupId}: join timer in ${group.state}`);
      if (action.initial !== null) return onInitialDelayExpired(s, group, action.initial.delayMs, action.initial.remainingMs);
      return completeJoin(s, group);
    case 'sync':
      return onSyncExpired(s, group, action.generationId);
    default:
      return assertNever(action, 'timer action');
  }
}

function onSyncExpired(s: CoordinatorState, group: ClassicGroup, generationId: number): void {
  assert(generationId === group.generationId, `group ${group.groupId}: sync timer of generation ${generationId}`);
  assert(group.state === 'CompletingRebalance' || group.state === 'Stable', `group ${group.groupId}: sync timer in ${group.state}`);
  assert(group.pendingSyncMembers.size > 0, `group ${group.groupId}: sync timer with everyone synced`);
  for (const memberId of [...group.pendingSyncMembers]) removeMember(s, group, group.member(memberId), 'syncTimeout');
  prepareRebalance(s, group, 'syncTimeout');
}
