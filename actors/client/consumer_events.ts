// The consumer's instrumentation events (KafkaJS's consumer.events plus Lanes' own) and the emitter
// every part of the consumer reports through. A listener that throws is logged, never let through
// into the consumer's loops.

import { EventEmitter } from 'node:events';
import type { MemberEvent } from '../../core/client/member_effects.js';
import type { Logger } from '../logger.js';
import type { InstrumentationEvent, RemoveInstrumentationEventListener } from './types.js';

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
} as const;

export type ConsumerEventName = (typeof consumerEvents)[keyof typeof consumerEvents];

export class ConsumerEmitter {
  readonly #emitter = new EventEmitter();
  readonly #logger: Logger;
  #eventId = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
    this.#emitter.setMaxListeners(0);
  }

  on<T = unknown>(eventName: ConsumerEventName, listener: (event: InstrumentationEvent<T>) => void): RemoveInstrumentationEventListener {
    if (!Object.values(consumerEvents).includes(eventName)) throw new RangeError(`unknown consumer event ${String(eventName)}`);
    this.#emitter.on(eventName, listener);
    return () => this.#emitter.off(eventName, listener);
  }

  /** Whether anyone listens: payloads that cost something to build are built only then. */
  listened(type: ConsumerEventName): boolean {
    return this.#emitter.listenerCount(type) > 0;
  }

  emit(type: ConsumerEventName, payload: unknown): void {
    if (this.#emitter.listenerCount(type) === 0) return;
    const event: InstrumentationEvent<unknown> = { id: this.#eventId++, type, timestamp: Date.now(), payload };
    try {
      this.#emitter.emit(type, event);
    } catch (error) {
      this.#logger.error({ err: error, event: type }, 'an instrumentation listener threw');
    }
  }
}

/** The member's instrumentation events, in KafkaJS's payload shapes. */
export function emitMemberEvent(emitter: ConsumerEmitter, groupId: string, event: MemberEvent): void {
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
