// The calls the host makes of a shard's group coordinator: the one list of them, each method with
// the request it takes and the result it answers (group_api.ts types). Everything that restates
// the group API derives from this map:
//
//   Call bodies    what crosses to the group actor: `{ method, args: [request] }` for one method
//                  here (actors/call_body.ts, CallBodyOf<GroupCalls>), v8-serialized
//   GroupFacade    what the group handlers call (the host Broker satisfies it; core/handlers/handler.ts)
//   GroupPortApi   the subset the KafkaJS-shaped client's BrokerPort carries
//
// and the group actor dispatches each method through one table typed by it, so adding a call
// here is a compile error everywhere it is not handled yet.

import type {
  ConsumerGroupHeartbeatRequest,
  ConsumerGroupHeartbeatResponse,
  DescribedConsumerGroup,
  DeletedGroup,
  DescribedGroup,
  GroupReply,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListedGroup,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetDeleteRequest,
  OffsetDeleteResponse,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
  TxnOffsetCommitMember,
  TxnOffsetsCommitRequest,
} from './group_api.js';

/** Each group coordinator call: its request and what one shard's coordinator answers. */
export type GroupCalls = {
  joinGroup: { request: JoinGroupRequest; result: JoinGroupResponse };
  syncGroup: { request: SyncGroupRequest; result: SyncGroupResponse };
  heartbeat: { request: HeartbeatRequest; result: HeartbeatResponse };
  leaveGroup: { request: LeaveGroupRequest; result: LeaveGroupResponse };
  offsetCommit: { request: OffsetCommitRequest; result: OffsetCommitResponse };
  offsetFetch: { request: OffsetFetchRequest; result: OffsetFetchResponse };
  offsetDelete: { request: OffsetDeleteRequest; result: OffsetDeleteResponse };
  /** A committed transaction's offsets, from the host's transaction marker writer. */
  txnOffsetsCommit: { request: TxnOffsetsCommitRequest; result: OffsetCommitResponse };
  /** TxnOffsetCommit v3+: the error code for the member and generation it names (0: may stage). */
  validateTxnOffsetCommit: { request: TxnOffsetCommitMember; result: number };
  /** Group ids; the host asks each id of its own shard. */
  describeGroups: { request: readonly string[]; result: readonly DescribedGroup[] };
  /** ListGroups v4 states filter (empty: all); every shard is asked. */
  listGroups: { request: readonly string[]; result: ListGroupsResponse };
  deleteGroups: { request: readonly string[]; result: readonly DeletedGroup[] };
  /** KIP-848's one membership call; topics by name (the wire layer maps ids). */
  consumerGroupHeartbeat: { request: ConsumerGroupHeartbeatRequest; result: ConsumerGroupHeartbeatResponse };
  /** Group ids; the host asks each id of its own shard. */
  consumerGroupDescribe: { request: readonly string[]; result: readonly DescribedConsumerGroup[] };
};

export type GroupMethod = keyof GroupCalls;
export type GroupRequestOf<M extends GroupMethod> = GroupCalls[M]['request'];
export type GroupResultOf<M extends GroupMethod> = GroupCalls[M]['result'];

/** Every method, at run time (a record, so a method missing here does not compile). */
const methodSet: Record<GroupMethod, true> = {
  joinGroup: true,
  syncGroup: true,
  heartbeat: true,
  leaveGroup: true,
  offsetCommit: true,
  offsetFetch: true,
  offsetDelete: true,
  txnOffsetsCommit: true,
  validateTxnOffsetCommit: true,
  describeGroups: true,
  listGroups: true,
  deleteGroups: true,
  consumerGroupHeartbeat: true,
  consumerGroupDescribe: true,
};

export const groupMethods: readonly GroupMethod[] = Object.keys(methodSet) as GroupMethod[];

export function isGroupMethod(method: string): method is GroupMethod {
  return Object.hasOwn(methodSet, method);
}

/**
 * What the host answers for each call: the shard's result, except ListGroups, which the host
 * asks of every shard and merges into one list sorted by group id.
 */
export type GroupHostResultOf<M extends GroupMethod> = M extends 'listGroups' ? readonly ListedGroup[] : GroupResultOf<M>;

/** The group API as a set of async methods, one per call in `Ms`. */
export type GroupMethods<Ms extends GroupMethod> = { [M in Ms]: (request: GroupRequestOf<M>) => Promise<GroupHostResultOf<M>> };

/** The group coordinator side of the broker: what the wire handlers call. */
export type GroupFacade = GroupMethods<GroupMethod>;

/**
 * The calls the client's BrokerPort carries as they are; ListGroups it answers in its own shape
 * (the wire's ListGroups before v4 has no state), OffsetDelete it does not use, transaction
 * offsets reach groups only through the transaction coordinator, and ConsumerGroupDescribe is
 * for tools.
 */
export type GroupPortApi = GroupMethods<Exclude<GroupMethod, 'listGroups' | 'offsetDelete' | 'txnOffsetsCommit' | 'validateTxnOffsetCommit' | 'consumerGroupDescribe'>>;

// A state-changing call is answered through a GroupReply (possibly in a later call's result):
// each reply's response must be the result its method promises the host.
type ReplyResponse<Api extends GroupReply['api']> = Extract<GroupReply, { api: Api }>['response'];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const repliesMatchResults: {
  joinGroup: Same<ReplyResponse<'JoinGroup'>, GroupResultOf<'joinGroup'>>;
  syncGroup: Same<ReplyResponse<'SyncGroup'>, GroupResultOf<'syncGroup'>>;
  heartbeat: Same<ReplyResponse<'Heartbeat'>, GroupResultOf<'heartbeat'>>;
  leaveGroup: Same<ReplyResponse<'LeaveGroup'>, GroupResultOf<'leaveGroup'>>;
  offsetCommit: Same<ReplyResponse<'OffsetCommit'>, GroupResultOf<'offsetCommit'>>;
  offsetDelete: Same<ReplyResponse<'OffsetDelete'>, GroupResultOf<'offsetDelete'>>;
  deleteGroups: Same<ReplyResponse<'DeleteGroups'>, GroupResultOf<'deleteGroups'>>;
  consumerGroupHeartbeat: Same<ReplyResponse<'ConsumerGroupHeartbeat'>, GroupResultOf<'consumerGroupHeartbeat'>>;
} = { joinGroup: true, syncGroup: true, heartbeat: true, leaveGroup: true, offsetCommit: true, offsetDelete: true, deleteGroups: true, consumerGroupHeartbeat: true };
void repliesMatchResults;
