// Cuts a connection's byte stream into request frames with core/protocol/frame.ts's FrameCutter
// (views for frames inside one chunk, FrameSizeError for negative or oversized sizes); what this
// file adds is how a spread frame is assembled. A Produce frame spread over several socket chunks
// is assembled in a buffer borrowed from a pool instead of a fresh allocation, as the profile
// asked: Produce frames are the big ones (hundreds of KiB at high throughput); allocating one per
// request made the main thread spend ~14 % of its time in the garbage collector and page faults
// (bench/load, 100 B records end to end).
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
import { FrameCutter, JoinedPieces, type FrameAssembler } from '../../core/protocol/frame.js';
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

/** How request frames are assembled: against the request budget, Produce frames in pooled buffers. */
class RequestAssembler implements FrameAssembler<RequestFrame> {
  readonly #pool: FramePool;
  readonly #budget: ByteBudget;
  /** Size of the spread frame being assembled. */
  #size = 0;
  /** Whether the frame being assembled holds its announced size in the budget. */
  admitted = false;
  #filled = 0;
  /** The pooled buffer a spread Produce frame is assembled in, or null: then `#pieces`. */
  #pooled: Uint8Array | null = null;
  /**
   * Other spread frames are held as the received pieces and joined when complete (as the plain
   * splitter does), so a client announcing 100 MiB and sending 10 bytes costs 10 bytes.
   */
  #pieces = new JoinedPieces();

  constructor(pool: FramePool, budget: ByteBudget) {
    this.#pool = pool;
    this.#budget = budget;
  }

  whole(bytes: Uint8Array): RequestFrame {
    // Already in memory: counted as is.
    this.#budget.take(bytes.length);
    return { bytes, release: noRelease };
  }

  begin(size: number, head: Uint8Array): void {
    this.#size = size;
    this.#filled = 0;
    this.admitted = this.#budget.tryTake(size);
    const apiKey = head.length >= 2 ? (head[0] << 8) | head[1] : -1;
    if (this.admitted && apiKey === ApiKey.Produce && size >= pooledBytesMin && size <= pooledBytesMax) this.#pooled = this.#pool.take(size);
    else this.#pieces.begin(size);
  }

  /** Retries taking the size of a frame waiting for the budget. */
  admit(): void {
    this.admitted = this.#budget.tryTake(this.#size);
  }

  part(bytes: Uint8Array): void {
    if (this.#pooled !== null) this.#pooled.set(bytes, this.#filled);
    else this.#pieces.part(bytes);
    this.#filled += bytes.length;
  }

  end(): RequestFrame {
    const size = this.#size;
    const pooled = this.#pooled;
    // Completed from bytes received while waiting for the budget: in memory, so counted now.
    if (!this.admitted) this.#budget.take(size);
    this.admitted = false;
    this.#pooled = null;
    if (pooled !== null) return { bytes: pooled.subarray(0, size), release: once(() => this.#pool.give(pooled)) };
    return { bytes: this.#pieces.end(), release: noRelease };
  }

  /** Drops a partial frame: its budget and pooled buffer go back. */
  discard(): void {
    if (this.admitted) this.#budget.give(this.#size);
    if (this.#pooled !== null) this.#pool.give(this.#pooled);
    this.#pooled = null;
    this.admitted = false;
    this.#pieces = new JoinedPieces();
  }
}

export class RequestFrames {
  readonly #assembler: RequestAssembler;
  readonly #cutter: FrameCutter<RequestFrame>;

  readonly #budget: ByteBudget;

  constructor(frameBytesMax: number, budget: ByteBudget, pool: FramePool = sharedFramePool) {
    this.#budget = budget;
    this.#assembler = new RequestAssembler(pool, budget);
    this.#cutter = new FrameCutter(frameBytesMax, this.#assembler);
  }

  /** The cap on frames from now on (FrameCutter.frameBytesMax). */
  set frameBytesMax(value: number) {
    this.#cutter.frameBytesMax = value;
  }

  /** A frame has begun (some of its size or body arrived) and is not complete. */
  get frameStarted(): boolean {
    return this.#cutter.started;
  }

  /** The frame being collected is larger than what the request budget has left. */
  get waitingForBudget(): boolean {
    return this.#cutter.assemblingBytes !== -1 && !this.#assembler.admitted;
  }

  /** Retries taking the size of a frame waiting for the budget (nothing if none waits). */
  admit(): void {
    if (this.waitingForBudget) this.#assembler.admit();
  }

  /** Drops a partial frame (the connection closed): its budget and pooled buffer go back. */
  discard(): void {
    if (this.#cutter.assemblingBytes !== -1) this.#assembler.discard();
    this.#cutter.reset();
  }

  /** Consumes a chunk; returns the frames it completes, in order. Throws FrameSizeError. */
  push(received: Uint8Array): RequestFrame[] {
    // A socket's Buffer is viewed as a plain Uint8Array: its subarray() (frames here, and every
    // byte field the reader and Produce cut from a frame) then skips Buffer's species
    // construction, a few hundred bytes per view on the main thread. Same memory, no copy.
    const frames: RequestFrame[] = [];
    try {
      return this.#cutter.push(new Uint8Array(received.buffer, received.byteOffset, received.byteLength), frames);
    } catch (error) {
      // A bad size later in the chunk: the connection closes, and the frames this chunk completed
      // before it are never handled, so their budget goes back now. (Kept, it leaked: a fuzz run's
      // size lies after well-formed frames filled the budget and the broker stopped reading.)
      for (const frame of frames) {
        frame.release();
        this.#budget.give(frame.bytes.length);
      }
      throw error;
    }
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
