// The transaction coordinator actor: one per shard, owning every transactional id that hashes to
// the shard (host/shard_router.ts). It runs core/txn's pure coordinator and makes its decisions
// durable in the shard's transaction state log (Kafka's __transaction_state):
//
//   request (Call envelope) → TransactionCoordinator.<call>(now, request) → { records, value }
//     records → appended to the transaction state log at the end of the turn, all results of the
//               turn in one batch (a result's records never straddle two batches);
//     value   → answered once its records are in the file, and durable under the flush policy
//               (fsync'd first with 'always'); at once when the call wrote nothing.
//
// The markers of a decided transaction are written by the host (host/txn_host.ts), which asks
// for them in the answer of EndTxn and InitProducerId and, after a restart or a timeout, through
// `pendingMarkers`; it reports them written with `markersWritten`.
//
// On start the log is replayed into a fresh coordinator (the latest record per transactional id).
// Compaction keeps the log near the live state: once the bytes appended since the last snapshot
// pass both a floor and the snapshot's own size, the coordinator's state is written as a new
// snapshot after a roll, flushed, and the log start moved past the old records. A crash before
// the snapshot is durable replays the old records (the same state); after, the snapshot.
//
// Failure: as the group coordinator (group_actor.ts). An unexpected exception in a state-changing
// call takes the coordinator offline (COORDINATOR_NOT_AVAILABLE for everything after); a failed
// append answers the results of that batch with its code; a failed fsync takes the log offline
// (KAFKA_STORAGE_ERROR for every call that would write) while reads keep being served.
import { decodeCall, encodeCallBody, type CallBody } from '../call_body.js';
import { assert } from '../../core/assert.js';
import type { Clock } from '../../core/clock.js';
import { ErrorCode, isLanesError, LanesError } from '../../core/errors.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readRecords } from '../../core/records/record_reader.js';
import { isTxnMethod, type TxnCalls, type TxnMethod, type TxnRequestOf, type TxnResultOf } from '../../core/txn/txn_calls.js';
import { txnConfig, type TxnConfig } from '../../core/txn/txn_config.js';
import { TransactionCoordinator, type TxnOutcome } from '../../core/txn/txn_coordinator.js';
import { decodeTxnRecord, encodeTxnRecord, type TxnRecord } from '../../core/txn/txn_record.js';
import { dataViewOf, envelopeHeaderBytes, EnvelopeKind, writeEnvelopeHeader, type EnvelopeHeader } from '../envelope.js';
import type { Logger } from '../logger.js';
import { txnCoordinatorActorId, type Actor, type ActorFailure, type ReplySink } from './actor.js';
import type { PartitionLog } from './partition_actor.js';

type Dispatch<M extends TxnMethod> =
  | { readonly mutates: true; run(coordinator: TransactionCoordinator, nowMs: number, request: TxnRequestOf<M>): TxnOutcome<TxnResultOf<M>> }
  | { readonly mutates: false; run(coordinator: TransactionCoordinator, nowMs: number, request: TxnRequestOf<M>): TxnResultOf<M> };

/** Every call of core/txn/txn_calls.ts, mapped to the coordinator. */
const dispatch: { readonly [M in TxnMethod]: Dispatch<M> } = {
  initProducerId: { mutates: true, run: (coordinator, nowMs, request) => coordinator.initProducerId(nowMs, request) },
  addPartitionsToTxn: { mutates: true, run: (coordinator, nowMs, request) => coordinator.addPartitions(nowMs, request) },
  addOffsetsToTxn: { mutates: true, run: (coordinator, nowMs, request) => coordinator.addOffsets(nowMs, request) },
  txnOffsetCommit: { mutates: true, run: (coordinator, nowMs, request) => coordinator.txnOffsetCommit(nowMs, request) },
  endTxn: { mutates: true, run: (coordinator, nowMs, request) => coordinator.endTxn(nowMs, request) },
  markersWritten: { mutates: true, run: (coordinator, nowMs, request) => coordinator.markersWritten(nowMs, request) },
  pendingMarkers: { mutates: false, run: (coordinator) => coordinator.pendingMarkers() },
  describeTransactions: { mutates: false, run: (coordinator, _nowMs, transactionalIds) => coordinator.describe(transactionalIds) },
  listTransactions: { mutates: false, run: (coordinator, nowMs, request) => coordinator.list(nowMs, request) },
};

/** Key and value bytes per appended batch: well under the log's batch limit (see openTxnStateLog's caller). */
const batchBytesMax = 256 * 1024;

interface KeyedRecord {
  readonly key: Uint8Array;
  readonly value: Uint8Array | null;
}

/** One result's records, encoded, and whom to answer once they are stored (null: a tick's). */
interface PendingResult {
  readonly records: readonly KeyedRecord[];
  readonly bytes: number;
  readonly correlationId: number | null;
  readonly value: unknown;
}

function encodeRecords(records: readonly TxnRecord[]): { records: KeyedRecord[]; bytes: number } {
  let bytes = 0;
  const encoded = records.map((record) => {
    const keyed = encodeTxnRecord(record);
    bytes += keyed.key.length + (keyed.value?.length ?? 0);
    return keyed;
  });
  return { records: encoded, bytes };
}

/** Every record of the log from its start, decoded. */
function readTxnRecords(log: PartitionLog): TxnRecord[] {
  const records: TxnRecord[] = [];
  for (let offset = log.logStartOffset; offset < log.highWatermark; ) {
    const { batches } = log.read(offset, 8 * 1024 * 1024);
    if (batches.length === 0) break;
    for (const batch of batches) {
      for (const record of readRecords(batch)) {
        if (record.offset < offset) continue;
        if (record.key !== null) records.push(decodeTxnRecord(record.key, record.value));
        offset = record.offset + 1;
      }
    }
  }
  return records;
}

export class TxnActor implements Actor {
  readonly actorId = txnCoordinatorActorId;
  readonly label = 'transaction coordinator';
  readonly #coordinator: TransactionCoordinator;
  readonly #log: PartitionLog;
  readonly #sink: ReplySink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #pending: PendingResult[] = [];
  /** Answers whose records are appended, waiting for the flush that makes them durable. */
  #awaitingFlush: { correlationId: number; value: unknown }[] = [];
  #flushing: Promise<void> | null = null;
  #logOffline: string | null = null;
  #offline = false;
  #mutating: string | null = null;
  #closed = false;
  #dirtyBytes = 0;
  #snapshotBytes = 0;
  #compacting: Promise<void> | null = null;
  readonly #compactionBytesMin: number;

  private constructor(coordinator: TransactionCoordinator, log: PartitionLog, sink: ReplySink, clock: Clock, logger: Logger, compactionBytesMin: number) {
    this.#compactionBytesMin = compactionBytesMin;
    this.#coordinator = coordinator;
    this.#log = log;
    this.#sink = sink;
    this.#clock = clock;
    this.#logger = logger;
  }

  static open(options: { log: PartitionLog; sink: ReplySink; clock: Clock; logger: Logger; config?: Partial<TxnConfig> }): TxnActor {
    const records = readTxnRecords(options.log);
    const coordinator = TransactionCoordinator.replay(records, options.config);
    options.logger.info({ records: records.length, transactionalIds: coordinator.size, pending: coordinator.pendingMarkers().length }, 'transaction coordinator loaded');
    const actor = new TxnActor(coordinator, options.log, options.sink, options.clock, options.logger, txnConfig(options.config).stateLogCompactionBytesMin);
    // What the last snapshot was is not recorded; estimate it from the share of live records.
    actor.#snapshotBytes = records.length === 0 ? 0 : Math.round((options.log.sizeBytes * coordinator.size) / records.length);
    actor.#dirtyBytes = options.log.sizeBytes - actor.#snapshotBytes;
    actor.#compactIfDue();
    return actor;
  }

  /** Bytes appended since the last snapshot, that snapshot's size, and whether one is being flushed (tests and diagnostics). */
  get compactionState(): { dirtyBytes: number; snapshotBytes: number; compacting: boolean } {
    return { dirtyBytes: this.#dirtyBytes, snapshotBytes: this.#snapshotBytes, compacting: this.#compacting !== null };
  }

  /** The coordinator (tests and diagnostics). */
  get coordinator(): TransactionCoordinator {
    return this.#coordinator;
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    if (header.kind !== EnvelopeKind.Call) throw new LanesError(ErrorCode.INVALID_REQUEST, `transaction coordinator cannot handle envelope kind ${header.kind}`);
    this.#mutating = null;
    const call = decodeCall<TxnCalls>(envelope.subarray(envelopeHeaderBytes));
    const method: string = call.method;
    if (!isTxnMethod(method)) throw new LanesError(ErrorCode.INVALID_REQUEST, `transaction coordinator has no method ${method}`);
    this.#dispatch(call, header.correlationId);
  }

  #dispatch<M extends TxnMethod>(call: CallBody<TxnCalls, M>, correlationId: number): void {
    const entry: Dispatch<M> = dispatch[call.method];
    const nowMs = this.#clock.nowMs();
    if (!entry.mutates) return this.#replyValue(correlationId, entry.run(this.#coordinator, nowMs, call.args[0]));
    if (this.#logOffline !== null) return this.#replyError(correlationId, ErrorCode.KAFKA_STORAGE_ERROR, this.#offlineMessage());
    this.#mutating = call.method;
    const outcome = entry.run(this.#coordinator, nowMs, call.args[0]);
    this.#queue(outcome.records, correlationId, outcome.value);
    this.#mutating = null;
  }

  #queue(records: readonly TxnRecord[], correlationId: number | null, value: unknown): void {
    if (records.length === 0) {
      if (correlationId !== null) this.#replyValue(correlationId, value);
      return;
    }
    const encoded = encodeRecords(records);
    this.#pending.push({ records: encoded.records, bytes: encoded.bytes, correlationId, value });
  }

  /** Appends the pending results (one batch, cut between results past batchBytesMax), then answers them. */
  #appendPending(): void {
    if (this.#pending.length === 0 || this.#offline) return;
    if (this.#logOffline !== null) return this.#answerError(this.#pending.splice(0), ErrorCode.KAFKA_STORAGE_ERROR, this.#offlineMessage());
    if (this.#log.flushBeforeAck && this.#flushing !== null) return;
    const pending = this.#pending;
    this.#pending = [];
    const timestamp = this.#clock.nowMs();
    let appended = 0;
    try {
      let batch: KeyedRecord[] = [];
      let batchBytes = 0;
      for (let index = 0; index < pending.length; index++) {
        if (index > appended && batchBytes + pending[index].bytes > batchBytesMax) {
          this.#appendBatch(batch, timestamp);
          appended = index;
          batch = [];
          batchBytes = 0;
        }
        batch.push(...pending[index].records);
        batchBytes += pending[index].bytes;
      }
      this.#appendBatch(batch, timestamp);
      appended = pending.length;
      this.#log.writeOut();
    } catch (error) {
      if (!isLanesError(error) || this.#log.failure !== null) {
        this.#goOffline(this.#log.failure ?? error);
        return this.#answerError(pending, ErrorCode.KAFKA_STORAGE_ERROR, this.#offlineMessage());
      }
      // The log dropped what it could not write: none of these results is stored. Their changes
      // stay in the coordinator's memory, ahead of the log, until a restart.
      this.#logger.error({ err: error, results: pending.length }, 'transaction state log append failed');
      return this.#answerError(pending, error.errorCode, error.message);
    }
    for (const result of pending) {
      if (result.correlationId === null) continue;
      if (this.#log.flushBeforeAck) this.#awaitingFlush.push({ correlationId: result.correlationId, value: result.value });
      else this.#replyValue(result.correlationId, result.value);
    }
  }

  #appendBatch(records: readonly KeyedRecord[], timestamp: number): void {
    assert(records.length > 0, 'a transaction state batch holds at least one record');
    const batch = encodeRecordBatch(records, { baseTimestamp: timestamp });
    this.#log.append(batch, 0, batch.length);
    this.#dirtyBytes += batch.length;
  }

  #answerError(results: readonly PendingResult[], errorCode: number, message: string): void {
    for (const result of results) if (result.correlationId !== null) this.#replyError(result.correlationId, errorCode, message);
  }

  #startFlush(): void {
    const waiting = this.#awaitingFlush;
    this.#awaitingFlush = [];
    this.#flushing = this.#log.flush().then(
      () => {
        for (const { correlationId, value } of waiting) this.#replyValue(correlationId, value);
        this.#afterFlush();
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        for (const { correlationId } of waiting) this.#replyError(correlationId, ErrorCode.KAFKA_STORAGE_ERROR, message);
        if (this.#log.failure !== null) this.#goOffline(this.#log.failure);
        this.#afterFlush();
      },
    );
  }

  #afterFlush(): void {
    this.#flushing = null;
    this.#appendPending();
    this.#flushIfAwaiting();
    this.#sink.publish();
  }

  #flushIfAwaiting(): void {
    if (this.#awaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
  }

  #compactIfDue(): void {
    if (this.#compacting !== null || this.#closed || this.#offline || this.#logOffline !== null) return;
    if (this.#pending.length > 0 || this.#dirtyBytes < Math.max(this.#compactionBytesMin, this.#snapshotBytes)) return;
    const log = this.#log;
    const snapshot = encodeRecords(this.#coordinator.snapshot());
    let snapshotBytes = 0;
    let snapshotBase: number;
    try {
      log.roll();
      snapshotBase = log.highWatermark;
      const timestamp = this.#clock.nowMs();
      for (let at = 0; at < snapshot.records.length; ) {
        const chunk: KeyedRecord[] = [];
        let bytes = 0;
        while (at < snapshot.records.length && (chunk.length === 0 || bytes + snapshot.records[at].key.length + (snapshot.records[at].value?.length ?? 0) <= batchBytesMax)) {
          bytes += snapshot.records[at].key.length + (snapshot.records[at].value?.length ?? 0);
          chunk.push(snapshot.records[at++]);
        }
        const batch = encodeRecordBatch(chunk, { baseTimestamp: timestamp });
        log.append(batch, 0, batch.length);
        snapshotBytes += batch.length;
      }
    } catch (error) {
      // A repeat of the latest records is harmless to replay; the next turn may try again.
      if (!isLanesError(error) || log.failure !== null) this.#goOffline(log.failure ?? error);
      else this.#logger.warn({ err: error }, 'transaction state log compaction could not write its snapshot');
      return;
    }
    this.#snapshotBytes = snapshotBytes;
    this.#dirtyBytes = 0;
    this.#compacting = log.flush().then(
      () => {
        log.deleteRecordsBefore(snapshotBase);
        this.#compacting = null;
      },
      (error: unknown) => {
        this.#compacting = null;
        if (log.failure !== null) this.#goOffline(log.failure);
        else this.#logger.warn({ err: error }, 'transaction state log compaction could not flush its snapshot');
      },
    );
  }

  #replyError(correlationId: number, errorCode: number, message: string): void {
    this.#replyBody(correlationId, encodeCallBody({ ok: false, errorCode, message }));
  }

  #replyValue(correlationId: number, value: unknown): void {
    const body = encodeCallBody({ ok: true, value });
    if (envelopeHeaderBytes + body.length > this.#sink.replyBytesMax) {
      const message = `reply of ${body.length} bytes exceeds the reply ring's ${this.#sink.replyBytesMax}`;
      this.#logger.warn({ correlationId, bytes: body.length }, message);
      this.#replyError(correlationId, ErrorCode.UNKNOWN_SERVER_ERROR, message);
      return;
    }
    this.#replyBody(correlationId, body);
  }

  #replyBody(correlationId: number, body: Uint8Array): void {
    this.#sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.actorId, correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }

  #goOffline(cause: unknown): void {
    if (this.#logOffline !== null) return;
    this.#logOffline = cause instanceof Error ? cause.message : String(cause);
    this.#logger.error({ err: cause }, 'transaction state log offline: transaction changes are answered KAFKA_STORAGE_ERROR until a restart');
    for (const { correlationId } of this.#awaitingFlush) this.#replyError(correlationId, ErrorCode.KAFKA_STORAGE_ERROR, this.#offlineMessage());
    this.#awaitingFlush = [];
  }

  #offlineMessage(): string {
    return `the transaction state log is offline: ${this.#logOffline}`;
  }

  classifyFailure(error: unknown, header: EnvelopeHeader | null): ActorFailure {
    const reason = error instanceof Error ? error.message : String(error);
    const mutating = this.#mutating;
    this.#mutating = null;
    if (header !== null && mutating === null) {
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: `transaction coordinator failed: ${reason}`, offline: false };
    }
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: `transaction coordinator offline after ${mutating ?? 'housekeeping'} failed: ${reason}`, offline: true };
  }

  takeOffline(failure: ActorFailure): void {
    this.#offline = true;
    this.#answerError(this.#pending.splice(0), failure.errorCode, failure.message);
    this.#flushIfAwaiting();
    this.#sink.publish();
  }

  endTurn(): void {
    this.#tickIfDue(this.#clock.nowMs());
    this.#appendPending();
    this.#compactIfDue();
    this.#flushIfAwaiting();
  }

  #tickIfDue(nowMs: number): void {
    const deadline = this.#coordinator.nextDeadlineMs();
    if (deadline === undefined || deadline > nowMs || this.#logOffline !== null) return;
    this.#mutating = 'timeouts';
    const outcome = this.#coordinator.tick(nowMs);
    if (outcome.markers.length > 0) this.#logger.info({ transactions: outcome.markers.map((work) => work.transactionalId) }, 'transactions timed out: aborting');
    this.#queue(outcome.records, null, null);
    this.#mutating = null;
  }

  nextDeadlineMs(): number | undefined {
    return this.#logOffline === null ? this.#coordinator.nextDeadlineMs() : undefined;
  }

  tick(nowMs: number): void {
    this.#tickIfDue(nowMs);
    this.#appendPending();
    if (this.#logOffline === null) {
      try {
        this.#log.tick(nowMs);
      } catch (error) {
        this.#goOffline(this.#log.failure ?? error);
      }
    }
    this.#flushIfAwaiting();
    this.#sink.publish();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#logOffline === null) {
      if (this.#flushing !== null) {
        await this.#flushing;
        continue;
      }
      this.#appendPending();
      if (this.#awaitingFlush.length === 0) break;
      this.#startFlush();
    }
    this.#sink.publish();
    await this.#compacting?.catch(() => undefined);
    try {
      await this.#log.close();
    } catch (error) {
      this.#logger.error({ err: error }, 'transaction state log closed with an error');
    }
  }
}
