// Handing fetched records to the user's handler: eachMessage (record by record, retries and the
// dead-letter topic) or eachBatch (the KafkaJS batch payload), up to partitionsConsumedConcurrently
// partitions at once. A batch stops being delivered as soon as it goes stale (stopping, sought,
// revoked or paused); what was handled moves the partition's `resolved` and `position`.

import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../core/assert.js';
import { isLanesError, isMemberRefusalErrorCode, type LanesError } from '../../core/errors.js';
import type { ClientContext } from './lanes.js';
import type { OffsetCommitter } from './consumer_commits.js';
import { offsetsOf } from './consumer_commits.js';
import { consumerEvents, type ConsumerEmitter } from './consumer_events.js';
import type { ConsumerPartitions, PartitionState } from './consumer_partitions.js';
import type { FetchedRecords } from './messages.js';
import { Producer } from './producer.js';
import { nextRetryTime, type RetrySchedule } from '../../core/client/retry_schedule.js';
import type { Batch, ConsumerRunConfig, EachBatchPayload, KafkaMessage, Offsets } from './types.js';

/** Headers a dead-lettered record carries, besides its own. */
export const deadLetterHeaders = {
  topic: 'lanes.dlq.topic',
  partition: 'lanes.dlq.partition',
  offset: 'lanes.dlq.offset',
  error: 'lanes.dlq.error',
  attempts: 'lanes.dlq.attempts',
} as const;

const deadLetterDefaults = { attempts: 3, backoffMs: 100 } as const;

/** One partition's fetched records, to deliver while the partition's epoch stays `epoch`. */
export interface Work {
  readonly state: PartitionState;
  readonly epoch: number;
  readonly startOffset: number;
  readonly nextOffset: number;
  readonly highWatermark: number;
  /** Messages are made as they are handed out. */
  readonly records: FetchedRecords;
}

export interface DeliveryDeps {
  readonly groupId: string;
  readonly context: ClientContext;
  readonly emitter: ConsumerEmitter;
  readonly partitions: ConsumerPartitions;
  readonly committer: OffsetCommitter;
  readonly runConfig: () => ConsumerRunConfig;
  readonly running: () => boolean;
  /** KafkaJS's payload pause(): pauses the partition, returns its resume. */
  readonly pauseOne: (topic: string, partition: number) => () => void;
  /** How a record whose handler threw is delivered again (KafkaJS's retry options). */
  readonly retry: RetrySchedule;
  readonly restartOnFailure: ((error: Error) => Promise<boolean>) | undefined;
  /** The handler failed for good (restartOnFailure said no, or the error is a bug): stop consuming. */
  readonly crashed: () => void;
}

/**
 * The group refusing this member (a commit made in the handler while the group rebalances).
 * KafkaJS's runner rejoins on these instead of crashing ("The group is rebalancing, re-joining").
 */
const rebalanceRefusal = (error: unknown): error is LanesError => isLanesError(error) && isMemberRefusalErrorCode(error.errorCode);

/** KafkaJS's unrecoverable errors: a bug in the handler, not worth delivering the record again. */
const unrecoverableErrors = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

/** Whether a handler's error may go away on another delivery (KafkaJS: not a bug, not `retriable: false`). */
function recoverable(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  return !unrecoverableErrors.has(error.name) && (error as { retriable?: unknown }).retriable !== false;
}

export class RecordDelivery {
  readonly #deps: DeliveryDeps;
  #deadLetterProducer: Producer | null = null;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
  }

  async close(): Promise<void> {
    await this.#deadLetterProducer?.disconnect();
    this.#deadLetterProducer = null;
  }

  async process(work: Work[]): Promise<void> {
    const concurrency = this.#deps.runConfig().partitionsConsumedConcurrently ?? 1;
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const item = work[next++];
        await this.#processOne(item);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
  }

  async #processOne(work: Work): Promise<void> {
    const { state } = work;
    const { emitter } = this.#deps;
    if (state.epoch !== work.epoch || state.revoked) return;
    // One fetch result per partition per round, and a round waits for all it handed out.
    assert(state.processing === null, `${state.topic}[${state.partition}]: a second batch in hand`);
    let done!: () => void;
    state.processing = new Promise((resolve) => (done = resolve));
    const startedMs = Date.now();
    if (emitter.listened(consumerEvents.START_BATCH_PROCESS)) emitter.emit(consumerEvents.START_BATCH_PROCESS, { topic: state.topic, partition: state.partition, highWatermark: String(work.highWatermark), offsetLag: String(work.highWatermark - work.nextOffset), batchSize: work.records.count, firstOffset: String(work.records.offsetAt(0)), lastOffset: String(work.records.offsetAt(work.records.count - 1)) });
    try {
      if (this.#deps.runConfig().eachMessage !== undefined) await this.#eachMessage(work);
      else await this.#eachBatch(work);
    } finally {
      state.processing = null;
      done();
      emitter.emit(consumerEvents.END_BATCH_PROCESS, { topic: state.topic, partition: state.partition, batchSize: work.records.count, duration: Date.now() - startedMs });
    }
  }

  /** No more records of this batch may be delivered: stopping, sought, revoked or paused. */
  #stale(work: Work): boolean {
    return !this.#deps.running() || work.state.epoch !== work.epoch || work.state.revoked || this.#deps.partitions.isPaused(work.state);
  }

  async #eachMessage(work: Work): Promise<void> {
    const { state, records } = work;
    const eachMessage = this.#deps.runConfig().eachMessage!;
    // One pair of payload functions per batch, not per record.
    const heartbeat = async (): Promise<void> => {};
    const pause = () => this.#deps.pauseOne(state.topic, state.partition);
    for (let i = 0; i < records.count; i++) {
      const offset = records.offsetAt(i);
      if (this.#stale(work)) {
        // Paused or stopping: the next fetch starts at the first record not handed out. After a
        // seek or a revocation the position is no longer this batch's to set.
        if (state.epoch === work.epoch) state.position = offset;
        return;
      }
      // The first attempt inline: a handler that returns no promise costs no await, and one
      // that does costs one; retries and the dead-letter topic are the slow path.
      let failure: { error: unknown } | null = null;
      const message = records.messageAt(i);
      try {
        const result: unknown = eachMessage({ topic: state.topic, partition: state.partition, message, heartbeat, pause });
        if (result !== undefined && result !== null && typeof (result as PromiseLike<unknown>).then === 'function') await result;
      } catch (error) {
        failure = { error };
      }
      if (failure !== null && !(await this.#deliverAgain(work, message, offset, failure.error))) return;
      if (state.epoch !== work.epoch) return;
      if (state.handlerFailures > 0) {
        state.handlerFailures = 0;
        state.handlerRetryWaitMs = null;
      }
      state.resolved = offset + 1;
      state.position = offset + 1;
      this.#deps.committer.resolved(1);
    }
    if (state.epoch === work.epoch) state.position = work.nextOffset;
  }

  /** After a failed first attempt: retries and the dead-letter topic; false: stop this batch. */
  async #deliverAgain(work: Work, message: KafkaMessage, offset: number, error: unknown): Promise<boolean> {
    const { state } = work;
    if (rebalanceRefusal(error)) {
      this.#refusedByRebalance(state, offset, error);
      return false;
    }
    const deadLetter = this.#deps.runConfig().deadLetter;
    if (deadLetter === undefined) {
      await this.#handlerFailed(state, offset, error);
      return false;
    }
    const attemptsMax = deadLetter.maxAttempts ?? deadLetterDefaults.attempts;
    if (attemptsMax <= 1) return this.#deadLetter(state, message, offset, error, 1);
    await sleep(deadLetter.backoffMs ?? deadLetterDefaults.backoffMs);
    if (this.#stale(work)) {
      if (state.epoch === work.epoch) state.position = offset;
      return false;
    }
    return this.#deliver(work, message, 2);
  }

  async #deadLetter(state: PartitionState, message: KafkaMessage, offset: number, error: unknown, attempts: number): Promise<boolean> {
    try {
      await this.#sendToDeadLetter(state, message, error, attempts);
    } catch (produceError) {
      await this.#handlerFailed(state, offset, produceError);
      return false;
    }
    return true;
  }

  /** One record through eachMessage, with retries and the dead-letter topic; false: stop this batch. */
  async #deliver(work: Work, message: KafkaMessage, firstAttempt = 1): Promise<boolean> {
    const { state } = work;
    const run = this.#deps.runConfig();
    const deadLetter = run.deadLetter;
    const attemptsMax = deadLetter?.maxAttempts ?? deadLetterDefaults.attempts;
    for (let attempt = firstAttempt; ; attempt++) {
      try {
        await run.eachMessage!({
          topic: state.topic,
          partition: state.partition,
          message,
          heartbeat: async () => {},
          pause: () => this.#deps.pauseOne(state.topic, state.partition),
        });
        return true;
      } catch (error) {
        if (rebalanceRefusal(error)) {
          this.#refusedByRebalance(state, Number(message.offset), error);
          return false;
        }
        if (deadLetter === undefined) {
          await this.#handlerFailed(state, Number(message.offset), error);
          return false;
        }
        if (attempt < attemptsMax) {
          await sleep(deadLetter.backoffMs ?? deadLetterDefaults.backoffMs);
          if (this.#stale(work)) {
            if (state.epoch === work.epoch) state.position = Number(message.offset);
            return false;
          }
          continue;
        }
        try {
          await this.#sendToDeadLetter(state, message, error, attempt);
        } catch (produceError) {
          await this.#handlerFailed(state, Number(message.offset), produceError);
          return false;
        }
        return true;
      }
    }
  }

  /**
   * The handler threw for the record at `offset` (KafkaJS's retries): it is delivered again after
   * the retry schedule's next wait, up to `retry.retries` times in a row; then CRASH, and
   * `restartOnFailure` decides whether it is delivered again (the schedule starts over) or the
   * consumer stops. An error that is a bug (TypeError and the like) or says `retriable: false`
   * stops it at once, as KafkaJS does.
   */
  async #handlerFailed(state: PartitionState, offset: number, error: unknown): Promise<void> {
    const { retry, partitions, emitter, groupId, context } = this.#deps;
    state.position = offset;
    state.handlerFailures++;
    const canRecover = recoverable(error);
    if (canRecover && state.handlerFailures <= retry.retries) {
      state.handlerRetryWaitMs = nextRetryTime(retry, state.handlerRetryWaitMs, Math.random);
      // At error, as KafkaJS logs every handler failure ('Error when calling eachMessage').
      context.logger.error({ err: error, topic: state.topic, partition: state.partition, offset, retryCount: state.handlerFailures, retryTime: state.handlerRetryWaitMs }, 'the handler failed; the record will be delivered again');
      partitions.retryAfter(state, state.handlerRetryWaitMs);
      return;
    }
    state.handlerFailures = 0;
    state.handlerRetryWaitMs = null;
    const restart = canRecover && (await this.#restartOnFailure(error));
    context.logger.error({ err: error, topic: state.topic, partition: state.partition, offset, restart }, restart ? 'the handler kept failing; delivering the record again' : 'the handler failed; the consumer stops');
    emitter.emit(consumerEvents.CRASH, { error, groupId, restart });
    if (restart) partitions.retryAfter(state, nextRetryTime(retry, null, Math.random));
    else this.#deps.crashed();
  }

  /**
   * The handler threw the group's refusal of this member (a commit it made while the group
   * rebalanced): not the handler failing, so no retry count, no dead-letter topic and no CRASH.
   * The membership rejoins on its own; the records from `offset` are delivered again after the
   * first retry wait if the partition is still this member's (a revocation moves them on).
   */
  #refusedByRebalance(state: PartitionState, offset: number, error: LanesError): void {
    const { retry, partitions, groupId, context } = this.#deps;
    state.position = offset;
    context.logger.warn({ err: error, groupId, topic: state.topic, partition: state.partition, offset }, 'the group is rebalancing; the records from this offset are delivered again once it settles');
    partitions.retryAfter(state, nextRetryTime(retry, null, Math.random));
  }

  /** The user's restartOnFailure (true without one); one that throws counts as true, as in KafkaJS. */
  async #restartOnFailure(error: unknown): Promise<boolean> {
    const decide = this.#deps.restartOnFailure;
    if (decide === undefined) return true;
    try {
      return (await decide(error instanceof Error ? error : new Error(String(error)))) !== false;
    } catch (callbackError) {
      this.#deps.context.logger.error({ err: callbackError, groupId: this.#deps.groupId }, 'restartOnFailure threw; restarting');
      return true;
    }
  }

  async #sendToDeadLetter(state: PartitionState, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const configured = this.#deps.runConfig().deadLetter?.topic;
    const topic = typeof configured === 'function' ? configured(state.topic) : configured ?? `${state.topic}.dlq`;
    if (this.#deadLetterProducer === null) {
      this.#deadLetterProducer = new Producer(this.#deps.context, {});
      await this.#deadLetterProducer.connect();
      this.#deps.context.untrack(this.#deadLetterProducer);
    }
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await this.#deadLetterProducer.send({
      topic,
      messages: [{
        key: message.key,
        value: message.value,
        timestamp: message.timestamp,
        headers: {
          ...message.headers,
          [deadLetterHeaders.topic]: state.topic,
          [deadLetterHeaders.partition]: String(state.partition),
          [deadLetterHeaders.offset]: message.offset,
          [deadLetterHeaders.error]: reason,
          [deadLetterHeaders.attempts]: String(attempts),
        },
      }],
    });
    this.#deps.emitter.emit(consumerEvents.DEAD_LETTER, { topic: state.topic, partition: state.partition, offset: message.offset, deadLetterTopic: topic, error, attempts });
  }

  async #eachBatch(work: Work): Promise<void> {
    const { state } = work;
    const { committer, partitions } = this.#deps;
    const run = this.#deps.runConfig();
    const autoResolve = run.eachBatchAutoResolve !== false;
    const messages = work.records.messages();
    const batch: Batch = {
      topic: state.topic,
      partition: state.partition,
      highWatermark: String(work.highWatermark),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => (messages.length === 0 ? null : messages[0].offset),
      lastOffset: () => (messages.length === 0 ? String(work.highWatermark - 1) : messages[messages.length - 1].offset),
      offsetLag: () => String(Math.max(0, work.highWatermark - 1 - Number(batch.lastOffset()))),
      offsetLagLow: () => String(Math.max(0, work.highWatermark - 1 - Number(batch.firstOffset() ?? work.highWatermark - 1))),
    };
    const payload: EachBatchPayload = {
      batch,
      resolveOffset: (offset) => {
        if (state.epoch !== work.epoch) return;
        state.resolved = Number(offset) + 1;
        committer.resolved(1);
      },
      heartbeat: async () => {},
      pause: () => this.#deps.pauseOne(state.topic, state.partition),
      commitOffsetsIfNecessary: async (offsets?: Offsets) => {
        if (offsets !== undefined) {
          const explicit = offsets.topics.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => ({ topic, partition, offset })));
          const failure = await committer.commitExplicit(explicit);
          if (failure !== null) throw failure;
          return;
        }
        await committer.autoCommitIfNecessary();
      },
      uncommittedOffsets: () => offsetsOf(committer.resolvedOffsets(partitions.all())),
      isRunning: () => this.#deps.running(),
      isStale: () => this.#stale(work),
    };
    try {
      await run.eachBatch!(payload);
    } catch (error) {
      if (state.epoch !== work.epoch) return;
      const from = Math.max(work.startOffset, state.resolved ?? work.startOffset);
      if (rebalanceRefusal(error)) this.#refusedByRebalance(state, from, error);
      else await this.#handlerFailed(state, from, error);
      return;
    }
    if (state.epoch !== work.epoch) return;
    state.handlerFailures = 0;
    state.handlerRetryWaitMs = null;
    if (autoResolve) {
      state.resolved = work.nextOffset;
      committer.resolved(messages.length);
      state.position = work.nextOffset;
    } else {
      state.position = Math.max(work.startOffset, state.resolved ?? work.startOffset);
    }
  }
}
