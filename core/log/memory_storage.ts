// Segments held in memory, in fixed-capacity buffers from an injected allocator. The broker's
// allocator carves them out of the shared WebAssembly.Memory, so a reader thread can serve a fetch
// straight from a segment (findBatchPosition over the segment's bytes and offset-index views) while
// the owning shard appends past the committed size. Capacity is fixed for that reason: a buffer that
// moved on growth would invalidate every reader's view.
//
// Nothing is durable: sync resolves at once, and a new MemoryStorage opens empty.

import { assert } from '../assert.js';
import type { AppendTarget } from '../records/batch_kernels.js';
import { indexEntryBytes, indexEntryWords, OffsetIndex } from './offset_index.js';
import type { RecoveredLog, SegmentStore, Storage } from './storage.js';

export interface SegmentAllocator {
  /** `bytes` zeroed-or-not bytes, 8-byte aligned (index arrays are viewed as Uint32Array). */
  allocate(bytes: number): Uint8Array;
  /** The bytes are no longer used by the log (readers may still hold views: the caller decides when to reuse). */
  release(bytes: Uint8Array): void;
}

export const heapSegmentAllocator: SegmentAllocator = {
  allocate: (bytes) => new Uint8Array(bytes),
  release: () => {},
};

export class MemorySegmentStore implements SegmentStore {
  readonly baseOffset: number;
  readonly bytes: Uint8Array;
  readonly offsetIndex: OffsetIndex;
  /** The allocation behind the offset index, kept to release it. */
  readonly indexBytes: Uint8Array;
  #sizeBytes = 0;
  readonly #target: AppendTarget;

  constructor(baseOffset: number, bytes: Uint8Array, indexBytes: Uint8Array) {
    assert(indexBytes.byteOffset % 4 === 0, 'an offset index allocation must be 4-byte aligned');
    this.baseOffset = baseOffset;
    this.bytes = bytes;
    this.indexBytes = indexBytes;
    this.offsetIndex = new OffsetIndex(new Uint32Array(indexBytes.buffer, indexBytes.byteOffset, (indexBytes.length / indexEntryBytes) * indexEntryWords));
    this.#target = { bytes, position: 0 };
  }

  get sizeBytes(): number {
    return this.#sizeBytes;
  }

  get capacityBytes(): number {
    return this.bytes.length;
  }

  reserve(length: number): AppendTarget {
    assert(this.#sizeBytes + length <= this.bytes.length, `segment ${this.baseOffset}: ${length} bytes do not fit (${this.#sizeBytes} of ${this.bytes.length} used)`);
    this.#target.position = this.#sizeBytes;
    return this.#target;
  }

  commit(length: number): void {
    assert(length > 0 && this.#sizeBytes + length <= this.bytes.length, `segment ${this.baseOffset}: commit of ${length} bytes past capacity`);
    this.#sizeBytes += length;
  }

  read(position: number, length: number): Uint8Array {
    assert(position >= 0 && length >= 0 && position + length <= this.#sizeBytes, `segment ${this.baseOffset}: read [${position}, +${length}) past ${this.#sizeBytes} committed bytes`);
    return this.bytes.subarray(position, position + length);
  }

  truncate(position: number): void {
    assert(position >= 0 && position <= this.#sizeBytes, `segment ${this.baseOffset}: truncate to ${position} past ${this.#sizeBytes}`);
    this.#sizeBytes = position;
  }

  seal(): void {}

  activate(): void {}
}

export class MemoryStorage implements Storage {
  readonly kind = 'memory';
  readonly #allocator: SegmentAllocator;

  constructor(allocator: SegmentAllocator = heapSegmentAllocator) {
    this.#allocator = allocator;
  }

  async open(): Promise<RecoveredLog> {
    return { segments: [], logStartOffset: null };
  }

  createSegment(baseOffset: number, capacityBytes: number, indexEntries: number): MemorySegmentStore {
    const bytes = this.#allocator.allocate(capacityBytes);
    assert(bytes.length === capacityBytes, `allocator gave ${bytes.length} bytes for ${capacityBytes}`);
    const indexBytes = this.#allocator.allocate(indexEntries * indexEntryBytes);
    assert(indexBytes.length === indexEntries * indexEntryBytes, 'allocator gave a wrong-sized index');
    return new MemorySegmentStore(baseOffset, bytes, indexBytes);
  }

  deleteSegment(segment: SegmentStore): void {
    assert(segment instanceof MemorySegmentStore, 'memory storage deletes only its own segments');
    this.#allocator.release(segment.bytes);
    this.#allocator.release(segment.indexBytes);
  }

  writeOut(): void {}

  async sync(): Promise<void> {}

  saveLogStartOffset(): void {}

  async close(): Promise<void> {}
}
