// The partition actor: owns one partition's log on its shard and is the only code that writes
// it. It answers Append (validate, assign offsets, copy: the producer's bytes are stored as
// sent), Fetch (for logs whose bytes are not all in shared memory), and low-rate Calls (offset
// lookups). After every turn in which it appended, it republishes its directory slot so readers
// on other threads see the new committed bytes and high watermark.
//
// Acknowledgement and durability: no append is answered, and no reader sees it (Fetch, the
// published high watermark), before its bytes are in the file: at the end of the turn — or
// before a Fetch or Call that comes after it in the same turn — the log writes out every batch
// appended (one write per segment that took appends), then the acks=0/1 replies go out and the
// directory is republished. An Append that asks to wait for the flush policy (acks=-1) is answered
// only after the log's flush covering it resolves; with flush 'always' that is an fsync, and all
// the appends of one turn share it (group commit).
//
// Storage failures (the policy is written out in actors/storage/README.md): a failed write is
// undone by the log (the unwritten batches are dropped, the file cut back) and the turn's appends
// are answered KAFKA_STORAGE_ERROR; the partition stays online and the next append tries again.
// A failed fsync, a write the log could not undo, or any invariant failure inside this
// partition's log takes this partition offline: logged at error once, every request answered
// KAFKA_STORAGE_ERROR, its directory slot cleared (readers come to the actor and get the error),
// `state().offline` says why. The shard, its other partitions and its groups keep serving; a
// restart reopens the log and recovers from what the files hold.
import { decodeCall, encodeCallBody, type ActorAddress } from '../call_body.js';
import { assert } from '../../core/assert.js';
import { ErrorCode, isLanesError, LanesError } from '../../core/errors.js';
import type { AppendOrigin } from '../../core/log/log.js';
import type { AbortedTxn } from '../../core/log/transactions.js';
import {
  AppendFlag,
  appendHeaderBytes,
  appendResultHeaderBytes,
  dataViewOf,
  encodeMessage,
  envelopeHeaderBytes,
  EnvelopeKind,
  fetchResultHeaderBytes,
  readFetch,
  writeAppendResult,
  writeEnvelopeHeader,
  writeFetchResultHeader,
  type AppendResult,
  type EnvelopeHeader,
} from '../envelope.js';
import type { ActiveProducer } from '../../core/log/log.js';
import type { TimestampAndOffset } from '../../core/log/max_timestamp.js';
import { deleteRecordsToHighWatermark } from '../../core/protocol/messages/delete_records.js';
import type { Logger } from '../logger.js';
import type { Actor, ReplySink } from './actor.js';
import type { DirectorySegment, PartitionDirectory } from './partition_directory.js';
import type { PartitionLogConfig, PartitionState } from './shard_control.js';

/** The calls a partition actor answers (besides Append and Fetch, which have envelopes of their own). */
export type PartitionCalls = {
  /** ListOffsets by timestamp: the first offset whose batch is at or after it, or −1. */
  offsetForTimestamp: { request: number; result: number };
  /** ListOffsets −3 (MAX_TIMESTAMP): the first record with the largest timestamp, or null. */
  maxTimestampRecord: { request: null; result: TimestampAndOffset | null };
  state: { request: null; result: PartitionState };
  /**
   * DeleteRecords: makes the offset (−1: the high watermark) the log start offset, durably, and
   * answers the log start offset after it. OFFSET_OUT_OF_RANGE past the high watermark.
   */
  deleteRecords: { request: number; result: number };
  /** DescribeProducers: the idempotent producers the log remembers. */
  activeProducers: { request: null; result: ActiveProducer[] };
  /** The aborted transactions with data in [fromOffset, toOffset] (Fetch read_committed). */
  abortedTransactions: { request: { fromOffset: number; toOffset: number }; result: AbortedTxn[] };
};

/** A partition actor as the host calls it. */
export function partitionActor(actorId: number): ActorAddress<PartitionCalls> {
  return { actorId };
}

/** What the actor needs of a partition log (core/log's Log, adapted in log_adapter.ts). */
export interface PartitionLog {
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly sizeBytes: number;
  readonly segmentCount: number;
  /** True when acknowledging an append must wait for flush() (flush policy 'always'). */
  readonly flushBeforeAck: boolean;
  /** Why the log is offline (a failed fsync, or a failed write it could not undo), or null. */
  readonly failure: Error | null;
  /** Offsets appended but not yet written out. */
  readonly unwrittenOffsets: number;
  /** Origin 'coordinator': one transaction marker (core Log.append). */
  append(bytes: Uint8Array, start: number, end: number, origin?: AppendOrigin): { baseOffset: number; recordCount: number };
  /** The last stable offset (core Log.lastStableOffset). */
  readonly lastStableOffset: number;
  /** The marker offset of the newest aborted transaction, or −1. */
  readonly lastAbortedOffset: number;
  /** The aborted transactions with data in [fromOffset, toOffset]. */
  abortedTransactions(fromOffset: number, toOffset: number): AbortedTxn[];
  read(fetchOffset: number, maxBytes: number): { batches: Uint8Array[]; highWatermark: number; logStartOffset: number };
  offsetForTimestamp(timestampMs: number): number;
  /** core Log.maxTimestampRecord. */
  maxTimestampRecord(): TimestampAndOffset | null;
  /**
   * Hands every appended batch to the operating system (core Log.writeOut); throws
   * KAFKA_STORAGE_ERROR after undoing a failed write. Acks and reads come after it.
   */
  writeOut(): void;
  /** writeOut, then makes it durable; rejects when either fails. */
  flush(): Promise<void>;
  /** Retention, time-based rolls and interval flushes. */
  tick(nowMs: number): void;
  /** core Log.needsTick: false while tick would find nothing to do until the next write. */
  readonly needsTick: boolean;
  /** Seals the active segment and starts a new one (nothing happens when it is empty). */
  roll(): void;
  /** Makes `offset` the log start offset (durably) and deletes the segments wholly below it. */
  deleteRecordsBefore(offset: number): void;
  /** The idempotent producers the log remembers (core Log.activeProducers). */
  activeProducers(): ActiveProducer[];
  /** Segments whose bytes live in shared memory, oldest first (none for disk-only logs). */
  sharedSegments(): DirectorySegment[];
  /** Applies a topic's altered configs to the open log (core Log.reconfigure). */
  reconfigure(config: PartitionLogConfig): void;
  close(): Promise<void>;
}

interface PendingAck {
  correlationId: number;
  result: AppendResult;
  /** acks=-1: answered after the flush policy, not only after the write. */
  waitForFlush: boolean;
}

export class PartitionActor implements Actor {
  readonly actorId: number;
  readonly topic: string;
  readonly partition: number;
  readonly #log: PartitionLog;
  readonly #sink: ReplySink;
  readonly #directory: PartitionDirectory;
  readonly #fetchBytesMax: number;
  readonly #logger: Logger | null;
  #dirty = true;
  /** Appends of this turn: answered once their bytes are written (or their write failed). */
  #acksAwaitingWrite: PendingAck[] = [];
  #acksAwaitingFlush: PendingAck[] = [];
  /** Why the partition is offline, or null while it serves. */
  #offline: string | null = null;
  #flushing: Promise<void> | null = null;
  #closed = false;

  constructor(options: {
    actorId: number;
    topic: string;
    partition: number;
    log: PartitionLog;
    sink: ReplySink;
    directory: PartitionDirectory;
    /** The most batch bytes one FetchResult may carry (the reply ring's record limit). */
    fetchBytesMax: number;
    /** Where going offline is reported (once, at error). */
    logger?: Logger;
  }) {
    this.actorId = options.actorId;
    this.topic = options.topic;
    this.partition = options.partition;
    this.#log = options.log;
    this.#sink = options.sink;
    this.#directory = options.directory;
    this.#fetchBytesMax = options.fetchBytesMax;
    this.#logger = options.logger ?? null;
    this.#publishDirectory();
  }

  state(): PartitionState {
    return {
      actorId: this.actorId,
      topic: this.topic,
      partition: this.partition,
      logStartOffset: this.#log.logStartOffset,
      highWatermark: this.#log.highWatermark,
      segments: this.#log.segmentCount,
      sizeBytes: this.#log.sizeBytes,
      offline: this.#offline,
    };
  }

  /**
   * A topic's altered configs: the log takes them from its next append or tick. The host checked
   * them against what a log can open with, so a refusal here is a bug and throws.
   */
  reconfigure(config: PartitionLogConfig): void {
    this.#log.reconfigure(config);
  }

  /** Why the partition is offline, or null while it serves. */
  get offline(): string | null {
    return this.#offline;
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    assert(!this.#closed, `partition actor ${this.actorId} received mail after close`);
    if (this.#offline !== null) throw this.#offlineError();
    try {
      this.#dispatch(envelope, header);
    } catch (error) {
      // An operating error answers this request (the shard runtime replies with its code); a
      // log that failed, or broke one of its invariants, takes this partition offline.
      if (isLanesError(error) && this.#log.failure === null) throw error;
      this.#goOffline(this.#log.failure ?? error);
      throw this.#offlineError();
    }
  }

  #dispatch(envelope: Uint8Array, header: EnvelopeHeader): void {
    switch (header.kind) {
      case EnvelopeKind.Append:
        this.#append(envelope, header);
        return;
      case EnvelopeKind.Fetch:
        this.#fetch(envelope, header);
        return;
      case EnvelopeKind.Call:
        this.#call(envelope, header);
        return;
      default:
        throw new LanesError(ErrorCode.INVALID_REQUEST, `partition actor cannot handle envelope kind ${header.kind}`);
    }
  }

  #append(envelope: Uint8Array, header: EnvelopeHeader): void {
    const flags = dataViewOf(envelope).getUint16(envelopeHeaderBytes, true);
    const waitForFlush = (flags & AppendFlag.waitForFlush) !== 0;
    const origin = (flags & AppendFlag.marker) !== 0 ? 'coordinator' : 'client';
    const { baseOffset, recordCount } = this.#log.append(envelope, appendHeaderBytes, envelope.length, origin);
    this.#dirty = true;
    const result: AppendResult = {
      errorCode: ErrorCode.NONE,
      recordCount,
      baseOffset,
      logStartOffset: this.#log.logStartOffset,
      highWatermark: this.#log.highWatermark,
      message: '',
    };
    this.#acksAwaitingWrite.push({ correlationId: header.correlationId, result, waitForFlush: waitForFlush && this.#log.flushBeforeAck });
  }

  /**
   * Writes out this turn's appends, then answers them (acks=0/1) or queues them for the flush
   * (acks=-1 under flush 'always'). A failed write answers them all KAFKA_STORAGE_ERROR: the log
   * has dropped them. Throws only when the partition must go offline.
   */
  #writeOut(): void {
    if (this.#acksAwaitingWrite.length === 0 && this.#log.unwrittenOffsets === 0) return;
    const acks = this.#acksAwaitingWrite;
    this.#acksAwaitingWrite = [];
    try {
      this.#log.writeOut();
    } catch (error) {
      this.#dirty = true;
      if (!isLanesError(error) || this.#log.failure !== null) {
        this.#acksAwaitingWrite = acks;
        throw error;
      }
      // Logged per failed turn, not per request: a full disk fails every turn until space is freed.
      this.#logger?.warn({ topic: this.topic, partition: this.partition, err: error, appends: acks.length }, 'partition write failed; its appends of this turn are refused');
      for (const ack of acks) this.#replyAppend(ack.correlationId, storageErrorResult(ack.result, errorText(error)));
      return;
    }
    for (const ack of acks) {
      if (ack.waitForFlush) this.#acksAwaitingFlush.push(ack);
      else this.#replyAppend(ack.correlationId, ack.result);
    }
  }

  #replyAppend(correlationId: number, result: AppendResult): void {
    const message = encodeMessage(result.message);
    this.#sink.reply(appendResultHeaderBytes + message.length, (view) => writeAppendResult(view, this.actorId, correlationId, result, message));
  }

  #fetch(envelope: Uint8Array, header: EnvelopeHeader): void {
    // A reader never sees a batch before it is in the file.
    this.#writeOut();
    const request = readFetch(envelope);
    const { batches, highWatermark, logStartOffset } = this.#log.read(request.fetchOffset, Math.min(request.maxBytes, this.#fetchBytesMax));
    // The first batch is always returned whole (clients could not progress otherwise); the log
    // bounds the rest. A first batch larger than a ring record cannot travel: refuse it clearly.
    let batchBytes = 0;
    for (const batch of batches) batchBytes += batch.length;
    if (batchBytes > this.#fetchBytesMax) {
      throw new LanesError(ErrorCode.MESSAGE_TOO_LARGE, `batch of ${batchBytes} bytes exceeds the fetch transfer limit ${this.#fetchBytesMax}`);
    }
    this.#sink.reply(fetchResultHeaderBytes + batchBytes, (view) => {
      writeFetchResultHeader(view, this.actorId, header.correlationId, { errorCode: ErrorCode.NONE, batchBytes, highWatermark, logStartOffset });
      let at = fetchResultHeaderBytes;
      for (const batch of batches) {
        view.set(batch, at);
        at += batch.length;
      }
    });
  }

  #call(envelope: Uint8Array, header: EnvelopeHeader): void {
    this.#writeOut();
    const call = decodeCall<PartitionCalls>(envelope.subarray(envelopeHeaderBytes));
    const method: string = call.method;
    let value: unknown;
    switch (call.method) {
      case 'offsetForTimestamp':
        value = this.#log.offsetForTimestamp(call.args[0]);
        break;
      case 'maxTimestampRecord':
        value = this.#log.maxTimestampRecord();
        break;
      case 'state':
        value = this.state();
        break;
      case 'deleteRecords':
        value = this.#deleteRecords(call.args[0]);
        break;
      case 'activeProducers':
        value = this.#log.activeProducers();
        break;
      case 'abortedTransactions': {
        const { fromOffset, toOffset } = call.args[0];
        value = this.#log.abortedTransactions(fromOffset, toOffset);
        break;
      }
      default:
        throw new LanesError(ErrorCode.INVALID_REQUEST, `partition actor has no method ${method}`);
    }
    const body = encodeCallBody({ ok: true, value });
    if (envelopeHeaderBytes + body.length > this.#sink.replyBytesMax) {
      // DescribeProducers of a partition that remembers a great many producer ids (clients pick
      // them freely): too large to cross back to the host. The request fails; the partition serves on.
      throw new LanesError(ErrorCode.UNKNOWN_SERVER_ERROR, `the answer to ${method} (${body.length} bytes) exceeds the reply ring's ${this.#sink.replyBytesMax}`);
    }
    this.#sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.actorId, header.correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }

  #deleteRecords(offset: number): number {
    const target = offset === deleteRecordsToHighWatermark ? this.#log.highWatermark : offset;
    if (!Number.isSafeInteger(target) || target < 0) {
      throw new LanesError(ErrorCode.OFFSET_OUT_OF_RANGE, `the offset ${offset} for partition ${this.topic}-${this.partition} is not valid`);
    }
    this.#log.deleteRecordsBefore(target);
    // Readers on other threads must stop serving below the new start before anyone is answered.
    this.#dirty = true;
    return this.#log.logStartOffset;
  }

  beforeRepliesVisible(): void {
    if (this.#dirty) this.#publishDirectory();
  }

  endTurn(): void {
    if (this.#offline !== null) return;
    try {
      this.#writeOut();
      if (this.#dirty) this.#publishDirectory();
      if (this.#acksAwaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
    } catch (error) {
      this.#goOffline(this.#log.failure ?? error);
    }
  }

  /** One flush covers every append acknowledged so far; appends arriving meanwhile wait for the next. */
  #startFlush(): void {
    const acks = this.#acksAwaitingFlush;
    this.#acksAwaitingFlush = [];
    this.#flushing = this.#log.flush().then(
      () => {
        for (const ack of acks) this.#replyAppend(ack.correlationId, ack.result);
        this.#sink.publish();
        this.#flushing = null;
        if (this.#acksAwaitingFlush.length > 0) this.#startFlush();
      },
      (error: unknown) => {
        // A failed fsync means the bytes may not be durable: nobody gets a success, and the log
        // is offline (core Log: a retried fsync could succeed without the lost pages).
        this.#flushing = null;
        const message = errorText(error);
        for (const ack of acks) this.#replyAppend(ack.correlationId, storageErrorResult(ack.result, message));
        if (this.#log.failure !== null) this.#goOffline(this.#log.failure);
        this.#sink.publish();
      },
    );
  }

  needsTick(): boolean {
    return this.#offline === null && !this.#closed && this.#log.needsTick;
  }

  tick(nowMs: number): void {
    if (this.#offline !== null || this.#closed) return;
    try {
      const before = this.#log.logStartOffset;
      this.#log.tick(nowMs);
      if (this.#log.logStartOffset !== before) this.#publishDirectory();
    } catch (error) {
      this.#goOffline(this.#log.failure ?? error);
      this.#sink.publish();
    }
  }

  /**
   * Takes this partition offline (see the file comment): every waiting append is refused, readers
   * lose the directory slot, and every later request is answered KAFKA_STORAGE_ERROR.
   */
  #goOffline(cause: unknown): void {
    if (this.#offline !== null) return;
    this.#offline = errorText(cause);
    this.#logger?.error({ topic: this.topic, partition: this.partition, err: cause }, 'partition offline: its log failed; requests for it are answered KAFKA_STORAGE_ERROR until a restart');
    const message = this.#offlineMessage();
    for (const ack of [...this.#acksAwaitingWrite, ...this.#acksAwaitingFlush]) this.#replyAppend(ack.correlationId, storageErrorResult(ack.result, message));
    this.#acksAwaitingWrite = [];
    this.#acksAwaitingFlush = [];
    this.#directory.clear(this.actorId);
  }

  #offlineError(): LanesError {
    return new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, this.#offlineMessage());
  }

  #offlineMessage(): string {
    return `partition ${this.topic}-${this.partition} is offline: ${this.#offline}`;
  }

  #publishDirectory(): void {
    this.#dirty = false;
    this.#directory.publish(this.actorId, {
      highWatermark: this.#log.highWatermark,
      logStartOffset: this.#log.logStartOffset,
      lastStableOffset: this.#log.lastStableOffset,
      lastAbortedOffset: this.#log.lastAbortedOffset,
      segments: this.#log.sharedSegments(),
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#offline === null) {
      try {
        this.#writeOut();
      } catch (error) {
        this.#goOffline(this.#log.failure ?? error);
      }
      if (this.#acksAwaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
      await this.#flushing;
    }
    try {
      await this.#log.close();
    } catch (error) {
      // Closing must not fail the shard's stop: what could not be flushed is reported here, and
      // recovery on the next open keeps exactly what the files hold.
      this.#logger?.error({ topic: this.topic, partition: this.partition, err: error }, 'partition log closed with an error');
    }
    this.#directory.clear(this.actorId);
  }
}

/** The error's message, without the code name a LanesError puts first (the reply carries the code). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const prefix = isLanesError(error) ? `${error.codeName}: ` : '';
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function storageErrorResult(result: AppendResult, message: string): AppendResult {
  return { ...result, errorCode: ErrorCode.KAFKA_STORAGE_ERROR, baseOffset: -1, message };
}
