// The partition directory: where a reader thread finds a partition's committed log bytes in shared
// memory without asking the shard that owns it. One fixed-size slot per partition actor:
//
//   byte 0    i32  sequence        seqlock: odd while the shard rewrites the slot
//   byte 4    i32  segmentCount    in-memory segments listed below (oldest first)
//   byte 8    i32  flags           bit 0: the slot is live
//   byte 16   f64  highWatermark
//   byte 24   f64  logStartOffset
//   byte 32   f64  lastStableOffset   read_committed readers stop below it
//   byte 40   f64  lastAbortedOffset  the newest aborted transaction's marker, −1: none (a
//                                     read_committed read from past it needs no aborted list)
//   byte 48   segments, 32 bytes each:
//             f64 baseOffset, u32 bytesPtr, u32 capacity, u32 committedBytes,
//             u32 indexPtr, u32 indexCount, u32 reserved
//
// The owning shard is the only writer (a seqlock, as pino's thread-stream does: bump to odd,
// write, bump to even). Readers copy the slot and retry when the sequence moved. The bytes the
// slot points at below committedBytes never change while listed: the log only appends past them,
// and a segment leaves the directory before its memory is retired (see ../epochs.ts).
import { assert } from '../../core/assert.js';

export const directorySlotBytes = 1024;
const slotHeaderBytes = 48;
export const directorySegmentsMax = Math.floor((directorySlotBytes - slotHeaderBytes) / 32);

export interface DirectorySegment {
  baseOffset: number;
  bytesPtr: number;
  capacity: number;
  committedBytes: number;
  indexPtr: number;
  indexCount: number;
}

export interface DirectorySnapshot {
  highWatermark: number;
  logStartOffset: number;
  lastStableOffset: number;
  lastAbortedOffset: number;
  /** In-memory segments, oldest first; empty when the partition keeps its data on disk only. */
  segments: DirectorySegment[];
}

export class PartitionDirectory {
  readonly #buffer: SharedArrayBuffer;
  readonly #byteOffset: number;
  readonly slots: number;
  readonly #ints: Int32Array;
  readonly #view: DataView;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, slots: number) {
    assert(byteOffset % 64 === 0, 'directory must be 64-aligned');
    assert(byteOffset + slots * directorySlotBytes <= buffer.byteLength, 'directory runs past its buffer');
    this.#buffer = buffer;
    this.#byteOffset = byteOffset;
    this.slots = slots;
    this.#ints = new Int32Array(buffer, byteOffset, (slots * directorySlotBytes) / 4);
    this.#view = new DataView(buffer, byteOffset, slots * directorySlotBytes);
  }

  static regionBytes(slots: number): number {
    return slots * directorySlotBytes;
  }

  /** Shard side: rewrites slot `slot` under the seqlock. */
  publish(slot: number, snapshot: DirectorySnapshot): void {
    assert(slot >= 0 && slot < this.slots, `directory slot ${slot} out of range`);
    assert(snapshot.segments.length <= directorySegmentsMax, `${snapshot.segments.length} segments exceed the directory slot`);
    const word = (slot * directorySlotBytes) / 4;
    const base = slot * directorySlotBytes;
    const sequence = Atomics.add(this.#ints, word, 1) + 1;
    assert((sequence & 1) === 1, 'directory slot written by two threads');
    this.#ints[word + 1] = snapshot.segments.length;
    this.#ints[word + 2] = 1;
    this.#view.setFloat64(base + 16, snapshot.highWatermark, true);
    this.#view.setFloat64(base + 24, snapshot.logStartOffset, true);
    this.#view.setFloat64(base + 32, snapshot.lastStableOffset, true);
    this.#view.setFloat64(base + 40, snapshot.lastAbortedOffset, true);
    snapshot.segments.forEach((segment, i) => {
      const at = base + slotHeaderBytes + i * 32;
      this.#view.setFloat64(at, segment.baseOffset, true);
      this.#view.setUint32(at + 8, segment.bytesPtr, true);
      this.#view.setUint32(at + 12, segment.capacity, true);
      this.#view.setUint32(at + 16, segment.committedBytes, true);
      this.#view.setUint32(at + 20, segment.indexPtr, true);
      this.#view.setUint32(at + 24, segment.indexCount, true);
    });
    Atomics.store(this.#ints, word, sequence + 1);
  }

  /** Shard side: marks a slot dead (its partition was deleted). */
  clear(slot: number): void {
    const word = (slot * directorySlotBytes) / 4;
    const sequence = Atomics.add(this.#ints, word, 1) + 1;
    this.#ints[word + 1] = 0;
    this.#ints[word + 2] = 0;
    Atomics.store(this.#ints, word, sequence + 1);
  }

  /** Reader side: a consistent copy of the slot, or null when the slot is not live. */
  read(slot: number): DirectorySnapshot | null {
    assert(slot >= 0 && slot < this.slots, `directory slot ${slot} out of range`);
    const word = (slot * directorySlotBytes) / 4;
    const base = slot * directorySlotBytes;
    for (let attempt = 0; ; attempt++) {
      const before = Atomics.load(this.#ints, word);
      if ((before & 1) === 0) {
        const live = this.#ints[word + 2] === 1;
        const count = Math.min(this.#ints[word + 1], directorySegmentsMax);
        const highWatermark = this.#view.getFloat64(base + 16, true);
        const logStartOffset = this.#view.getFloat64(base + 24, true);
        const lastStableOffset = this.#view.getFloat64(base + 32, true);
        const lastAbortedOffset = this.#view.getFloat64(base + 40, true);
        const segments: DirectorySegment[] = [];
        for (let i = 0; i < count; i++) {
          const at = base + slotHeaderBytes + i * 32;
          segments.push({
            baseOffset: this.#view.getFloat64(at, true),
            bytesPtr: this.#view.getUint32(at + 8, true),
            capacity: this.#view.getUint32(at + 12, true),
            committedBytes: this.#view.getUint32(at + 16, true),
            indexPtr: this.#view.getUint32(at + 20, true),
            indexCount: this.#view.getUint32(at + 24, true),
          });
        }
        if (Atomics.load(this.#ints, word) === before) return live ? { highWatermark, logStartOffset, lastStableOffset, lastAbortedOffset, segments } : null;
      }
      assert(attempt < 1_000_000, 'directory seqlock never settled');
    }
  }

  get buffer(): SharedArrayBuffer {
    return this.#buffer;
  }

  get byteOffset(): number {
    return this.#byteOffset;
  }
}
