// ConsumerGroupHeartbeat (KIP-848), after Kafka's GroupMetadataManager.consumerGroupHeartbeat:
// one request joins, heartbeats, reports revocations, changes the subscription, and leaves.
//
//   validate the request (INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION)
//   find the group (epoch 0 creates it, or takes over an empty classic group) and the member,
//     checking epochs (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID) and static membership
//     (UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID) — all before anything changes
//   1. update the member; a new member or a changed subscription or assignor bumps the group epoch,
//      and so do changed partition counts of the subscribed topics
//   2. group epoch > assignment epoch: compute the target assignment (target_assignment.ts)
//   3. reconcile the member one step towards its target (reconcile.ts)
//   answer the member's epoch, the heartbeat interval and, when it changed or the request was a
//   full one, the partitions it may consume now
//
// Timers: a session timer per member (the broker's consumerSessionTimeoutMs, renewed by every
// heartbeat: expiry removes the member) and a rebalance timer while a member is asked to revoke
// (its rebalanceTimeoutMs: a member that has not revoked by then is removed). Removing a member
// bumps the group epoch; the next heartbeat of any member recomputes the target.
//
// Every change is also a record (ConsumerGroup for the epochs, ConsumerMember for a member with
// its target and current assignment), which the group actor persists and group_replay.ts loads.

import { ErrorCode, errorCodeName } from '../../errors.js';
import { subscribedTopicNamesMax } from '../../limits.js';
import {
  consumerRebalanceKey,
  consumerSessionKey,
  type CoordinatorState,
} from '../coordinator_state.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, ConsumerTopicPartitions, RequestId } from '../group_api.js';
import type { RebalanceReason } from '../group_event.js';
import type { ConsumerMemberValue } from '../group_record.js';
import {
  ConsumerGroup,
  emptyAssignment,
  leaveMemberEpoch,
  leaveStaticMemberEpoch,
  sameAssignment,
  toAssignment,
  type ConsumerMember,
  type TopicAssignment,
} from './consumer_group.js';
import { isSubset, reconcile } from './reconcile.js';
import { compileSubscriptionRegex, subscribedTopics } from './subscription.js';
import { computeTarget, isConsumerAssignorName, preferredAssignor, consumerAssignorNames } from './target_assignment.js';

class HeartbeatError {
  constructor(
    readonly errorCode: number,
    readonly message: string,
  ) {}
}

export function handleConsumerHeartbeat(s: CoordinatorState, requestId: RequestId, request: ConsumerGroupHeartbeatRequest): void {
  let response: ConsumerGroupHeartbeatResponse;
  try {
    response = heartbeat(s, request);
  } catch (error) {
    if (!(error instanceof HeartbeatError)) throw error;
    response = { errorCode: error.errorCode, errorMessage: error.message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
  }
  s.reply({ requestId, api: 'ConsumerGroupHeartbeat', response });
}

function fail(errorCode: number, message: string): never {
  throw new HeartbeatError(errorCode, message);
}

/** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid, plus Lanes's bounds. */
function validate(request: ConsumerGroupHeartbeatRequest): void {
  const invalid = (message: string) => fail(ErrorCode.INVALID_REQUEST, message);
  if (request.groupId === '') invalid("GroupId can't be empty.");
  if (request.instanceId === '') invalid("InstanceId can't be empty.");
  if (request.rackId === '') invalid("RackId can't be empty.");
  const epoch = request.memberEpoch;
  if (epoch > 0 || epoch === leaveMemberEpoch) {
    if (request.memberId === '') invalid("MemberId can't be empty.");
  } else if (epoch === 0) {
    if (request.rebalanceTimeoutMs === -1) invalid('RebalanceTimeoutMs must be provided in first request.');
    if (request.ownedPartitions === null || request.ownedPartitions.length > 0) invalid('TopicPartitions must be empty when (re-)joining.');
    if (request.subscribedTopicNames === null && request.subscribedTopicRegex === null) {
      invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
    }
  } else if (epoch === leaveStaticMemberEpoch) {
    if (request.memberId === '') invalid("MemberId can't be empty.");
    if (request.instanceId === null) invalid("InstanceId can't be null.");
  } else {
    invalid('MemberEpoch is invalid.');
  }
  if (request.rebalanceTimeoutMs < -1) invalid(`RebalanceTimeoutMs ${request.rebalanceTimeoutMs} is negative.`);
  if (request.subscribedTopicNames !== null && request.subscribedTopicNames.length > subscribedTopicNamesMax) {
    invalid(`SubscribedTopicNames has more than ${subscribedTopicNamesMax} topics.`);
  }
  if (request.serverAssignor !== null && !isConsumerAssignorName(request.serverAssignor)) {
    fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${request.serverAssignor} is not supported. Supported assignors: ${consumerAssignorNames.join(', ')}.`);
  }
  if (request.subscribedTopicRegex !== null && request.subscribedTopicRegex !== '') {
    const check = compileSubscriptionRegex(request.subscribedTopicRegex);
    if (!check.ok) fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex ${request.subscribedTopicRegex} is not a valid regular expression: ${check.reason}.`);
  }
}

/** Kafka's throwIfMemberEpochIsInvalid. */
function checkEpoch(member: ConsumerMember, receivedEpoch: number, owned: TopicAssignment | null): void {
  if (receivedEpoch > member.memberEpoch) {
    fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a greater member epoch (${receivedEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
  }
  // The previous epoch is accepted with a subset of the assignment: our answer bumping the
  // epoch may have been lost.
  if (receivedEpoch < member.memberEpoch && (receivedEpoch !== member.previousMemberEpoch || !isSubset(owned, member.assigned))) {
    fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${receivedEpoch}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`);
  }
}

function ownedOf(request: ConsumerGroupHeartbeatRequest): TopicAssignment | null {
  if (request.ownedPartitions === null) return null;
  return toAssignment(request.ownedPartitions.map((owned) => [owned.topic, owned.partitions] as const));
}

function heartbeat(s: CoordinatorState, request: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  validate(request);
  if (request.memberEpoch === leaveMemberEpoch || request.memberEpoch === leaveStaticMemberEpoch) return leave(s, request);
  const owned = ownedOf(request);
  const joining = request.memberEpoch === 0;

  // ─── Find the group and the member; nothing changes until every check has passed ───────────
  const classic = s.groups.get(request.groupId);
  let group = s.consumerGroups.get(request.groupId);
  if (group === undefined) {
    if (!joining) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${request.groupId} not found.`);
    if (classic !== undefined && !(classic.state === 'Empty' && classic.members.size === 0 && classic.pendingMembers.size === 0)) {
      fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${request.groupId} is not a consumer group.`);
    }
  }
  const memberId = request.memberId === '' ? s.newConsumerMemberId(group) : request.memberId;
  let existing: ConsumerMember | undefined;
  let replaced: ConsumerMember | undefined;
  if (request.instanceId === null) {
    existing = group?.members.get(memberId);
    if (!joining) {
      if (existing === undefined) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${request.groupId}.`);
      checkEpoch(existing, request.memberEpoch, owned);
    }
  } else {
    const holder = group?.staticMember(request.instanceId);
    if (joining) {
      if (holder === undefined) existing = group?.members.get(memberId);
      else if (holder.memberEpoch !== leaveStaticMemberEpoch) {
        fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${holder.memberId} with instance id ${request.instanceId} is not released yet.`);
      } else replaced = holder;
    } else {
      if (holder === undefined) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`);
      if (holder.memberId !== memberId) {
        fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${request.instanceId} was fenced by member ${holder.memberId}.`);
      }
      checkEpoch(holder, request.memberEpoch, owned);
      existing = holder;
    }
  }
  if (group !== undefined && existing === undefined && replaced === undefined && group.members.size >= s.config.groupSizeMax) {
    fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${s.config.groupSizeMax} members.`);
  }

  // ─── Apply ──────────────────────────────────────────────────────────────────────────────────
  if (group === undefined) group = createConsumerGroup(s, request.groupId);
  let member: ConsumerMember;
  if (replaced !== undefined) {
    // The static member's new incarnation takes over its partitions and target, epoch 0: it
    // reconciles back to exactly what it had, without a rebalance.
    const target = group.target.get(replaced.memberId);
    removeMember(s, group, replaced, null);
    member = { ...replaced, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
    group.put(member);
    if (target !== undefined) group.target.set(memberId, target);
  } else {
    member = existing ?? {
      memberId,
      instanceId: request.instanceId,
      rackId: null,
      clientId: request.clientId,
      clientHost: request.clientHost,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      serverAssignor: null,
      memberEpoch: 0,
      previousMemberEpoch: 0,
      state: 'STABLE',
      assigned: emptyAssignment,
      pendingRevocation: emptyAssignment,
    };
  }
  const updated: ConsumerMember = {
    ...member,
    instanceId: request.instanceId ?? member.instanceId,
    rackId: request.rackId ?? member.rackId,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs === -1 ? member.rebalanceTimeoutMs : request.rebalanceTimeoutMs,
    serverAssignor: request.serverAssignor ?? member.serverAssignor,
    subscribedTopicNames: request.subscribedTopicNames !== null ? [...new Set(request.subscribedTopicNames)].sort() : member.subscribedTopicNames,
    // An empty pattern clears a regex subscription.
    subscribedTopicRegex: request.subscribedTopicRegex === null ? member.subscribedTopicRegex : request.subscribedTopicRegex === '' ? null : request.subscribedTopicRegex,
    clientId: request.clientId,
    clientHost: request.clientHost,
  };
  const isNew = !group.members.has(memberId);
  const subscriptionChanged =
    isNew ||
    updated.serverAssignor !== member.serverAssignor ||
    updated.subscribedTopicRegex !== member.subscribedTopicRegex ||
    updated.subscribedTopicNames.join('\u0000') !== member.subscribedTopicNames.join('\u0000') ||
    updated.subscribedTopicNames.length !== member.subscribedTopicNames.length;
  group.put(updated);
  if (subscriptionChanged) bumpGroupEpoch(s, group, isNew ? 'memberJoined' : 'metadataChanged');
  maybeRefreshTarget(s, group);

  const reconciled = reconcileMember(s, group, updated, owned);
  if (reconciled !== member || replaced !== undefined || isNew) recordMember(s, group, reconciled);
  s.schedule(consumerSessionKey(group.groupId, memberId), s.nowMs + s.config.consumerSessionTimeoutMs, {
    kind: 'consumerSession',
    groupId: group.groupId,
    memberId,
  });

  const fullRequest = joining || (request.rebalanceTimeoutMs !== -1 && request.subscribedTopicNames !== null && request.ownedPartitions !== null);
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId,
    memberEpoch: reconciled.memberEpoch,
    heartbeatIntervalMs: s.config.consumerHeartbeatIntervalMs,
    assignment: fullRequest || !sameAssignment(member.assigned, reconciled.assigned) ? topicPartitions(reconciled.assigned) : null,
  };
}

/** Epoch −1 (anyone) or −2 (a static member that will come back): Kafka's consumerGroupLeave. */
function leave(s: CoordinatorState, request: ConsumerGroupHeartbeatRequest): ConsumerGroupHeartbeatResponse {
  const group = s.consumerGroups.get(request.groupId);
  if (group === undefined) {
    fail(ErrorCode.GROUP_ID_NOT_FOUND, s.groups.has(request.groupId) ? `Group ${request.groupId} is not a consumer group.` : `Consumer group ${request.groupId} not found.`);
  }
  const answer = { errorCode: ErrorCode.NONE, errorMessage: null, memberId: request.memberId, memberEpoch: request.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  if (request.instanceId === null) {
    const member = group.members.get(request.memberId);
    if (member === undefined) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${request.memberId} is not a member of group ${request.groupId}.`);
    fenceMember(s, group, member, 'leaveGroup');
    return answer;
  }
  const member = group.staticMember(request.instanceId);
  if (member === undefined) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${request.instanceId} is unknown.`);
  if (member.memberId !== request.memberId) {
    fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${request.memberId} with instance id ${request.instanceId} was fenced by member ${member.memberId}.`);
  }
  if (request.memberEpoch === leaveStaticMemberEpoch) {
    // It keeps its assigned partitions (nobody else gets them) until it rejoins or its session
    // expires; those it was revoking are released at once, as Kafka does: it consumes nothing now.
    const left: ConsumerMember = { ...member, memberEpoch: leaveStaticMemberEpoch, state: 'STABLE', pendingRevocation: emptyAssignment };
    group.put(left);
    s.cancel(consumerRebalanceKey(group.groupId, member.memberId));
    recordMember(s, group, left);
    return answer;
  }
  fenceMember(s, group, member, 'leaveGroup');
  return answer;
}

function reconcileMember(s: CoordinatorState, group: ConsumerGroup, member: ConsumerMember, owned: TopicAssignment | null): ConsumerMember {
  if (member.memberEpoch === group.assignmentEpoch && member.state === 'STABLE') return member;
  const target = group.target.get(member.memberId) ?? emptyAssignment;
  const next = reconcile(member, group.assignmentEpoch, target, (topic, partition) => group.ownerOf(topic, partition), owned);
  if (next === member) return member;
  group.put(next);
  const key = consumerRebalanceKey(group.groupId, member.memberId);
  if (next.state === 'UNREVOKED_PARTITIONS') {
    s.schedule(key, s.nowMs + next.rebalanceTimeoutMs, { kind: 'consumerRebalance', groupId: group.groupId, memberId: next.memberId, memberEpoch: next.memberEpoch });
  } else {
    s.cancel(key);
  }
  return next;
}

// ─── Group epoch, subscriptions and the target ────────────────────────────────────────────────

function createConsumerGroup(s: CoordinatorState, groupId: string): ConsumerGroup {
  const group = new ConsumerGroup(groupId, s.nowMs);
  const classic = s.groups.get(groupId);
  if (classic !== undefined) {
    // An empty classic group is taken over: its offsets stay with the group id.
    for (const [topic, partitions] of classic.offsets) group.offsets.set(topic, partitions);
    s.groups.delete(groupId);
    s.record({ type: 'GroupMetadata', groupId, value: null });
  }
  s.consumerGroups.set(groupId, group);
  return group;
}

function bumpGroupEpoch(s: CoordinatorState, group: ConsumerGroup, reason: RebalanceReason): void {
  group.groupEpoch++;
  // The first cause wins for the whole rebalance, as for classic groups.
  group.rebalance ??= { startMs: s.nowMs, reason };
  s.rebalancingConsumerGroups.add(group.groupId);
  group.subscriptionMetadata = subscriptionMetadataOf(s, group).metadata;
  recordGroup(s, group);
}

/** Each member's resolved topics and the partition counts of all of them. */
function subscriptionMetadataOf(s: CoordinatorState, group: ConsumerGroup): { subscribed: Map<string, string[]>; metadata: Map<string, number> } {
  const subscribed = new Map<string, string[]>();
  const metadata = new Map<string, number>();
  const regexes = new Map<string, RegExp | null>();
  for (const member of group.members.values()) {
    let regex: RegExp | null = null;
    if (member.subscribedTopicRegex !== null) {
      if (!regexes.has(member.subscribedTopicRegex)) {
        const check = compileSubscriptionRegex(member.subscribedTopicRegex);
        regexes.set(member.subscribedTopicRegex, check.ok ? check.regex : null);
      }
      regex = regexes.get(member.subscribedTopicRegex) ?? null;
    }
    const topics = subscribedTopics(member.subscribedTopicNames, regex, s.options.partitionCount, s.options.topicNames ?? (() => []));
    subscribed.set(member.memberId, topics);
    for (const topic of topics) metadata.set(topic, s.options.partitionCount(topic) as number);
  }
  return { subscribed, metadata: new Map([...metadata].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

function sameMetadata(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [topic, count] of a) if (b.get(topic) !== count) return false;
  return true;
}

/** Recomputes the target when the group epoch moved past it. */
function maybeRefreshTarget(s: CoordinatorState, group: ConsumerGroup): void {
  if (group.groupEpoch <= group.assignmentEpoch) return;
  const { subscribed, metadata } = subscriptionMetadataOf(s, group);
  group.subscriptionMetadata = metadata;
  const target = computeTarget(group, preferredAssignor(group, s.config.consumerAssignor), subscribed, metadata, s.options.assignmentKernel);
  const changed: string[] = [];
  for (const memberId of group.members.keys()) {
    const next = target.get(memberId) ?? emptyAssignment;
    if (!sameAssignment(group.target.get(memberId) ?? emptyAssignment, next)) changed.push(memberId);
    if (next.size > 0) group.target.set(memberId, next);
    else group.target.delete(memberId);
  }
  group.assignmentEpoch = group.groupEpoch;
  recordGroup(s, group);
  for (const memberId of changed) recordMember(s, group, group.members.get(memberId) as ConsumerMember);
}

/**
 * The topics changed (created, deleted, grown): every consumer group whose subscribed topics'
 * partition counts differ from what its target was computed from gets a new group epoch. The
 * target follows at the next heartbeat, as in Kafka.
 */
export function consumerTopicsChanged(s: CoordinatorState): void {
  for (const group of s.consumerGroups.values()) {
    if (group.members.size === 0) continue;
    if (!sameMetadata(subscriptionMetadataOf(s, group).metadata, group.subscriptionMetadata)) bumpGroupEpoch(s, group, 'metadataChanged');
  }
}

// ─── Removing members ─────────────────────────────────────────────────────────────────────────

export type ConsumerRemovalCause = 'leaveGroup' | 'sessionTimeout' | 'rebalanceTimeout';

/** Removes a member for good: its partitions become free, and the group epoch moves. */
export function fenceMember(s: CoordinatorState, group: ConsumerGroup, member: ConsumerMember, cause: ConsumerRemovalCause): void {
  removeMember(s, group, member, cause);
  bumpGroupEpoch(s, group, cause === 'leaveGroup' ? 'memberLeft' : 'sessionTimeout');
}

function removeMember(s: CoordinatorState, group: ConsumerGroup, member: ConsumerMember, cause: ConsumerRemovalCause | null): void {
  group.remove(member.memberId);
  s.cancel(consumerSessionKey(group.groupId, member.memberId));
  s.cancel(consumerRebalanceKey(group.groupId, member.memberId));
  s.record({ type: 'ConsumerMember', groupId: group.groupId, memberId: member.memberId, value: null });
  if (cause !== null) s.emit({ type: 'memberRemoved', groupId: group.groupId, memberId: member.memberId, groupInstanceId: member.instanceId, cause });
}

export function onConsumerSessionExpired(s: CoordinatorState, groupId: string, memberId: string): void {
  const group = s.consumerGroups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined) return;
  fenceMember(s, group, member, 'sessionTimeout');
}

export function onConsumerRebalanceExpired(s: CoordinatorState, groupId: string, memberId: string, memberEpoch: number): void {
  const group = s.consumerGroups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined || member.memberEpoch !== memberEpoch) return;
  fenceMember(s, group, member, 'rebalanceTimeout');
}

/**
 * Rebalance telemetry, as for classic groups: once a group whose epoch moved is Stable (or Empty)
 * again, one event with the cause and the time from the first epoch bump until every member had
 * reconciled. Called at the end of every consumer-protocol call and timer.
 */
export function emitSettledRebalances(s: CoordinatorState): void {
  for (const groupId of s.rebalancingConsumerGroups) {
    const group = s.consumerGroups.get(groupId);
    if (group === undefined || group.rebalance === null) {
      s.rebalancingConsumerGroups.delete(groupId);
      continue;
    }
    const state = group.state();
    if (state !== 'Stable' && state !== 'Empty') continue;
    s.emit({
      type: 'rebalance',
      groupId: group.groupId,
      generationId: group.groupEpoch,
      reason: group.rebalance.reason,
      members: [...group.members.keys()],
      durationMs: s.nowMs - group.rebalance.startMs,
    });
    group.rebalance = null;
    s.rebalancingConsumerGroups.delete(groupId);
  }
}

// ─── Records ──────────────────────────────────────────────────────────────────────────────────

export function recordGroup(s: CoordinatorState, group: ConsumerGroup): void {
  s.record({
    type: 'ConsumerGroup',
    groupId: group.groupId,
    value: {
      groupEpoch: group.groupEpoch,
      assignmentEpoch: group.assignmentEpoch,
      stateTimestampMs: group.stateTimestampMs,
      subscriptionMetadata: [...group.subscriptionMetadata],
    },
  });
}

export function recordMember(s: CoordinatorState, group: ConsumerGroup, member: ConsumerMember): void {
  s.record({ type: 'ConsumerMember', groupId: group.groupId, memberId: member.memberId, value: memberValue(group, member) });
}

export function memberValue(group: ConsumerGroup, member: ConsumerMember): ConsumerMemberValue {
  return {
    instanceId: member.instanceId,
    rackId: member.rackId,
    clientId: member.clientId,
    clientHost: member.clientHost,
    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
    subscribedTopicNames: member.subscribedTopicNames,
    subscribedTopicRegex: member.subscribedTopicRegex,
    serverAssignor: member.serverAssignor,
    memberEpoch: member.memberEpoch,
    previousMemberEpoch: member.previousMemberEpoch,
    state: member.state,
    assigned: [...member.assigned],
    pendingRevocation: [...member.pendingRevocation],
    target: [...(group.target.get(member.memberId) ?? emptyAssignment)],
  };
}

export function topicPartitions(assignment: TopicAssignment): ConsumerTopicPartitions[] {
  return [...assignment].map(([topic, partitions]) => ({ topic, partitions }));
}

export { errorCodeName };
