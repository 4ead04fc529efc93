// The group coordinator's requests and responses: version-independent domain objects, the one
// definition of them for both ends. The wire layer maps each API's codec structs (any version) to
// these and back; fields a version lacks arrive with the default Kafka gives them (groupInstanceId
// null before JoinGroup v5, etc.). The consumer member (core/client/member_state.ts) sends the
// same shapes and reads subsets of the responses (`Member…` below), so a coordinator's response
// object can be handed to it as it is.

import type { GroupState } from './group_state.js';

/** Opaque to the coordinator: it hands the id back with the reply, maybe in a later call. */
export type RequestId = number | string;

export interface JoinGroupProtocol {
  readonly name: string;
  readonly metadata: Uint8Array;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  /** Empty for a member joining for the first time. */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  /** v0 has none: the wire layer passes the session timeout, as Kafka does. */
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: string;
  readonly protocols: readonly JoinGroupProtocol[];
  readonly clientId: string;
  readonly clientHost: string;
  /** True from JoinGroup v4: a new dynamic member first gets MEMBER_ID_REQUIRED and an id. */
  readonly requireKnownMemberId: boolean;
  /** KIP-800 reason (v8+), kept for logs only. */
  readonly reason?: string | null;
}

export interface JoinGroupResponseMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Uint8Array;
}

export interface JoinGroupResponse {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly leader: string;
  /** KIP-814 (v9+): the leader is told not to compute an assignment (static leader rejoin). */
  readonly skipAssignment: boolean;
  readonly memberId: string;
  /** Every member with its metadata for the chosen protocol, for the leader only. */
  readonly members: readonly JoinGroupResponseMember[];
}

export interface SyncGroupAssignment {
  readonly memberId: string;
  readonly assignment: Uint8Array;
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  /** v5+; null when the request version has none, and then not checked. */
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  /** The leader's assignment; empty from followers. */
  readonly assignments: readonly SyncGroupAssignment[];
}

export interface SyncGroupResponse {
  readonly errorCode: number;
  readonly protocolType: string | null;
  readonly protocolName: string | null;
  readonly assignment: Uint8Array;
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  readonly errorCode: number;
}

export interface LeaveGroupMember {
  /** Empty when an admin removes a static member by its instance id (v3+). */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly reason?: string | null;
}

/** v0–v2 carry one member id: the wire layer passes it as a one-element `members`. */
export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly members: readonly LeaveGroupMember[];
}

export interface LeaveGroupMemberResponse {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly errorCode: number;
}

export interface LeaveGroupResponse {
  readonly errorCode: number;
  readonly members: readonly LeaveGroupMemberResponse[];
}

/**
 * The one error code a v0–v2 LeaveGroup response carries: the top-level error, else the single
 * member's. Those versions have no member list, so a per-member error must surface at the top.
 */
export function leaveGroupErrorCodeV0(response: LeaveGroupResponse): number {
  if (response.errorCode !== 0) return response.errorCode;
  return response.members.length === 0 ? 0 : response.members[0].errorCode;
}

export interface OffsetCommitPartition {
  readonly partitionIndex: number;
  readonly committedOffset: number;
  /** −1 when unknown (before v6, or the client did not know it). */
  readonly committedLeaderEpoch: number;
  readonly committedMetadata: string | null;
}

export interface OffsetCommitTopic {
  readonly name: string;
  readonly partitions: readonly OffsetCommitPartition[];
}

export interface OffsetCommitRequest {
  readonly groupId: string;
  /** −1 with an empty member id: a "simple" commit, allowed only for a group without members. */
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly topics: readonly OffsetCommitTopic[];
}

/**
 * The offsets a committed transaction staged (TxnOffsetCommit), handed to the group by the host
 * once the transaction is decided: stored as a commit, without a member to check.
 */
export type TxnOffsetsCommitRequest = Pick<OffsetCommitRequest, 'groupId' | 'topics'>;

/**
 * The consumer a TxnOffsetCommit (v3+, KIP-447) names: checked against the group before its offsets
 * are staged, so a zombie member (paused past a rebalance) cannot commit over its successor's.
 * generationId is the member epoch for a consumer-protocol group.
 */
export type TxnOffsetCommitMember = Pick<OffsetCommitRequest, 'groupId' | 'memberId' | 'generationId' | 'groupInstanceId'>;

export interface OffsetCommitPartitionResponse {
  readonly partitionIndex: number;
  readonly errorCode: number;
}

export interface OffsetCommitTopicResponse {
  readonly name: string;
  readonly partitions: readonly OffsetCommitPartitionResponse[];
}

export interface OffsetCommitResponse {
  readonly topics: readonly OffsetCommitTopicResponse[];
}

export interface OffsetFetchTopic {
  readonly name: string;
  readonly partitionIndexes: readonly number[];
}

export interface OffsetFetchRequest {
  readonly groupId: string;
  /** null: every partition the group has committed. */
  readonly topics: readonly OffsetFetchTopic[] | null;
  /** v9+: a consumer-protocol member fetching checks its epoch (absent or −1 with no id: admin). */
  readonly memberId?: string | null;
  readonly memberEpoch?: number;
}

export interface OffsetFetchPartitionResponse {
  readonly partitionIndex: number;
  /** −1 when nothing is committed. */
  readonly committedOffset: number;
  readonly committedLeaderEpoch: number;
  readonly metadata: string | null;
  readonly errorCode: number;
}

export interface OffsetFetchTopicResponse {
  readonly name: string;
  readonly partitions: readonly OffsetFetchPartitionResponse[];
}

export interface OffsetFetchResponse {
  readonly errorCode: number;
  readonly topics: readonly OffsetFetchTopicResponse[];
}

export interface OffsetDeleteRequest {
  readonly groupId: string;
  readonly topics: readonly OffsetFetchTopic[];
}

export interface OffsetDeleteResponse {
  readonly errorCode: number;
  readonly topics: readonly OffsetCommitTopicResponse[];
}

export interface DescribedGroupMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  /** The member's metadata for the chosen protocol; empty unless the group is Stable (Kafka). */
  readonly memberMetadata: Uint8Array;
  readonly memberAssignment: Uint8Array;
}

export interface DescribedGroup {
  readonly errorCode: number;
  readonly groupId: string;
  readonly groupState: GroupState;
  readonly protocolType: string;
  /** The chosen protocol's name; empty unless the group is Stable (Kafka). */
  readonly protocolData: string;
  readonly members: readonly DescribedGroupMember[];
}

export interface ListedGroup {
  readonly groupId: string;
  readonly protocolType: string;
  /** A classic group's GroupState, or a consumer group's (Empty, Assigning, Reconciling, Stable). */
  readonly groupState: GroupState | ConsumerGroupStateName;
  /** ListGroups v5: which protocol the group speaks. */
  readonly groupType: 'classic' | 'consumer';
}

/** Kafka's ConsumerGroupState names. */
export type ConsumerGroupStateName = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export interface ListGroupsResponse {
  readonly errorCode: number;
  readonly groups: readonly ListedGroup[];
}

export interface DeletedGroup {
  readonly groupId: string;
  readonly errorCode: number;
}

// ─── The consumer group protocol (KIP-848) ─────────────────────────────────────────────────────
// Topics are named here; the wire layer maps Kafka's topic ids to names and back.

export interface ConsumerTopicPartitions {
  readonly topic: string;
  readonly partitions: readonly number[];
}

/** ConsumerGroupHeartbeat: null fields did not change since the member's last heartbeat. */
export interface ConsumerGroupHeartbeatRequest {
  readonly groupId: string;
  /** Empty only when joining with a coordinator-made id (v0); v1 members make their own. */
  readonly memberId: string;
  /** 0 joins, −1 leaves, −2 leaves as a static member that will rejoin; else the member's epoch. */
  readonly memberEpoch: number;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  /** −1: unchanged. */
  readonly rebalanceTimeoutMs: number;
  readonly subscribedTopicNames: readonly string[] | null;
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  /** What the member owns now; null: unchanged since the last heartbeat. */
  readonly ownedPartitions: readonly ConsumerTopicPartitions[] | null;
  readonly clientId: string;
  readonly clientHost: string;
}

export interface ConsumerGroupHeartbeatResponse {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly memberId: string | null;
  readonly memberEpoch: number;
  readonly heartbeatIntervalMs: number;
  /** The partitions the member may consume now; null: unchanged. */
  readonly assignment: readonly ConsumerTopicPartitions[] | null;
}

export interface DescribedConsumerMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly memberEpoch: number;
  readonly clientId: string;
  readonly clientHost: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly assignment: readonly ConsumerTopicPartitions[];
  readonly targetAssignment: readonly ConsumerTopicPartitions[];
}

export interface DescribedConsumerGroup {
  readonly errorCode: number;
  readonly errorMessage: string | null;
  readonly groupId: string;
  readonly groupState: string;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly assignorName: string;
  readonly members: readonly DescribedConsumerMember[];
}

/** A reply for a request, possibly one parked by an earlier call. */
export type GroupReply =
  | { readonly requestId: RequestId; readonly api: 'JoinGroup'; readonly response: JoinGroupResponse }
  | { readonly requestId: RequestId; readonly api: 'SyncGroup'; readonly response: SyncGroupResponse }
  | { readonly requestId: RequestId; readonly api: 'Heartbeat'; readonly response: HeartbeatResponse }
  | { readonly requestId: RequestId; readonly api: 'LeaveGroup'; readonly response: LeaveGroupResponse }
  | { readonly requestId: RequestId; readonly api: 'OffsetCommit'; readonly response: OffsetCommitResponse }
  | { readonly requestId: RequestId; readonly api: 'OffsetDelete'; readonly response: OffsetDeleteResponse }
  | { readonly requestId: RequestId; readonly api: 'DeleteGroups'; readonly response: readonly DeletedGroup[] }
  | { readonly requestId: RequestId; readonly api: 'ConsumerGroupHeartbeat'; readonly response: ConsumerGroupHeartbeatResponse };

export type GroupApi = GroupReply['api'];

/**
 * A consumer member's JoinGroup: the client adds who it is (clientId, clientHost) and
 * requireKnownMemberId when it hands the request to a coordinator.
 */
export type MemberJoinGroupRequest = Omit<JoinGroupRequest, 'clientId' | 'clientHost' | 'requireKnownMemberId'>;

/** What a member reads of a JoinGroup answer; skipAssignment is absent before v9. */
export type MemberJoinGroupResponse = Omit<JoinGroupResponse, 'protocolType' | 'skipAssignment'> & { readonly skipAssignment?: boolean };
/** What a member reads of a SyncGroup answer: empty assignment bytes mean nothing assigned. */
export type MemberSyncGroupResponse = Pick<SyncGroupResponse, 'errorCode' | 'assignment'>;
/** What a member reads of a LeaveGroup answer. */
export type MemberLeaveGroupResponse = Pick<LeaveGroupResponse, 'errorCode'>;

/** A request a consumer member asks its client to send. */
export type MemberRequest =
  | { readonly api: 'JoinGroup'; readonly body: MemberJoinGroupRequest }
  | { readonly api: 'SyncGroup'; readonly body: SyncGroupRequest }
  | { readonly api: 'Heartbeat'; readonly body: HeartbeatRequest }
  | { readonly api: 'LeaveGroup'; readonly body: LeaveGroupRequest }
  | { readonly api: 'OffsetCommit'; readonly body: OffsetCommitRequest };

export type MemberApi = MemberRequest['api'];
