// The group membership requests of the classic protocol, after Kafka's GroupMetadataManager
// (classic part): JoinGroup (new, pending, existing and static members, group.max.size),
// SyncGroup, Heartbeat and LeaveGroup. Each validates the request against the group and decides
// what it does to the group; rebalance.ts carries out the rebalances they start.

import { assert, assertNever } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { emptyBytes, pendingKey, sessionKey, validateMember, type CoordinatorState } from './coordinator_state.js';
import type {
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupMemberResponse,
  LeaveGroupRequest,
  RequestId,
  SyncGroupRequest,
} from './group_api.js';
import type { RebalanceReason } from './group_event.js';
import type { ClassicGroup, GroupMember } from './group.js';
import {
  answerParked,
  completeSync,
  joinError,
  joinResponse,
  maybeCompleteJoinPhase,
  maybeFinishRebalance,
  parkJoin,
  prepareRebalance,
  rebalanceOrCompleteJoin,
  removeMemberAndRebalance,
  replySync,
} from './rebalance.js';

// ─── JoinGroup ────────────────────────────────────────────────────────────────────────────────

export function handleJoinGroup(s: CoordinatorState, requestId: RequestId, request: JoinGroupRequest): void {
  if (request.groupId === '') return replyJoinError(s, requestId, request.memberId, ErrorCode.INVALID_GROUP_ID);
  const { sessionTimeoutMs } = request;
  if (sessionTimeoutMs < s.config.sessionTimeoutMsMin || sessionTimeoutMs > s.config.sessionTimeoutMsMax) {
    return replyJoinError(s, requestId, request.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  let group = s.groups.get(request.groupId);
  if (group === undefined) {
    // Only a new member may create a group; a known id means the group it knew is gone.
    if (request.memberId !== '') return replyJoinError(s, requestId, request.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    group = s.createGroup(request.groupId);
  }
  if (!acceptsJoiningMember(s, group, request.memberId)) {
    replyJoinError(s, requestId, request.memberId, ErrorCode.GROUP_MAX_SIZE_REACHED);
  } else if (request.memberId === '') {
    joinNewMember(s, group, requestId, request);
  } else {
    joinExistingMember(s, group, requestId, request);
  }
  s.forgetIfVacant(group);
}

/**
 * Kafka's group.max.size check. While rebalancing, members that have not rejoined are about to
 * be dropped, so only those already rejoined count against the cap.
 */
function acceptsJoiningMember(s: CoordinatorState, group: ClassicGroup, memberId: string): boolean {
  const cap = s.config.groupSizeMax;
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

function joinNewMember(s: CoordinatorState, group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest): void {
  if (!group.supportsProtocols(request.protocolType, protocolNames(request))) {
    return replyJoinError(s, requestId, '', ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  const memberId = s.newMemberId(group, request.groupInstanceId ?? request.clientId);
  if (request.groupInstanceId !== null) {
    const existingId = group.staticMembers.get(request.groupInstanceId);
    if (existingId !== undefined) return replaceStaticMember(s, group, existingId, memberId, requestId, request);
    return addMemberAndRebalance(s, group, memberId, requestId, request);
  }
  if (request.requireKnownMemberId) {
    // The two-step join (KIP-394): hand out an id, remember it for one session timeout, and
    // let the member come back with it. Until then it is not a member.
    group.pendingMembers.add(memberId);
    s.schedule(pendingKey(group.groupId, memberId), s.nowMs + request.sessionTimeoutMs, {
      kind: 'pending',
      groupId: group.groupId,
      memberId,
    });
    return replyJoinError(s, requestId, memberId, ErrorCode.MEMBER_ID_REQUIRED);
  }
  addMemberAndRebalance(s, group, memberId, requestId, request);
}

function joinExistingMember(s: CoordinatorState, group: ClassicGroup, requestId: RequestId, request: JoinGroupRequest): void {
  const { memberId } = request;
  if (!group.supportsProtocols(request.protocolType, protocolNames(request))) {
    return replyJoinError(s, requestId, memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (group.pendingMembers.has(memberId)) {
    // Ids handed out by MEMBER_ID_REQUIRED are dynamic only; a static member never gets one.
    if (request.groupInstanceId !== null) return replyJoinError(s, requestId, memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    return addMemberAndRebalance(s, group, memberId, requestId, request);
  }
  const memberError = validateMember(group, memberId, request.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return replyJoinError(s, requestId, memberId, memberError);
  const member = group.member(memberId);
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberAndRebalance(s, group, member, requestId, request, 'memberJoined');
    case 'CompletingRebalance':
      // Same metadata: the member most likely lost our JoinGroup response; send it again.
      if (sameProtocols(member.protocols, request.protocols)) return replyJoinCurrent(s, group, member, requestId, false);
      return updateMemberAndRebalance(s, group, member, requestId, request, 'metadataChanged');
    case 'Stable':
      // The leader may rejoin to make the group reassign after a change the coordinator cannot
      // see (new partitions of a subscribed topic), so its join always starts a rebalance.
      if (group.isLeader(memberId)) return updateMemberAndRebalance(s, group, member, requestId, request, 'leaderRejoined');
      if (!sameProtocols(member.protocols, request.protocols)) {
        return updateMemberAndRebalance(s, group, member, requestId, request, 'metadataChanged');
      }
      return replyJoinCurrent(s, group, member, requestId, false);
    case 'Empty':
    case 'Dead':
      return replyJoinError(s, requestId, memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    default:
      return assertNever(group.state, 'group state');
  }
}

function newMember(memberId: string, request: JoinGroupRequest, assignment: Uint8Array): GroupMember {
  return {
    memberId,
    groupInstanceId: request.groupInstanceId,
    clientId: request.clientId,
    clientHost: request.clientHost,
    protocolType: request.protocolType,
    sessionTimeoutMs: request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    protocols: request.protocols,
    assignment,
    joinRequestId: null,
    syncRequestId: null,
  };
}

function addMemberAndRebalance(s: CoordinatorState, group: ClassicGroup, memberId: string, requestId: RequestId, request: JoinGroupRequest): void {
  if (group.pendingMembers.delete(memberId)) s.cancel(pendingKey(group.groupId, memberId));
  const member = newMember(memberId, request, emptyBytes);
  group.add(member);
  parkJoin(s, member, requestId);
  s.scheduleSession(group, member);
  if (group.state === 'PreparingRebalance' && group.previousState === 'Empty') group.newMemberAdded = true;
  rebalanceOrCompleteJoin(s, group, 'memberJoined');
}

function updateMemberAndRebalance(
  s: CoordinatorState,
  group: ClassicGroup,
  member: GroupMember,
  requestId: RequestId,
  request: JoinGroupRequest,
  reason: RebalanceReason,
): void {
  member.protocols = request.protocols;
  member.sessionTimeoutMs = request.sessionTimeoutMs;
  member.rebalanceTimeoutMs = request.rebalanceTimeoutMs;
  parkJoin(s, member, requestId);
  s.scheduleSession(group, member);
  rebalanceOrCompleteJoin(s, group, reason);
}

/**
 * A static member restarted: it joins with its instance id and no member id. The new id takes
 * the old one's place; requests still carrying the old id are fenced from now on. In a Stable
 * group with unchanged metadata it keeps its assignment and nobody rebalances (KIP-345).
 */
function replaceStaticMember(
  s: CoordinatorState,
  group: ClassicGroup,
  oldMemberId: string,
  memberId: string,
  requestId: RequestId,
  request: JoinGroupRequest,
): void {
  const old = group.member(oldMemberId);
  answerParked(s, group, old, ErrorCode.FENCED_INSTANCE_ID);
  s.cancel(sessionKey(group.groupId, oldMemberId));
  const unchanged = sameProtocols(old.protocols, request.protocols);
  const member = newMember(memberId, request, old.assignment);
  group.replaceStaticMember(oldMemberId, member);
  s.scheduleSession(group, member);
  s.emit({ type: 'memberRemoved', groupId: group.groupId, memberId: oldMemberId, groupInstanceId: old.groupInstanceId, cause: 'fenced' });
  switch (group.state) {
    case 'Stable':
      if (unchanged) {
        s.persistGroup(group);
        // The leader is told to skip assigning (KIP-814): the current assignment stands.
        return replyJoinCurrent(s, group, member, requestId, group.isLeader(memberId));
      }
      parkJoin(s, member, requestId);
      return prepareRebalance(s, group, 'metadataChanged');
    case 'CompletingRebalance':
      parkJoin(s, member, requestId);
      return prepareRebalance(s, group, 'staticMemberReplaced');
    case 'PreparingRebalance':
      parkJoin(s, member, requestId);
      return maybeCompleteJoinPhase(s, group);
    case 'Empty':
    case 'Dead':
      return assert(false, `group ${group.groupId}: static member ${oldMemberId} in a ${group.state} group`);
    default:
      return assertNever(group.state, 'group state');
  }
}

function replyJoinCurrent(s: CoordinatorState, group: ClassicGroup, member: GroupMember, requestId: RequestId, skipAssignment: boolean): void {
  s.scheduleSession(group, member);
  s.reply({ requestId, api: 'JoinGroup', response: joinResponse(group, member, skipAssignment) });
}

function replyJoinError(s: CoordinatorState, requestId: RequestId, memberId: string, errorCode: number): void {
  s.reply({ requestId, api: 'JoinGroup', response: joinError(memberId, errorCode) });
}

// ─── SyncGroup ────────────────────────────────────────────────────────────────────────────────

export function handleSyncGroup(s: CoordinatorState, requestId: RequestId, request: SyncGroupRequest): void {
  const group = s.groups.get(request.groupId);
  if (request.groupId === '') return replySync(s, requestId, group, ErrorCode.INVALID_GROUP_ID, emptyBytes);
  if (group === undefined) return replySync(s, requestId, group, ErrorCode.UNKNOWN_MEMBER_ID, emptyBytes);
  const memberError = validateMember(group, request.memberId, request.groupInstanceId);
  if (memberError !== ErrorCode.NONE) return replySync(s, requestId, group, memberError, emptyBytes);
  if (request.generationId !== group.generationId) return replySync(s, requestId, group, ErrorCode.ILLEGAL_GENERATION, emptyBytes);
  if (
    (request.protocolType !== null && request.protocolType !== group.protocolType) ||
    (request.protocolName !== null && request.protocolName !== group.protocolName)
  ) {
    return replySync(s, requestId, group, ErrorCode.INCONSISTENT_GROUP_PROTOCOL, emptyBytes);
  }
  const member = group.member(request.memberId);
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return replySync(s, requestId, group, ErrorCode.UNKNOWN_MEMBER_ID, emptyBytes);
    case 'PreparingRebalance':
      return replySync(s, requestId, group, ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes);
    case 'CompletingRebalance': {
      if (member.syncRequestId !== null) {
        s.unpark(member.syncRequestId);
        replySync(s, member.syncRequestId, group, ErrorCode.REBALANCE_IN_PROGRESS, emptyBytes);
      }
      s.park(requestId);
      member.syncRequestId = requestId;
      group.pendingSyncMembers.delete(member.memberId);
      s.scheduleSession(group, member);
      if (group.isLeader(member.memberId)) completeSync(s, group, request);
      return;
    }
    case 'Stable':
      s.scheduleSession(group, member);
      group.pendingSyncMembers.delete(member.memberId);
      replySync(s, requestId, group, ErrorCode.NONE, member.assignment);
      maybeFinishRebalance(s, group);
      return;
    default:
      return assertNever(group.state, 'group state');
  }
}

// ─── Heartbeat and LeaveGroup ─────────────────────────────────────────────────────────────────

export function handleHeartbeat(s: CoordinatorState, request: HeartbeatRequest): number {
  if (request.groupId === '') return ErrorCode.INVALID_GROUP_ID;
  const group = s.groups.get(request.groupId);
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
      s.scheduleSession(group, member);
      return ErrorCode.REBALANCE_IN_PROGRESS;
    case 'CompletingRebalance':
    case 'Stable':
      s.scheduleSession(group, member);
      return ErrorCode.NONE;
    default:
      return assertNever(group.state, 'group state');
  }
}

export function handleLeaveGroup(s: CoordinatorState, requestId: RequestId, request: LeaveGroupRequest): void {
  if (request.groupId === '') {
    s.reply({ requestId, api: 'LeaveGroup', response: { errorCode: ErrorCode.INVALID_GROUP_ID, members: [] } });
    return;
  }
  const group = s.groups.get(request.groupId);
  const members: LeaveGroupMemberResponse[] = request.members.map((leaving) => ({
    memberId: leaving.memberId,
    groupInstanceId: leaving.groupInstanceId,
    errorCode: group === undefined ? ErrorCode.UNKNOWN_MEMBER_ID : leaveOne(s, group, leaving.memberId, leaving.groupInstanceId),
  }));
  s.reply({ requestId, api: 'LeaveGroup', response: { errorCode: ErrorCode.NONE, members } });
  if (group !== undefined) s.forgetIfVacant(group);
}

function leaveOne(s: CoordinatorState, group: ClassicGroup, memberId: string, groupInstanceId: string | null): number {
  if (memberId === '') {
    // An admin removing a static member by instance id (LeaveGroup v3+).
    const currentId = groupInstanceId === null ? undefined : group.staticMembers.get(groupInstanceId);
    if (currentId === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    removeMemberAndRebalance(s, group, group.member(currentId), 'leaveGroup', 'memberLeft');
    return ErrorCode.NONE;
  }
  if (group.pendingMembers.delete(memberId)) {
    s.cancel(pendingKey(group.groupId, memberId));
    return ErrorCode.NONE;
  }
  const memberError = validateMember(group, memberId, groupInstanceId);
  if (memberError !== ErrorCode.NONE) return memberError;
  removeMemberAndRebalance(s, group, group.member(memberId), 'leaveGroup', 'memberLeft');
  return ErrorCode.NONE;
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
