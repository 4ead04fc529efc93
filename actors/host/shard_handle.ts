// The host's end of one shard: the thread it runs on, its control plane (comlink) and its data plane
// (a request ring in, a reply ring out). Requests written during one tick of the event loop are
// published together, once, at the end of the tick: many requests per publish.
import * as Comlink from 'comlink';
import { decodeCallBody, encodeCallBody, type ActorAddress, type CallBody, type CallMap, type CallResult } from '../call_body.js';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import {
  appendHeaderBytes,
  AppendFlag,
  dataViewOf,
  envelopeHeaderBytes,
  EnvelopeKind,
  fetchHeaderBytes,
  fetchResultHeaderBytes,
  readAppendResultAt,
  readFetchResultHeaderAt,
  writeEnvelopeHeader,
  writeEnvelopeHeaderAt,
  writeFetch,
  type AppendResult,
  type FetchResultHeader,
} from '../envelope.js';
import { RingReader, RingWriter } from '../ring/spsc_ring.js';
import type { ShardControl } from '../shard/shard_control.js';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export interface FetchReply extends FetchResultHeader {
  /** A private copy of the whole batches returned (the ring record is reused after this tick). */
  bytes: Uint8Array;
}

/**
 * Where a shard runs, as the host sees it: a worker thread (a node Worker is one), or the host's
 * own thread (host/shard_threads.ts). 'error': the shard failed; 'exit': it ended.
 */
export interface ShardThread {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'exit', listener: (exitCode: number) => void): unknown;
  once(event: 'exit', listener: (exitCode: number) => void): unknown;
  terminate(): Promise<number>;
}

export class ShardHandle {
  readonly id: number;
  readonly thread: ShardThread;
  readonly control: Comlink.Remote<ShardControl>;
  readonly #requests: RingWriter;
  readonly #replies: RingReader;
  readonly #pending = new Map<number, Pending>();
  /** Writes waiting for ring room, in order; while any wait, new writes queue behind them. */
  readonly #blocked: { bytes: number; write: (view: Uint8Array) => void }[] = [];
  #draining = false;
  #nextCorrelationId = 1;
  #publishScheduled = false;
  #failure: Error | null = null;
  #exited = false;
  /** Called after each publish of requests (the reply pump starts looking for their replies). */
  onRequestsPublished: () => void = () => {};

  constructor(id: number, thread: ShardThread, control: Comlink.Remote<ShardControl>, requests: RingWriter, replies: RingReader) {
    this.id = id;
    this.thread = thread;
    thread.once('exit', () => {
      this.#exited = true;
    });
    this.control = control;
    this.#requests = requests;
    this.#replies = replies;
  }

  /** True once the shard's thread has ended (an inline shard: once terminated). */
  get exited(): boolean {
    return this.#exited;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  /** `marker`: the batch is a transaction marker the broker built (Broker.writeTxnMarkers). */
  append(actorId: number, batch: Uint8Array, waitForFlush: boolean, marker = false): Promise<AppendResult> {
    const flags = (waitForFlush ? AppendFlag.waitForFlush : 0) | (marker ? AppendFlag.marker : 0);
    // Hot path (every produced batch): written straight into the ring through its one DataView,
    // no closure, view or DataView per request. The general path below is for a full ring.
    const at = this.#reserveNow(appendHeaderBytes + batch.length);
    if (at >= 0) {
      const correlationId = this.#takeCorrelationId();
      const view = this.#requests.dataView;
      writeEnvelopeHeaderAt(view, at, EnvelopeKind.Append, actorId, correlationId);
      view.setUint16(at + envelopeHeaderBytes, flags, true);
      view.setUint16(at + envelopeHeaderBytes + 2, 0, true);
      this.#requests.data.set(batch, at + appendHeaderBytes);
      this.#schedulePublish();
      return this.#expect(correlationId) as Promise<AppendResult>;
    }
    return this.#request((correlationId) => ({
      bytes: appendHeaderBytes + batch.length,
      write: (view) => {
        const data = dataViewOf(view);
        writeEnvelopeHeader(data, EnvelopeKind.Append, actorId, correlationId);
        data.setUint16(envelopeHeaderBytes, flags, true);
        data.setUint16(envelopeHeaderBytes + 2, 0, true);
        view.set(batch, appendHeaderBytes);
      },
    })) as Promise<AppendResult>;
  }

  fetch(actorId: number, fetchOffset: number, maxBytes: number): Promise<FetchReply> {
    return this.#request((correlationId) => ({
      bytes: fetchHeaderBytes,
      write: (view) => writeFetch(view, actorId, correlationId, { fetchOffset, maxBytes }),
    })) as Promise<FetchReply>;
  }

  /**
   * A low-rate data-plane call (group coordinator requests, offset lookups): `method` of the
   * actor at `actor`, checked with its request and result against the actor's call map.
   */
  call<Calls extends CallMap, M extends keyof Calls & string>(actor: ActorAddress<Calls>, method: M, request: Calls[M]['request']): Promise<CallResult<Calls[M]['result']>> {
    const call: CallBody<Calls, M> = { method, args: [request] };
    const body = encodeCallBody(call);
    return this.#request((correlationId) => ({
      bytes: envelopeHeaderBytes + body.length,
      write: (view) => {
        writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.Call, actor.actorId, correlationId);
        view.set(body, envelopeHeaderBytes);
      },
    })) as Promise<CallResult<Calls[M]['result']>>;
  }

  get payloadBytesMax(): number {
    return this.#requests.payloadBytesMax;
  }

  /** Room for `bytes` in the request ring right now, with nothing queued before it; else −1. */
  #reserveNow(bytes: number): number {
    if (this.#failure !== null || this.#blocked.length > 0 || bytes > this.#requests.payloadBytesMax) return -1;
    return this.#requests.reserveOffset(bytes);
  }

  #takeCorrelationId(): number {
    const correlationId = this.#nextCorrelationId;
    this.#nextCorrelationId = (this.#nextCorrelationId + 1) >>> 0 || 1;
    return correlationId;
  }

  #expect(correlationId: number): Promise<unknown> {
    return new Promise((resolve, reject) => this.#pending.set(correlationId, { resolve, reject }));
  }

  #request(build: (correlationId: number) => { bytes: number; write: (view: Uint8Array) => void }): Promise<unknown> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    const correlationId = this.#takeCorrelationId();
    const request = build(correlationId);
    if (request.bytes > this.#requests.payloadBytesMax) {
      return Promise.reject(new LanesError(ErrorCode.MESSAGE_TOO_LARGE, `request of ${request.bytes} bytes exceeds the ring's ${this.#requests.payloadBytesMax}`));
    }
    const promise = this.#expect(correlationId);
    const view = this.#blocked.length === 0 ? this.#requests.reserve(request.bytes) : null;
    if (view !== null) {
      request.write(view);
      this.#schedulePublish();
    } else {
      this.#blocked.push(request);
      void this.#drainBlocked();
    }
    return promise;
  }

  /**
   * Publishes the requests written so far this tick without waiting for the microtask. stop()
   * needs it: its stop message travels by postMessage, which the shard may read before a publish
   * still queued as a microtask, and a request published after the shard's last turn is never
   * answered (publish is idempotent, so the queued one then finds nothing to do).
   */
  publishNow(): void {
    if (this.#failure === null) this.#publish();
  }

  #publish(): void {
    if (this.#requests.publish()) this.onRequestsPublished();
  }

  #schedulePublish(): void {
    if (this.#publishScheduled) return;
    this.#publishScheduled = true;
    queueMicrotask(() => {
      this.#publishScheduled = false;
      this.#publish();
    });
  }

  async #drainBlocked(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#blocked.length > 0 && this.#failure === null) {
        const next = this.#blocked[0];
        await this.#requests.waitForRoomAsync(next.bytes);
        const view = this.#requests.reserve(next.bytes);
        if (view === null) continue;
        this.#blocked.shift();
        next.write(view);
        this.#schedulePublish();
      }
    } finally {
      this.#draining = false;
    }
  }

  /** True when replies are waiting (refreshes the shard's tail). */
  hasReplies(): boolean {
    return this.#replies.hasData();
  }

  /** Resolves every reply the shard has published; returns how many. */
  drainReplies(onHighWatermark?: (actorId: number, highWatermark: number) => void): number {
    let count = 0;
    // Read in place through the ring's one DataView: no view, DataView or header object per reply.
    const replies = this.#replies;
    const view = replies.dataView;
    const data = replies.data;
    for (let at = replies.readAt(); at >= 0; at = replies.readAt()) {
      const length = replies.lastLength;
      assert(length >= envelopeHeaderBytes, `shard ${this.id} sent a reply of ${length} bytes`);
      const kind = view.getUint8(at);
      const actorId = view.getUint32(at + 4, true);
      const correlationId = view.getUint32(at + 8, true);
      count++;
      const pending = this.#pending.get(correlationId);
      if (pending === undefined) assert(false, `shard ${this.id} answered unknown correlation id ${correlationId}`);
      this.#pending.delete(correlationId);
      switch (kind) {
        case EnvelopeKind.AppendResult: {
          const result = readAppendResultAt(view, data, at, length);
          if (result.errorCode === 0) onHighWatermark?.(actorId, result.highWatermark);
          pending.resolve(result);
          break;
        }
        case EnvelopeKind.FetchResult: {
          const result = readFetchResultHeaderAt(view, at);
          const start = at + fetchResultHeaderBytes;
          const bytes = data.slice(start, start + result.batchBytes);
          pending.resolve({ ...result, bytes });
          break;
        }
        case EnvelopeKind.CallResult:
          pending.resolve(decodeCallBody(data.subarray(at + envelopeHeaderBytes, at + length)) as CallResult);
          break;
        default:
          assert(false, `shard ${this.id} sent a reply of kind ${kind}`);
      }
    }
    this.#replies.release();
    return count;
  }

  /**
   * The shard died or stopped: every request still waiting (unanswered, or not yet written for
   * want of ring room) fails with `error`, and so does every later one.
   */
  fail(error: Error): void {
    this.#failure = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.#blocked.length = 0;
  }
}
