// What the consumer member state machine (member_state.ts) sends and what it is told back, as
// version-independent objects. Field names are Kafka's and match the coordinator's shapes in
// core/group/group_api.ts; the responses here are the subsets a member reads, so a coordinator
// response object can be passed as it is. The client maps these to wire requests of whatever
// version the connection negotiated.

import type { LanesError } from '../errors.js';
import type { TopicPartitions } from '../assignors/consumer_protocol.js';
import type { OffsetCommitRequest } from '../group/group_api.js';

export interface JoinGroupProtocol {
  readonly name: string;
  /** ConsumerProtocolSubscription bytes for this assignor. */
  readonly metadata: Uint8Array;
}

export interface JoinGroupRequest {
  readonly groupId: string;
  /** Empty for a member that has none yet (first join, or after UNKNOWN_MEMBER_ID). */
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly protocolType: 'consumer';
  /** Preferred first: the coordinator picks the one every member offers with the most votes. */
  readonly protocols: readonly JoinGroupProtocol[];
  /** KIP-800: why the member (re)joins, for the coordinator's log. */
  readonly reason: string;
}

export interface SyncGroupAssignment {
  readonly memberId: string;
  /** ConsumerProtocolAssignment bytes. */
  readonly assignment: Uint8Array;
}

export interface SyncGroupRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly protocolType: 'consumer';
  readonly protocolName: string;
  /** The leader's assignment of every member; empty from followers. */
  readonly assignments: readonly SyncGroupAssignment[];
}

export interface HeartbeatRequest {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export interface LeaveGroupRequest {
  readonly groupId: string;
  readonly members: readonly { readonly memberId: string; readonly groupInstanceId: string | null; readonly reason: string }[];
}

// The commit shapes are the coordinator's own: one definition for both ends of the request.
export type { OffsetCommitPartition, OffsetCommitTopic, OffsetCommitRequest } from '../group/group_api.js';
export type MemberRequest =
  | { readonly api: 'JoinGroup'; readonly body: JoinGroupRequest }
  | { readonly api: 'SyncGroup'; readonly body: SyncGroupRequest }
  | { readonly api: 'Heartbeat'; readonly body: HeartbeatRequest }
  | { readonly api: 'LeaveGroup'; readonly body: LeaveGroupRequest }
  | { readonly api: 'OffsetCommit'; readonly body: OffsetCommitRequest };

export type MemberApi = MemberRequest['api'];

export interface JoinGroupResponseMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly metadata: Uint8Array;
}

export interface JoinGroupResponse {
  readonly errorCode: number;
  readonly generationId: number;
  readonly protocolName: string | null;
  readonly leader: string;
  /** KIP-814: a static leader that rejoined is told not to assign (the group kept its assignment). */
  readonly skipAssignment?: boolean;
  readonly memberId: string;
  /** Every member with its metadata for the chosen protocol; the leader's response only. */
  readonly members: readonly JoinGroupResponseMember[];
}

export interface SyncGroupResponse {
  readonly errorCode: number;
  /** This member's ConsumerProtocolAssignment bytes; empty means nothing assigned. */
  readonly assignment: Uint8Array;
}

export interface HeartbeatResponse {
  readonly errorCode: number;
}

export interface LeaveGroupResponse {
  readonly errorCode: number;
}

export interface OffsetCommitResponse {
  readonly topics: readonly {
    readonly name: string;
    readonly partitions: readonly { readonly partitionIndex: number; readonly errorCode: number }[];
  }[];
}

/** Instrumentation events, named as kafkajs's consumer.events. */
export type MemberEvent =
  | {
      readonly type: 'GROUP_JOIN';
      readonly generationId: number;
      readonly memberId: string;
      readonly leaderId: string;
      readonly isLeader: boolean;
      readonly groupProtocol: string;
      readonly memberAssignment: readonly TopicPartitions[];
    }
  | { readonly type: 'REBALANCING'; readonly memberId: string; readonly reason: string }
  | { readonly type: 'HEARTBEAT'; readonly memberId: string; readonly generationId: number }
  /** The member left the group without stopping (max.poll.interval.ms exceeded). */
  | { readonly type: 'GROUP_LEAVE'; readonly memberId: string; readonly reason: string }
  /** The coordinator is unavailable or moved: rediscover it before the retry at `retryAtMs`. */
  | { readonly type: 'COORDINATOR_UNAVAILABLE'; readonly errorCode: number; readonly retryAtMs: number }
  /** A fatal error: the member stopped taking part and will not retry (kafkajs's CRASH, restart false). */
  | { readonly type: 'CRASH'; readonly error: LanesError; readonly restart: false }
  | { readonly type: 'STOP' };

/**
 * What the caller must do, in this order. Callback effects (revoked, assigned, lost) are
 * awaited before the next effect runs: an eager member's JoinGroup must not leave before
 * onPartitionsRevoked has committed, or another member may start from older offsets.
 */
export type MemberEffect =
  | { readonly type: 'send'; readonly requestId: number; readonly request: MemberRequest }
  /** onPartitionsRevoked: the member gives these up cleanly (commit first, then stop fetching). */
  | { readonly type: 'revoked'; readonly partitions: readonly TopicPartitions[] }
  /** onPartitionsAssigned: only the partitions new to this member. */
  | { readonly type: 'assigned'; readonly partitions: readonly TopicPartitions[] }
  /** onPartitionsLost: these already belong to someone else; do not commit for them. */
  | { readonly type: 'lost'; readonly partitions: readonly TopicPartitions[] }
  | { readonly type: 'event'; readonly event: MemberEvent }
  /** The leader assigns over these topics: keep their metadata fresh (metadataChanged). */
  | { readonly type: 'watchTopics'; readonly topics: readonly string[] }
  /** An OffsetCommit finished; errorCode is the first error of any partition, or NONE. */
  | { readonly type: 'commitCompleted'; readonly requestId: number; readonly errorCode: number; readonly response: OffsetCommitResponse | null }
  /** commitOffsets could not send: no generation (UNKNOWN_MEMBER_ID) or mid-rebalance (REBALANCE_IN_PROGRESS). */
  | { readonly type: 'commitRefused'; readonly errorCode: number };

/** KafkaJS's subscribe({ topics }): names, or patterns matched against the topics in metadata. */
export interface MemberSubscription {
  readonly topics: readonly (string | RegExp)[];
}
