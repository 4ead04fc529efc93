// Splits a connection's byte stream into frames (`int32 size` + `size` bytes; the frames
// returned exclude the size). Chunks may split a frame anywhere, including inside the size.
//
// A frame lying inside one pushed chunk is returned as a view of that chunk (no copy); only a
// frame spread over several chunks is copied, once, when its last byte arrives. Partial frames are
// held as the received pieces, not as a buffer of the announced size, so a client announcing
// 100 MiB and sending 10 bytes costs 10 bytes. Pushed chunks must not be modified afterwards
// (Node's socket chunks never are).
//
// A negative size or one above the cap throws FrameSizeError: the stream cannot be resynchronised,
// so the caller closes the connection.

import { assert } from '../assert.js';
import { frameBytesMax as frameBytesMaxDefault } from '../limits.js';
import { FrameSizeError } from './errors.js';

const sizeBytes = 4;

export class FrameSplitter {
  private readonly frameBytesMax: number;
  /** Bytes of a size field split across chunks. */
  private readonly sizeScratch = new Uint8Array(sizeBytes);
  private sizeFilled = 0;
  /** Size of the frame being collected, or -1 while its size is still being read. */
  private frameBytes = -1;
  private readonly pieces: Uint8Array[] = [];
  private piecesBytes = 0;

  constructor(frameBytesMax: number = frameBytesMaxDefault) {
    assert(Number.isInteger(frameBytesMax) && frameBytesMax >= 0 && frameBytesMax <= 0x7fff_ffff, 'frame cap fits an int32');
    this.frameBytesMax = frameBytesMax;
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.sizeFilled + this.piecesBytes;
  }

  /** Consumes a chunk; returns the frames it completes, in order (possibly none). */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      if (this.frameBytes === -1) {
        // Fast path: the whole size, and maybe the whole frame, lies in this chunk.
        if (this.sizeFilled === 0 && end - offset >= sizeBytes) {
          const size = readInt32(chunk, offset);
          this.checkSize(size);
          offset += sizeBytes;
          if (end - offset >= size) {
            frames.push(chunk.subarray(offset, offset + size));
            offset += size;
            continue;
          }
          this.frameBytes = size;
          continue;
        }
        // Slow path: the size itself is split across chunks.
        const take = Math.min(sizeBytes - this.sizeFilled, end - offset);
        this.sizeScratch.set(chunk.subarray(offset, offset + take), this.sizeFilled);
        this.sizeFilled += take;
        offset += take;
        if (this.sizeFilled < sizeBytes) break;
        const size = readInt32(this.sizeScratch, 0);
        this.sizeFilled = 0;
        this.checkSize(size);
        if (size === 0) frames.push(new Uint8Array(0));
        else this.frameBytes = size;
        continue;
      }
      // Collecting a frame whose start arrived in an earlier chunk (or just after its size).
      const needed = this.frameBytes - this.piecesBytes;
      const take = Math.min(needed, end - offset);
      if (take === needed && this.piecesBytes === 0) {
        // The frame starts and ends in this chunk after all: no copy.
        frames.push(chunk.subarray(offset, offset + take));
      } else {
        this.pieces.push(chunk.subarray(offset, offset + take));
        this.piecesBytes += take;
        if (this.piecesBytes === this.frameBytes) frames.push(this.joinPieces());
      }
      offset += take;
      if (take === needed) this.frameBytes = -1;
    }
    assert(offset === end, 'every byte of the chunk is consumed');
    return frames;
  }

  private checkSize(size: number): void {
    if (size < 0 || size > this.frameBytesMax) throw new FrameSizeError(size, this.frameBytesMax);
  }

  private joinPieces(): Uint8Array {
    const frame = new Uint8Array(this.piecesBytes);
    let position = 0;
    for (const piece of this.pieces) {
      frame.set(piece, position);
      position += piece.length;
    }
    assert(position === this.frameBytes, 'joined pieces make the whole frame');
    this.pieces.length = 0;
    this.piecesBytes = 0;
    return frame;
  }
}

function readInt32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) | 0;
}
