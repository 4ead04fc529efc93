// The consumer's instrumentation events (KafkaJS's consumer.events plus Lanes' own) and the emitter
// every part of the consumer reports through (instrumentation.ts's, whose listeners' failures are
// logged, never let through into the consumer's loops).

import type { MemberEvent } from '../../core/client/member_effects.js';
import type { Logger } from '../logger.js';
import { consumerRequestEvents, InstrumentationEmitter } from './instrumentation.js';

/** KafkaJS's consumer.events, plus Lanes' own (GROUP_LEAVE, PARTITIONS_*, LAG, DEAD_LETTER, COMMIT_OFFSETS_FAILED). */
export const consumerEvents = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  GROUP_LEAVE: 'consumer.group_leave',
  PARTITIONS_ASSIGNED: 'consumer.partitions_assigned',
  PARTITIONS_REVOKED: 'consumer.partitions_revoked',
  PARTITIONS_LOST: 'consumer.partitions_lost',
  COMMIT_OFFSETS_FAILED: 'consumer.commit_offsets_failed',
  LAG: 'consumer.lag',
  DEAD_LETTER: 'consumer.dead_letter',
  ...consumerRequestEvents,
} as const;

export type ConsumerEventName = (typeof consumerEvents)[keyof typeof consumerEvents];

export class ConsumerEmitter extends InstrumentationEmitter<ConsumerEventName> {
  constructor(logger: Logger) {
    super(consumerEvents, logger);
  }
}

/**
 * The member's instrumentation events, in KafkaJS's payload shapes. `joinDurationMs`: for
 * GROUP_JOIN, the time since the member began joining (KafkaJS's `duration`).
 */
export function emitMemberEvent(emitter: ConsumerEmitter, groupId: string, event: MemberEvent, joinDurationMs: number): void {
  switch (event.type) {
    case 'GROUP_JOIN': {
      const memberAssignment: Record<string, number[]> = {};
      for (const { topic, partitions } of event.memberAssignment) memberAssignment[topic] = [...partitions];
      emitter.emit(consumerEvents.GROUP_JOIN, {
        groupId,
        memberId: event.memberId,
        leaderId: event.leaderId,
        isLeader: event.isLeader,
        groupProtocol: event.groupProtocol,
        generationId: event.generationId,
        memberAssignment,
        duration: joinDurationMs,
      });
      break;
    }
    case 'REBALANCING':
      emitter.emit(consumerEvents.REBALANCING, { groupId, memberId: event.memberId, reason: event.reason });
      break;
    case 'HEARTBEAT':
      emitter.emit(consumerEvents.HEARTBEAT, { groupId, memberId: event.memberId, groupGenerationId: event.generationId });
      break;
    case 'GROUP_LEAVE':
      emitter.emit(consumerEvents.GROUP_LEAVE, { groupId, memberId: event.memberId, reason: event.reason });
      break;
    default:
      break;
  }
}
