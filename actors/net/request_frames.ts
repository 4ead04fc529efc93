// Cuts a connection's byte stream into request frames, as core/protocol/frame.ts's FrameSplitter
// does (views for frames inside one chunk, held pieces joined once for spread ones, FrameSizeError
// for negative or oversized sizes), with one difference that the profile asked for: a Produce frame spread over several socket chunks is assembled in a buffer
// borrowed from a pool instead of a fresh allocation. Produce frames are the big ones (hundreds
// of KiB at high throughput); allocating one per request made the main thread spend ~14 % of its
// time in the garbage collector and page faults (bench/load, 100 B records end to end).
//
// A pooled frame must be given back with `release` once nothing refers to its bytes: the
// connection does so when the request's handler has finished (Produce copies its batches into
// the shard ring before it resolves) or when the request is refused.
//
// Request bytes in memory are counted in the listener's request budget (Kafka's
// queued.max.request.bytes): every frame returned holds `bytes.length` of it until the
// connection gives them back with the frame. A frame spread over chunks takes its announced size
// when its size is read, as Kafka reserves it from its memory pool; if the budget cannot admit it,
// `waitingForBudget` is true and the connection stops reading until `admit()` succeeds, so a
// client announcing a huge frame holds at most the rest of one socket chunk meanwhile. Those
// bytes are not counted until the frame is admitted or complete: counting them would let a few
// waiting connections hold the budget that each of them needs to be admitted (a deadlock);
// uncounted, they stay bounded by one socket read per connection. Spread
// frames grow as their bytes arrive (pieces); only an admitted Produce frame borrows a pooled
// buffer of its announced size.
//
// Main thread (the connection's).
import { assert } from '../../core/assert.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { FrameSizeError } from '../../core/protocol/errors.js';
import type { ByteBudget } from './byte_budget.js';

export interface RequestFrame {
  bytes: Uint8Array;
  /** Gives a pooled buffer back; a no-op for frames that are views of socket chunks. */
  release: () => void;
}

const noRelease = (): void => {};
/** Smaller spread frames are not worth pooling; bigger ones are not held for long enough. */
const pooledBytesMin = 16 * 1024;
const pooledBytesMax = 16 * 1024 * 1024;
const sizeBytes = 4;

/**
 * Buffers by power-of-two size class, shared by every connection of the process. Bounded: at
 * most `perClassMax` idle buffers per class are kept; more are left to the collector.
 */
export class FramePool {
  readonly #idle = new Map<number, Uint8Array[]>();
  readonly #perClassMax: number;

  constructor(perClassMax = 16) {
    this.#perClassMax = perClassMax;
  }

  take(bytes: number): Uint8Array {
    const size = sizeClass(bytes);
    const buffer = this.#idle.get(size)?.pop() ?? new Uint8Array(size);
    assert(buffer.length >= bytes, 'a pooled buffer holds the frame');
    return buffer;
  }

  give(buffer: Uint8Array): void {
    const size = buffer.length;
    assert(size === sizeClass(size), 'only pooled buffers come back');
    let idle = this.#idle.get(size);
    if (idle === undefined) this.#idle.set(size, (idle = []));
    if (idle.length < this.#perClassMax) idle.push(buffer);
  }
}

function sizeClass(bytes: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(bytes, pooledBytesMin)));
}

export const sharedFramePool = new FramePool();

export class RequestFrames {
  readonly #frameBytesMax: number;
  readonly #pool: FramePool;
  readonly #budget: ByteBudget;
  /** Whether the frame being collected holds its announced size in the budget. */
  #admitted = false;
  readonly #sizeScratch = new Uint8Array(sizeBytes);
  #sizeFilled = 0;
  /** Size of the frame being collected, or -1 while its size is still being read. */
  #frameBytes = -1;
  #filled = 0;
  /** The pooled buffer a spread Produce frame is assembled in, or null: then `#pieces`. */
  #pooled: Uint8Array | null = null;
  /**
   * Other spread frames are held as the received pieces and joined when complete (as the plain
   * splitter does), so a client announcing 100 MiB and sending 10 bytes costs 10 bytes.
   */
  #pieces: Uint8Array[] = [];

  constructor(frameBytesMax: number, budget: ByteBudget, pool: FramePool = sharedFramePool) {
    assert(Number.isInteger(frameBytesMax) && frameBytesMax >= 0 && frameBytesMax <= 0x7fff_ffff, 'frame cap fits an int32');
    this.#frameBytesMax = frameBytesMax;
    this.#pool = pool;
    this.#budget = budget;
  }

  /** A frame has begun (some of its size or body arrived) and is not complete. */
  get frameStarted(): boolean {
    return this.#sizeFilled > 0 || this.#frameBytes !== -1;
  }

  /** The frame being collected is larger than what the request budget has left. */
  get waitingForBudget(): boolean {
    return this.#frameBytes !== -1 && !this.#admitted;
  }

  /** Retries taking the size of a frame waiting for the budget (nothing if none waits). */
  admit(): void {
    if (this.waitingForBudget) this.#admitted = this.#budget.tryTake(this.#frameBytes);
  }

  /** Drops a partial frame (the connection closed): its budget and pooled buffer go back. */
  discard(): void {
    if (this.#admitted) this.#budget.give(this.#frameBytes);
    if (this.#pooled !== null) this.#pool.give(this.#pooled);
    this.#pooled = null;
    this.#admitted = false;
    this.#frameBytes = -1;
    this.#filled = 0;
    this.#sizeFilled = 0;
    this.#pieces = [];
  }

  /** Consumes a chunk; returns the frames it completes, in order. Throws FrameSizeError. */
  push(received: Uint8Array): RequestFrame[] {
    // A socket's Buffer is viewed as a plain Uint8Array: its subarray() (frames here, and every
    // byte field the reader and Produce cut from a frame) then skips Buffer's species
    // construction, a few hundred bytes per view on the main thread. Same memory, no copy.
    const chunk = new Uint8Array(received.buffer, received.byteOffset, received.byteLength);
    const frames: RequestFrame[] = [];
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (this.#frameBytes === -1) {
        let size: number;
        if (this.#sizeFilled === 0 && end - at >= sizeBytes) {
          size = readInt32(chunk, at);
          at += sizeBytes;
        } else {
          const take = Math.min(sizeBytes - this.#sizeFilled, end - at);
          this.#sizeScratch.set(chunk.subarray(at, at + take), this.#sizeFilled);
          this.#sizeFilled += take;
          at += take;
          if (this.#sizeFilled < sizeBytes) break;
          this.#sizeFilled = 0;
          size = readInt32(this.#sizeScratch, 0);
        }
        if (size < 0 || size > this.#frameBytesMax) throw new FrameSizeError(size, this.#frameBytesMax);
        if (end - at >= size) {
          // The whole frame lies in this chunk: a view, no copy. Already in memory: counted as is.
          this.#budget.take(size);
          frames.push({ bytes: chunk.subarray(at, at + size), release: noRelease });
          at += size;
          continue;
        }
        this.#frameBytes = size;
        this.#filled = 0;
        this.#admitted = this.#budget.tryTake(size);
        const apiKey = end - at >= 2 ? (chunk[at] << 8) | chunk[at + 1] : -1;
        if (this.#admitted && apiKey === ApiKey.Produce && size >= pooledBytesMin && size <= pooledBytesMax) this.#pooled = this.#pool.take(size);
        continue;
      }
      const take = Math.min(this.#frameBytes - this.#filled, end - at);
      const part = chunk.subarray(at, at + take);
      if (this.#pooled !== null) this.#pooled.set(part, this.#filled);
      else this.#pieces.push(part);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#frameBytes) frames.push(this.#finish());
    }
    assert(at === end, 'every byte of the chunk is consumed');
    return frames;
  }

  #finish(): RequestFrame {
    const size = this.#frameBytes;
    const pooled = this.#pooled;
    // Completed from bytes received while waiting for the budget: in memory, so counted now.
    if (!this.#admitted) this.#budget.take(size);
    this.#admitted = false;
    this.#frameBytes = -1;
    this.#filled = 0;
    this.#pooled = null;
    if (pooled !== null) return { bytes: pooled.subarray(0, size), release: once(() => this.#pool.give(pooled)) };
    const frame = new Uint8Array(size);
    let position = 0;
    for (const piece of this.#pieces) {
      frame.set(piece, position);
      position += piece.length;
    }
    assert(position === size, 'joined pieces make the whole frame');
    this.#pieces = [];
    return { bytes: frame, release: noRelease };
  }
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}

function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}
