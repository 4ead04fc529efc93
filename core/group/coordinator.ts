// The classic group coordinator for the groups one shard owns: JoinGroup, SyncGroup, Heartbeat,
// LeaveGroup, OffsetCommit/Fetch/Delete, DescribeGroups, ListGroups and DeleteGroups, after
// Kafka's group coordinator (classic part). This is the facade the group actor calls; the work is
// split as Kafka splits it:
//
//   membership.ts      JoinGroup, SyncGroup, Heartbeat, LeaveGroup: validate, decide
//   rebalance.ts       join and sync phases, member removal, the timers (GroupMetadataManager)
//   offsets.ts         OffsetCommit, OffsetFetch, OffsetDelete (OffsetMetadataManager)
//   group_replay.ts    loading state from the offsets log's records, and the durable snapshot
//   coordinator_state.ts  what they share: groups, timers, parked requests, the call's result
//
// Pure and deterministic: every call takes `nowMs`, nothing awaits, nothing reads a clock. A call
// returns a GroupResult: replies (a JoinGroup or SyncGroup may be parked and answered in a later
// call's replies, `tick` included), records to persist, and telemetry events. Each call first
// fires the timers already due at `nowMs`, so the answer never depends on how often the shard
// ticks: a heartbeat that arrives after its member's session timeout is answered as if the expiry
// had run on time.

import { assert, verify } from '../assert.js';
import { ErrorCode } from '../errors.js';
import {
  compareStrings,
  CoordinatorState,
  emptyBytes,
  emptyResult,
  pendingKey,
  type GroupCoordinatorOptions,
  type GroupResult,
} from './coordinator_state.js';
import type {
  ConsumerGroupHeartbeatRequest,
  DescribedConsumerGroup,
  DeletedGroup,
  DescribedGroup,
  HeartbeatRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  ListedGroup,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetDeleteRequest,
  OffsetFetchRequest,
  OffsetFetchTopicResponse,
  RequestId,
  SyncGroupRequest,
  TxnOffsetCommitMember,
  TxnOffsetsCommitRequest,
} from './group_api.js';
import type { GroupConfig } from './group_config.js';
import type { GroupRecord } from './group_record.js';
import { replayRecords, snapshotOf, type GroupSnapshot } from './group_replay.js';
import type { GroupState } from './group_state.js';
import { handleHeartbeat, handleJoinGroup, handleLeaveGroup, handleSyncGroup } from './membership.js';
import { deleteAllOffsets, handleOffsetCommit, handleOffsetDelete, handleTxnOffsetsCommit, offsetFetch, validateTxnOffsetCommit } from './offsets.js';
import { fireDueTimers, joinError } from './rebalance.js';
import { consumerTopicsChanged, emitSettledRebalances, handleConsumerHeartbeat } from './consumer/consumer_heartbeat.js';
import { deleteConsumerGroup, describeConsumerGroup, yieldToClassicJoin } from './consumer/consumer_groups.js';
import { consumerSnapshotOf, type ConsumerGroupSnapshot } from './consumer/consumer_snapshot.js';
import { consumerProtocolType } from './group.js';

export type { GroupCoordinatorOptions, GroupResult } from './coordinator_state.js';
export type { GroupSnapshot } from './group_replay.js';
export type { ConsumerGroupSnapshot } from './consumer/consumer_snapshot.js';

export class GroupCoordinator {
  readonly config: GroupConfig;
  readonly #state: CoordinatorState;

  constructor(options: GroupCoordinatorOptions) {
    this.#state = new CoordinatorState(options);
    this.config = this.#state.config;
  }

  /**
   * Rebuilds a coordinator from records in log order (after compaction or not): group_replay.ts.
   * Member session timers start at `nowMs`.
   */
  static replay(records: Iterable<GroupRecord>, nowMs: number, options: GroupCoordinatorOptions): GroupCoordinator {
    const coordinator = new GroupCoordinator(options);
    coordinator.#state.nowMs = nowMs;
    replayRecords(coordinator.#state, records);
    return coordinator;
  }

  // ─── Calls that may change state return a GroupResult ───────────────────────────────────────

  joinGroup(nowMs: number, requestId: RequestId, request: JoinGroupRequest): GroupResult {
    this.#begin(nowMs);
    const refused = yieldToClassicJoin(this.#state, request.groupId);
    if (refused === ErrorCode.NONE) handleJoinGroup(this.#state, requestId, request);
    else this.#state.reply({ requestId, api: 'JoinGroup', response: joinError(request.memberId, refused) });
    // A refused join may leave the classic group that took over an empty consumer group vacant.
    const group = this.#state.groups.get(request.groupId);
    if (group !== undefined) this.#state.forgetIfVacant(group);
    return this.#finish();
  }

  /** KIP-848: consumer_heartbeat.ts. */
  consumerGroupHeartbeat(nowMs: number, requestId: RequestId, request: ConsumerGroupHeartbeatRequest): GroupResult {
    this.#begin(nowMs);
    handleConsumerHeartbeat(this.#state, requestId, request);
    return this.#finish();
  }

  /**
   * The shard's topics changed (created, deleted, partitions added): consumer groups subscribed
   * to a changed topic get a new group epoch, so their next heartbeat re-targets them.
   */
  topicsChanged(nowMs: number): GroupResult {
    this.#begin(nowMs);
    consumerTopicsChanged(this.#state);
    return this.#finish();
  }

  syncGroup(nowMs: number, requestId: RequestId, request: SyncGroupRequest): GroupResult {
    this.#begin(nowMs);
    handleSyncGroup(this.#state, requestId, request);
    return this.#finish();
  }

  heartbeat(nowMs: number, requestId: RequestId, request: HeartbeatRequest): GroupResult {
    this.#begin(nowMs);
    this.#state.reply({ requestId, api: 'Heartbeat', response: { errorCode: handleHeartbeat(this.#state, request) } });
    return this.#finish();
  }

  leaveGroup(nowMs: number, requestId: RequestId, request: LeaveGroupRequest): GroupResult {
    this.#begin(nowMs);
    handleLeaveGroup(this.#state, requestId, request);
    return this.#finish();
  }

  offsetCommit(nowMs: number, requestId: RequestId, request: OffsetCommitRequest): GroupResult {
    this.#begin(nowMs);
    handleOffsetCommit(this.#state, requestId, request);
    return this.#finish();
  }

  /** A committed transaction's offsets (offsets.ts, handleTxnOffsetsCommit). */
  txnOffsetsCommit(nowMs: number, requestId: RequestId, request: TxnOffsetsCommitRequest): GroupResult {
    this.#begin(nowMs);
    handleTxnOffsetsCommit(this.#state, requestId, request);
    return this.#finish();
  }

  /** TxnOffsetCommit v3+: the member and generation it names, checked (offsets.ts). */
  validateTxnOffsetCommit(request: TxnOffsetCommitMember): number {
    return validateTxnOffsetCommit(this.#state, request);
  }

  offsetDelete(nowMs: number, requestId: RequestId, request: OffsetDeleteRequest): GroupResult {
    this.#begin(nowMs);
    handleOffsetDelete(this.#state, requestId, request);
    return this.#finish();
  }

  deleteGroups(nowMs: number, requestId: RequestId, groupIds: readonly string[]): GroupResult {
    this.#begin(nowMs);
    const response: DeletedGroup[] = groupIds.map((groupId) => ({ groupId, errorCode: this.#deleteGroup(groupId) }));
    this.#state.reply({ requestId, api: 'DeleteGroups', response });
    return this.#finish();
  }

  /** Fires every timer due at `nowMs`. The shard calls it at `nextDeadlineMs()`. */
  tick(nowMs: number): GroupResult {
    this.#begin(nowMs);
    return this.#finish();
  }

  /** Requests parked and not answered yet: whoever takes the coordinator out of service answers them. */
  parkedRequests(): RequestId[] {
    return [...this.#state.parked];
  }

  nextDeadlineMs(): number | undefined {
    return this.#state.timers.nextDeadlineMs();
  }

  // ─── Read-only queries answer directly ──────────────────────────────────────────────────────

  offsetFetch(request: OffsetFetchRequest): { errorCode: number; topics: OffsetFetchTopicResponse[] } {
    return offsetFetch(this.#state, request);
  }

  describeGroups(groupIds: readonly string[]): DescribedGroup[] {
    return groupIds.map((groupId) => this.#describeGroup(groupId));
  }

  consumerGroupDescribe(groupIds: readonly string[]): DescribedConsumerGroup[] {
    return groupIds.map((groupId) => describeConsumerGroup(this.#state, groupId));
  }

  /**
   * `statesFilter` (ListGroups v4+) matches state names case-insensitively; empty means all.
   * Both kinds of group, each with its type (the v5 types filter is applied by the caller).
   */
  listGroups(statesFilter: readonly string[] = []): ListGroupsResponse {
    const wanted = new Set(statesFilter.map((state) => state.toLowerCase()));
    const groups: ListedGroup[] = [];
    for (const group of this.#state.groups.values()) {
      groups.push({ groupId: group.groupId, protocolType: group.protocolType ?? '', groupState: group.state, groupType: 'classic' });
    }
    for (const group of this.#state.consumerGroups.values()) {
      groups.push({ groupId: group.groupId, protocolType: consumerProtocolType, groupState: group.state(), groupType: 'consumer' });
    }
    const listed = groups
      .filter((group) => wanted.size === 0 || wanted.has(group.groupState.toLowerCase()))
      .sort((a, b) => compareStrings(a.groupId, b.groupId));
    return { errorCode: ErrorCode.NONE, groups: listed };
  }

  /** The state of one group, or undefined if the coordinator has none by that id. */
  groupState(groupId: string): GroupState | undefined {
    return this.#state.groups.get(groupId)?.state;
  }

  /** The durable view of every consumer-protocol group, sorted by id: what replay must rebuild. */
  consumerSnapshot(): ConsumerGroupSnapshot[] {
    return [...this.#state.consumerGroups.values()]
      .sort((a, b) => compareStrings(a.groupId, b.groupId))
      .map((group) => consumerSnapshotOf(group));
  }

  /** The durable view of every group, sorted by id: what replaying the records must rebuild. */
  snapshot(): GroupSnapshot[] {
    return [...this.#state.groups.values()]
      .sort((a, b) => compareStrings(a.groupId, b.groupId))
      .map((group) => snapshotOf(group));
  }

  /** Walks every group and timer: run only under `verify`. */
  checkInvariants(): void {
    this.#state.checkInvariants();
  }

  // ─── DescribeGroups and DeleteGroups ────────────────────────────────────────────────────────

  #describeGroup(groupId: string): DescribedGroup {
    const group = this.#state.groups.get(groupId);
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

  #deleteGroup(groupId: string): number {
    const s = this.#state;
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const consumerGroup = s.consumerGroups.get(groupId);
    if (consumerGroup !== undefined) return deleteConsumerGroup(s, consumerGroup, (holder) => deleteAllOffsets(s, holder));
    const group = s.groups.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    deleteAllOffsets(s, group);
    s.record({ type: 'GroupMetadata', groupId, value: null });
    for (const memberId of group.pendingMembers) s.cancel(pendingKey(groupId, memberId));
    group.transitionTo('Dead', s.nowMs);
    s.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  // ─── Plumbing ───────────────────────────────────────────────────────────────────────────────

  #begin(nowMs: number): void {
    const s = this.#state;
    assert(Number.isFinite(nowMs), `nowMs ${nowMs} is not a finite time`);
    // A wall clock may step back; time here never does, or deadlines would fire twice.
    s.nowMs = Math.max(s.nowMs, nowMs);
    s.out = emptyResult();
    fireDueTimers(s);
  }

  #finish(): GroupResult {
    const s = this.#state;
    // The call may have set a deadline that is already due (an initial delay of 0): honour it
    // now rather than leave an answer waiting for the next tick.
    fireDueTimers(s);
    emitSettledRebalances(s);
    const out = s.out;
    s.out = emptyResult();
    if (verify) s.checkInvariants();
    return out;
  }
}
