// Splits a connection's byte stream into frames (`int32 size` + `size` bytes; the frames
// returned exclude the size). Chunks may split a frame anywhere, including inside the size.
// One cutter serves both sides of the wire: the clients' responses (FrameSplitter below) and the
// broker's requests (actors/net/request_frames.ts, which assembles spread frames against its
// request budget and in pooled buffers); only what becomes of a frame's bytes differs, and that is
// the FrameAssembler's part.
//
// A frame lying inside one pushed chunk is handed over as a view of that chunk (no copy), also
// when its size field came in an earlier chunk. Only a frame spread over several chunks is
// assembled. Pushed chunks must not be modified afterwards (Node's socket chunks never are).
//
// A negative size or one above the cap throws FrameSizeError: the stream cannot be resynchronised,
// so the caller closes the connection.

import { assert } from '../assert.js';
import { frameBytesMax as frameBytesMaxDefault } from '../limits.js';
import { FrameSizeError } from './errors.js';

const sizeBytes = 4;

/** What becomes of a frame's bytes: `F` is what the cutter returns per frame. */
export interface FrameAssembler<F> {
  /** A frame lying whole inside one chunk: `bytes` is a view of that chunk. */
  whole(bytes: Uint8Array): F;
  /**
   * A frame of `size` bytes begins that the chunk does not hold whole. `head` is the part of it
   * this chunk holds (possibly empty), to peek at (its api key); it comes again through `part`.
   */
  begin(size: number, head: Uint8Array): void;
  /** The begun frame's next bytes, in order, as views of the chunks. */
  part(bytes: Uint8Array): void;
  /** The begun frame's last byte has arrived. */
  end(): F;
}

/** The one state machine that cuts a stream into frames; the assembler decides what a frame is. */
export class FrameCutter<F> {
  #frameBytesMax: number;
  readonly #assembler: FrameAssembler<F>;
  /** Bytes of a size field split across chunks. */
  readonly #sizeScratch = new Uint8Array(sizeBytes);
  #sizeFilled = 0;
  /** Size of the frame being assembled, or -1 while its size is still being read. */
  #frameBytes = -1;
  /** Bytes of the frame being assembled received so far. */
  #filled = 0;

  constructor(frameBytesMax: number, assembler: FrameAssembler<F>) {
    assert(Number.isInteger(frameBytesMax) && frameBytesMax >= 0 && frameBytesMax <= 0x7fff_ffff, 'frame cap fits an int32');
    this.#frameBytesMax = frameBytesMax;
    this.#assembler = assembler;
  }

  /** A frame has begun (some of its size or body arrived) and is not complete. */
  get started(): boolean {
    return this.#sizeFilled > 0 || this.#frameBytes !== -1;
  }

  /** The cap on frames whose size is read from now on (a SASL connection's grows once authenticated). */
  set frameBytesMax(value: number) {
    assert(Number.isInteger(value) && value >= 0 && value <= 0x7fff_ffff, 'frame cap fits an int32');
    this.#frameBytesMax = value;
  }

  /** The announced size of the frame being assembled, or -1 when none is (its size is not read). */
  get assemblingBytes(): number {
    return this.#frameBytes;
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.#sizeFilled + this.#filled;
  }

  /** Forgets a partial frame (the connection closed); the assembler drops its own part. */
  reset(): void {
    this.#sizeFilled = 0;
    this.#frameBytes = -1;
    this.#filled = 0;
  }

  /**
   * Consumes a chunk; returns the frames it completes, in order (possibly none), appended to
   * `frames`. On a bad size the frames the chunk completed before it stay in `frames` for the
   * caller to give back (the request budget holds them) before it closes the connection.
   */
  push(chunk: Uint8Array, frames: F[] = []): F[] {
    let at = 0;
    const end = chunk.length;
    while (at < end) {
      if (this.#frameBytes === -1) {
        let size: number;
        if (this.#sizeFilled === 0 && end - at >= sizeBytes) {
          // Fast path: the whole size lies in this chunk.
          size = readInt32(chunk, at);
          at += sizeBytes;
        } else {
          // The size itself is split across chunks.
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
          frames.push(this.#assembler.whole(chunk.subarray(at, at + size)));
          at += size;
          continue;
        }
        this.#frameBytes = size;
        this.#filled = 0;
        this.#assembler.begin(size, chunk.subarray(at));
        continue;
      }
      const take = Math.min(this.#frameBytes - this.#filled, end - at);
      this.#assembler.part(chunk.subarray(at, at + take));
      this.#filled += take;
      at += take;
      if (this.#filled === this.#frameBytes) {
        this.#frameBytes = -1;
        this.#filled = 0;
        frames.push(this.#assembler.end());
      }
    }
    assert(at === end, 'every byte of the chunk is consumed');
    return frames;
  }
}

/**
 * Spread frames held as the received pieces and joined once, when complete: a client announcing
 * 100 MiB and sending 10 bytes costs 10 bytes.
 */
export class JoinedPieces implements FrameAssembler<Uint8Array> {
  #size = 0;
  #pieces: Uint8Array[] = [];

  whole(bytes: Uint8Array): Uint8Array {
    return bytes;
  }

  begin(size: number): void {
    this.#size = size;
    this.#pieces = [];
  }

  part(bytes: Uint8Array): void {
    this.#pieces.push(bytes);
  }

  end(): Uint8Array {
    const frame = new Uint8Array(this.#size);
    let position = 0;
    for (const piece of this.#pieces) {
      frame.set(piece, position);
      position += piece.length;
    }
    assert(position === this.#size, 'joined pieces make the whole frame');
    this.#pieces = [];
    return frame;
  }
}

/** Frames as plain bytes (views, or spread frames joined): what the clients read responses with. */
export class FrameSplitter extends FrameCutter<Uint8Array> {
  constructor(frameBytesMax: number = frameBytesMaxDefault) {
    super(frameBytesMax, new JoinedPieces());
  }
}

function readInt32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) | 0;
}
