// The durable log under a shard's coordinator actors (group_actor.ts: the offsets log, Kafka's
// __consumer_offsets; txn_actor.ts: the transaction state log, Kafka's __transaction_state). Both
// keep their state as keyed records in a log of their own, and both make a decision durable the
// same way, so that plumbing lives here once:
//
//   replay:       readKeyedRecords(log) → the actor decodes them into its coordinator;
//   group commit: queue(records, answers) per result → appendPending() at the end of the turn
//                 appends every queued result as ONE batch (cut past stateLogBatchRecordBytesMax,
//                 only between results, so a result's records never straddle two batches: a batch
//                 is the unit a crash keeps or loses), writes it out, then answers once in
//                 the file, and with flush 'always' only after the flush that covers them (results
//                 queued while that flush is in flight form the next batch);
//   snapshots:    writeSnapshot(records) after a roll, flushed, then the log start moved past
//                 the old records (the actor decides when, and what the snapshot holds).
//
// Storage failures follow actors/storage/README.md, as partition logs do: a failed append is
// undone by the log and the results not stored are answered with its code (their changes stay in
// the coordinator's memory, ahead of the log, until a restart), and the next commit tries again;
// a batch the log refuses (one result too large for it) is retried result by result, so only the
// results that cannot be stored fail, never others that shared their group commit;
// a failed fsync or a write the log could not undo takes the log offline: every queued result is
// answered KAFKA_STORAGE_ERROR until a restart, logged at error once. Never the process.
import { assert } from '../../core/assert.js';
import type { Clock } from '../../core/clock.js';
import { ErrorCode, isLanesError, type LanesError } from '../../core/errors.js';
import { stateLogBatchRecordBytesMax } from '../../core/limits.js';
import { snapshotChunks, type KeyedRecord } from '../../core/group/offsets_compaction.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readRecords } from '../../core/records/record_reader.js';
import { encodeCallBody } from '../call_body.js';
import { dataViewOf, envelopeHeaderBytes, EnvelopeKind, writeEnvelopeHeader } from '../envelope.js';
import type { Logger } from '../logger.js';
import type { ReplySink } from './actor.js';
import type { PartitionLog } from './partition_actor.js';

export type { KeyedRecord };

/** Bytes one read asks of the log while replaying it. */
const replayReadBytes = 8 * 1024 * 1024;

/** A reply owed once a result's records are stored. */
export interface Answer {
  readonly correlationId: number;
  readonly value: unknown;
}

/** One result's records, encoded, and whom to answer once they are stored. */
interface PendingResult {
  readonly records: readonly KeyedRecord[];
  readonly bytes: number;
  readonly answers: readonly Answer[];
}

/** Every record of the log from its start, keys and values as stored (records without a key skipped). */
export function readKeyedRecords(log: PartitionLog): KeyedRecord[] {
  const records: KeyedRecord[] = [];
  for (let offset = log.logStartOffset; offset < log.highWatermark; ) {
    const { batches } = log.read(offset, replayReadBytes);
    if (batches.length === 0) break;
    for (const batch of batches) {
      for (const record of readRecords(batch)) {
        if (record.offset < offset) continue;
        if (record.key !== null) records.push({ key: record.key, value: record.value });
        offset = record.offset + 1;
      }
    }
  }
  return records;
}

export class StateLog {
  readonly #log: PartitionLog;
  readonly #sink: ReplySink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #actorId: number;
  /** What the log is called in messages ("offsets log"). */
  readonly #name: string;
  /** What an offline log means for clients, for the error line. */
  readonly #offlineConsequence: string;
  /** Results whose records are not appended yet: the next group-commit batch, in order. */
  #pending: PendingResult[] = [];
  /** Answers whose records are appended, waiting for the flush that makes them durable. */
  #awaitingFlush: Answer[] = [];
  #flushing: Promise<void> | null = null;
  /** Why the log is offline (a failed fsync, an undoable write), or null. */
  #offline: string | null = null;
  /** The actor was taken offline: nothing more is appended. */
  #halted = false;
  /** Bytes appended since the last snapshot was written, and the size of that snapshot. */
  dirtyBytes = 0;
  snapshotBytes = 0;

  constructor(options: { log: PartitionLog; sink: ReplySink; clock: Clock; logger: Logger; actorId: number; name: string; offlineConsequence: string }) {
    this.#log = options.log;
    this.#sink = options.sink;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#actorId = options.actorId;
    this.#name = options.name;
    this.#offlineConsequence = options.offlineConsequence;
  }

  get log(): PartitionLog {
    return this.#log;
  }

  /** Why the log is offline, or null. */
  get offline(): string | null {
    return this.#offline;
  }

  /** Whether results wait for the next group-commit append. */
  get hasPending(): boolean {
    return this.#pending.length > 0;
  }

  offlineMessage(): string {
    return `the ${this.#name} is offline: ${this.#offline}`;
  }

  /**
   * A result's records (`bytes`: their key and value bytes) for the next group commit, answered
   * once stored; a result that wrote nothing is answered at once.
   */
  queue(records: readonly KeyedRecord[], bytes: number, answers: readonly Answer[]): void {
    if (records.length === 0) {
      for (const { correlationId, value } of answers) this.replyValue(correlationId, value);
      return;
    }
    this.#pending.push({ records, bytes, answers });
  }

  /**
   * Appends the pending results as one batch (more only past stateLogBatchRecordBytesMax, cut
   * between results), then answers at once or, with flush 'always', queues the answers for the next flush.
   * With flush 'always' this waits while a flush is in flight: the batch grows until it completes.
   */
  appendPending(): void {
    if (this.#pending.length === 0 || this.#halted) return;
    if (this.#offline !== null) return this.#answerError(this.#pending.splice(0), ErrorCode.KAFKA_STORAGE_ERROR, this.offlineMessage());
    if (this.#log.flushBeforeAck && this.#flushing !== null) return;
    const pending = this.#pending;
    this.#pending = [];
    const timestamp = this.#clock.nowMs();
    const stored: PendingResult[] = [];
    const refused: { results: readonly PendingResult[]; error: LanesError }[] = [];
    // Appends `results` as one batch; false once the log failed for good (then #failAll answered all).
    const append = (results: readonly PendingResult[]): boolean => {
      try {
        this.#appendBatch(results.flatMap((result) => result.records), timestamp);
        stored.push(...results);
        return true;
      } catch (error) {
        if (!isLanesError(error) || this.#log.failure !== null) {
          this.#failAll(pending, this.#log.failure ?? error);
          return false;
        }
        // A refused batch (too large, shard memory exhausted) refuses only the results that cause
        // it: one client's oversized commit must not fail the others that shared its group commit.
        if (results.length === 1) {
          refused.push({ results, error });
          return true;
        }
        for (const result of results) if (!append([result])) return false;
        return true;
      }
    };
    let batch: PendingResult[] = [];
    let batchBytes = 0;
    for (const result of pending) {
      if (batch.length > 0 && batchBytes + result.bytes > stateLogBatchRecordBytesMax) {
        if (!append(batch)) return;
        batch = [];
        batchBytes = 0;
      }
      batch.push(result);
      batchBytes += result.bytes;
    }
    if (!append(batch)) return;
    if (stored.length > 0) {
      try {
        // Nothing is answered before its records are in the file.
        this.#log.writeOut();
      } catch (error) {
        if (!isLanesError(error) || this.#log.failure !== null) return this.#failAll(pending, this.#log.failure ?? error);
        // The log dropped every batch not written: none of these results is stored.
        refused.push({ results: stored.splice(0), error });
      }
    }
    for (const { results, error } of refused) {
      // An operating error (shard memory exhausted, a refused batch, a failed write): the results
      // not stored are answered with it, as a single request's failed append always was.
      this.#logger.error({ err: error, results: results.length }, `${this.#name} append failed`);
      this.#answerError(results, error.errorCode, error.message);
    }
    for (const result of stored) {
      if (this.#log.flushBeforeAck) this.#awaitingFlush.push(...result.answers);
      else for (const { correlationId, value } of result.answers) this.replyValue(correlationId, value);
    }
  }

  #appendBatch(records: readonly KeyedRecord[], timestamp: number): void {
    assert(records.length > 0, `a ${this.#name} batch holds at least one record`);
    const batch = encodeRecordBatch(records, { baseTimestamp: timestamp });
    this.#log.append(batch, 0, batch.length);
    this.dirtyBytes += batch.length;
  }

  /** The log went offline during a group commit: none of its results is stored. */
  #failAll(pending: readonly PendingResult[], cause: unknown): void {
    this.goOffline(cause);
    this.#answerError(pending, ErrorCode.KAFKA_STORAGE_ERROR, this.offlineMessage());
  }

  /** Answers every result whose records are not stored with an error: none succeeds. */
  #answerError(results: readonly PendingResult[], errorCode: number, message: string): void {
    for (const result of results) for (const { correlationId } of result.answers) this.replyError(correlationId, errorCode, message);
  }

  /**
   * The actor went offline (Actor.takeOffline): results not appended yet are answered with its
   * failure (their records never reach the log, so nobody is told success) and nothing more is
   * appended. Answers whose records are appended still go out once durable.
   */
  halt(errorCode: number, message: string): void {
    this.#halted = true;
    this.#answerError(this.#pending.splice(0), errorCode, message);
  }

  /** Starts a flush for appended answers unless one is in flight (it picks them up when done). */
  flushIfAwaiting(): void {
    if (this.#awaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
  }

  #startFlush(): void {
    const waiting = this.#awaitingFlush;
    this.#awaitingFlush = [];
    this.#flushing = this.#log.flush().then(
      () => {
        for (const { correlationId, value } of waiting) this.replyValue(correlationId, value);
        this.#afterFlush();
      },
      (error: unknown) => {
        // Not durable: the coordinator's memory is ahead of its log. Nobody gets a success; a
        // failed fsync takes the log offline (a failed write was undone: the next commit tries
        // again).
        const message = error instanceof Error ? error.message : String(error);
        for (const { correlationId } of waiting) this.replyError(correlationId, ErrorCode.KAFKA_STORAGE_ERROR, message);
        if (this.#log.failure !== null) this.goOffline(this.#log.failure);
        this.#afterFlush();
      },
    );
  }

  /** What queued up during a flush goes out as the next batch, under the next flush. */
  #afterFlush(): void {
    this.#flushing = null;
    this.appendPending();
    this.flushIfAwaiting();
    this.#sink.publish();
  }

  /** The log failed for good (see the file comment): logged at error once. */
  goOffline(cause: unknown): void {
    if (this.#offline !== null) return;
    this.#offline = cause instanceof Error ? cause.message : String(cause);
    this.#logger.error({ err: cause }, `${this.#name} offline: ${this.#offlineConsequence} are answered KAFKA_STORAGE_ERROR until a restart`);
    for (const { correlationId } of this.#awaitingFlush) this.replyError(correlationId, ErrorCode.KAFKA_STORAGE_ERROR, this.offlineMessage());
    this.#awaitingFlush = [];
  }

  /** The housekeeping of a tick once the actor's own is done: append, the log's own tick, flush, publish. */
  tick(nowMs: number): void {
    this.appendPending();
    if (this.#offline === null) {
      try {
        this.#log.tick(nowMs);
      } catch (error) {
        this.goOffline(this.#log.failure ?? error);
      }
    }
    this.flushIfAwaiting();
    this.#sink.publish();
  }

  /**
   * Writes `records` as a snapshot after a roll, in batches of stateLogBatchRecordBytesMax; the promise
   * resolves once the snapshot is durable (whatever the flush policy) and the log start has moved
   * past the records before it. Throws what the roll or an append threw (a repeat of the latest
   * records is harmless to replay), rejects when the flush fails; either takes the log offline
   * when it failed for good.
   */
  writeSnapshot(records: readonly KeyedRecord[]): Promise<void> {
    const log = this.#log;
    let snapshotBase: number;
    let snapshotBytes = 0;
    try {
      log.roll();
      snapshotBase = log.highWatermark;
      const timestamp = this.#clock.nowMs();
      for (const chunk of snapshotChunks(records, stateLogBatchRecordBytesMax)) {
        const batch = encodeRecordBatch(chunk, { baseTimestamp: timestamp });
        log.append(batch, 0, batch.length);
        snapshotBytes += batch.length;
      }
    } catch (error) {
      if (!isLanesError(error) || log.failure !== null) this.goOffline(log.failure ?? error);
      throw error;
    }
    this.snapshotBytes = snapshotBytes;
    this.dirtyBytes = 0;
    return log.flush().then(
      () => log.deleteRecordsBefore(snapshotBase),
      (error: unknown) => {
        if (log.failure !== null) this.goOffline(log.failure);
        throw error;
      },
    );
  }

  replyError(correlationId: number, errorCode: number, message: string): void {
    this.#replyBody(correlationId, encodeCallBody({ ok: false, errorCode, message }));
  }

  replyValue(correlationId: number, value: unknown): void {
    const body = encodeCallBody({ ok: true, value });
    if (envelopeHeaderBytes + body.length > this.#sink.replyBytesMax) {
      // A JoinGroup leader's member list, a DescribeGroups or an OffsetFetch of a huge group: too
      // large to cross back to the host. Kafka answers UNKNOWN_SERVER_ERROR when a group is too
      // large for its offsets log; the same here, and the client's request ends.
      const message = `reply of ${body.length} bytes exceeds the reply ring's ${this.#sink.replyBytesMax}`;
      this.#logger.warn({ correlationId, bytes: body.length }, message);
      this.replyError(correlationId, ErrorCode.UNKNOWN_SERVER_ERROR, message);
      return;
    }
    this.#replyBody(correlationId, body);
  }

  #replyBody(correlationId: number, body: Uint8Array): void {
    this.#sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.#actorId, correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }

  publish(): void {
    this.#sink.publish();
  }

  /**
   * Everything queued is appended and flushed (a flush in flight first, then what queued), then
   * `compacting` settles and the log closes; an error closing it is logged.
   */
  async close(compacting: Promise<unknown> | null): Promise<void> {
    while (this.#offline === null) {
      if (this.#flushing !== null) {
        await this.#flushing;
        continue;
      }
      this.appendPending();
      if (this.#awaitingFlush.length === 0) break;
      this.#startFlush();
    }
    this.#sink.publish();
    await compacting?.catch(() => undefined);
    try {
      await this.#log.close();
    } catch (error) {
      this.#logger.error({ err: error }, `${this.#name} closed with an error`);
    }
  }
}
