// What the consumer group member state machines (member_state.ts, consumer_member_state.ts) ask
// their caller to do and tell their listeners: effects, events and the subscription. The requests
// and responses they exchange with the coordinator are core/group/group_api.ts's shapes.

import type { TopicPartitions } from '../assignors/consumer_protocol.js';
import type { LanesError } from '../errors.js';
import type { ConsumerGroupHeartbeatRequest, MemberRequest, OffsetCommitRequest, OffsetCommitResponse } from '../group/group_api.js';

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

/** The effects both member state machines hand out: all but their own requests (member_machine.ts). */
export type SharedMemberEffect = Exclude<MemberEffect, { readonly type: 'send' }>;

/** KafkaJS's subscribe({ topics }): names, or patterns matched against the topics in metadata. */
export interface MemberSubscription {
  readonly topics: readonly (string | RegExp)[];
}

// ─── The consumer group protocol (KIP-848) member: consumer_member_state.ts ──────────────────

/** A ConsumerGroupHeartbeat as the member sends it: the client adds who it is. */
export type MemberConsumerGroupHeartbeatRequest = Omit<ConsumerGroupHeartbeatRequest, 'clientId' | 'clientHost'>;

/** A request a consumer-protocol member asks its client to send. */
export type ConsumerMemberRequest =
  | { readonly api: 'ConsumerGroupHeartbeat'; readonly body: MemberConsumerGroupHeartbeatRequest }
  | { readonly api: 'OffsetCommit'; readonly body: OffsetCommitRequest };

/**
 * The consumer-protocol member's effects: the classic ones (its own requests), plus a marker that
 * the caller answers with `callbacksCompleted(callbackId)` once every callback effect before it
 * has returned. The member acknowledges a revocation to the coordinator, or leaves, only then:
 * never while onPartitionsRevoked may still be consuming or committing.
 */
export type ConsumerMemberEffect =
  | SharedMemberEffect
  | { readonly type: 'send'; readonly requestId: number; readonly request: ConsumerMemberRequest }
  | { readonly type: 'callbacksDone'; readonly callbackId: number };
