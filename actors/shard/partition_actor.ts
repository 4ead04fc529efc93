// The partition actor: owns one partition's log on its shard and is the only code that writes
// it. It answers Append (validate, assign offsets, copy: the producer's bytes are stored as
// sent), Fetch (for logs whose bytes are not all in shared memory), and low-rate Calls (offset
// lookups). After every turn in which it appended, it republishes its directory slot so readers
// on other threads see the new committed bytes and high watermark.
//
// Acknowledgement and durability: an Append that asks to wait for the flush policy is answered
// only after the log's flush covering it resolves; with flush 'always' that is an fsync, and all
// the appends of one turn share it (group commit).
import { decodeCallBody, encodeCallBody } from '../call_body.js';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import {
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
import type { Actor, ReplySink } from './actor.js';
import type { DirectorySegment, PartitionDirectory } from './partition_directory.js';
import type { PartitionState } from './shard_control.js';

/** What the actor needs of a partition log (core/log's Log, adapted in log_adapter.ts). */
export interface PartitionLog {
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly sizeBytes: number;
  readonly segmentCount: number;
  /** True when acknowledging an append must wait for flush() (flush policy 'always'). */
  readonly flushBeforeAck: boolean;
  append(bytes: Uint8Array, start: number, end: number): { baseOffset: number; recordCount: number };
  read(fetchOffset: number, maxBytes: number): { batches: Uint8Array[]; highWatermark: number; logStartOffset: number };
  offsetForTimestamp(timestampMs: number): number;
  flush(): Promise<void>;
  /** Retention, time-based rolls and interval flushes. */
  tick(nowMs: number): void;
  /** Seals the active segment and starts a new one (nothing happens when it is empty). */
  roll(): void;
  /** Makes `offset` the log start offset (durably) and deletes the segments wholly below it. */
  deleteRecordsBefore(offset: number): void;
  /** Segments whose bytes live in shared memory, oldest first (none for disk-only logs). */
  sharedSegments(): DirectorySegment[];
  close(): Promise<void>;
}

interface PendingAck {
  correlationId: number;
  result: AppendResult;
}

export class PartitionActor implements Actor {
  readonly actorId: number;
  readonly topic: string;
  readonly partition: number;
  readonly #log: PartitionLog;
  readonly #sink: ReplySink;
  readonly #directory: PartitionDirectory;
  readonly #fetchBytesMax: number;
  #dirty = true;
  #acksAwaitingFlush: PendingAck[] = [];
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
  }) {
    this.actorId = options.actorId;
    this.topic = options.topic;
    this.partition = options.partition;
    this.#log = options.log;
    this.#sink = options.sink;
    this.#directory = options.directory;
    this.#fetchBytesMax = options.fetchBytesMax;
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
    };
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    assert(!this.#closed, `partition actor ${this.actorId} received mail after close`);
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
    const waitForFlush = dataViewOf(envelope).getUint16(envelopeHeaderBytes, true) === 1;
    const { baseOffset, recordCount } = this.#log.append(envelope, appendHeaderBytes, envelope.length);
    this.#dirty = true;
    const result: AppendResult = {
      errorCode: ErrorCode.NONE,
      recordCount,
      baseOffset,
      logStartOffset: this.#log.logStartOffset,
      highWatermark: this.#log.highWatermark,
      message: '',
    };
    if (waitForFlush && this.#log.flushBeforeAck) this.#acksAwaitingFlush.push({ correlationId: header.correlationId, result });
    else this.#replyAppend(header.correlationId, result);
  }

  #replyAppend(correlationId: number, result: AppendResult): void {
    const message = encodeMessage(result.message);
    this.#sink.reply(appendResultHeaderBytes + message.length, (view) => writeAppendResult(view, this.actorId, correlationId, result, message));
  }

  #fetch(envelope: Uint8Array, header: EnvelopeHeader): void {
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
    const { method, args } = decodeCallBody(envelope.subarray(envelopeHeaderBytes)) as { method: string; args: unknown[] };
    let value: unknown;
    switch (method) {
      case 'offsetForTimestamp':
        value = this.#log.offsetForTimestamp(args[0] as number);
        break;
      case 'state':
        value = this.state();
        break;
      default:
        throw new LanesError(ErrorCode.INVALID_REQUEST, `partition actor has no method ${method}`);
    }
    const body = encodeCallBody({ ok: true, value });
    this.#sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.actorId, header.correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }

  beforeRepliesVisible(): void {
    if (this.#dirty) this.#publishDirectory();
  }

  endTurn(): void {
    if (this.#dirty) this.#publishDirectory();
    if (this.#acksAwaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
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
        // A failed fsync means the bytes may not be durable: nobody gets a success.
        const message = `flush failed: ${error instanceof Error ? error.message : String(error)}`;
        for (const ack of acks) this.#replyAppend(ack.correlationId, { ...ack.result, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message });
        this.#sink.publish();
        this.#flushing = null;
      },
    );
  }

  tick(nowMs: number): void {
    const before = this.#log.logStartOffset;
    this.#log.tick(nowMs);
    if (this.#log.logStartOffset !== before) this.#publishDirectory();
  }

  #publishDirectory(): void {
    this.#dirty = false;
    this.#directory.publish(this.actorId, {
      highWatermark: this.#log.highWatermark,
      logStartOffset: this.#log.logStartOffset,
      segments: this.#log.sharedSegments(),
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#acksAwaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
    await this.#flushing;
    await this.#log.close();
    this.#directory.clear(this.actorId);
  }
}
