// The two ends of a single-producer single-consumer byte ring (layout in ring_layout.ts).
// Exactly one thread owns each end. Neither end ever drops a record: a full ring makes the
// writer wait (waitForRoom / waitForRoomAsync) or report that it is full (reserve → null).
import { assert, verify } from '../../core/assert.js';
import type { Doorbell } from './doorbell.js';
import {
  checkRingRegion,
  ringCapacityWord,
  ringControlBytes,
  ringHeadWord,
  ringPayloadBytesMax,
  ringRecordBytes,
  ringRecordHeaderBytes,
  ringTailWord,
  ringWrapMarker,
  ringWriterWaitingWord,
  type RingRegion,
} from './ring_layout.js';

function attach(region: RingRegion): { control: Int32Array; data: Uint8Array; words: Uint32Array } {
  checkRingRegion(region);
  const control = new Int32Array(region.buffer, region.byteOffset, ringControlBytes / 4);
  assert(Atomics.load(control, ringCapacityWord) === region.capacity, 'ring was not initialised with this capacity');
  const dataOffset = region.byteOffset + ringControlBytes;
  return {
    control,
    data: new Uint8Array(region.buffer, dataOffset, region.capacity),
    words: new Uint32Array(region.buffer, dataOffset, region.capacity / 4),
  };
}

export class RingWriter {
  readonly capacity: number;
  readonly payloadBytesMax: number;
  readonly #control: Int32Array;
  readonly #data: Uint8Array;
  readonly #words: Uint32Array;
  readonly #mask: number;
  /** Reserved end: ahead of the published tail by the records not yet published. */
  #tail: number;
  #tailPublished: number;
  /** Last head seen; refreshed only when the cached value says the ring is too full. */
  #headSeen: number;
  /** The consumer's doorbell, rung after each publish so a sleeping consumer wakes. */
  readonly #doorbell: Doorbell | undefined;

  constructor(region: RingRegion, doorbell?: Doorbell) {
    const { control, data, words } = attach(region);
    this.#doorbell = doorbell;
    this.capacity = region.capacity;
    this.payloadBytesMax = ringPayloadBytesMax(region.capacity);
    this.#control = control;
    this.#data = data;
    this.#words = words;
    this.#mask = region.capacity - 1;
    this.dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#tail = Atomics.load(control, ringTailWord) >>> 0;
    this.#tailPublished = this.#tail;
    this.#headSeen = Atomics.load(control, ringHeadWord) >>> 0;
  }

  /** Records reserved but not yet published. */
  get pendingBytes(): number {
    return (this.#tail - this.#tailPublished) >>> 0;
  }

  /**
   * Reserves room for a record of `payloadBytes` and returns the view to fill, or null when the
   * ring is too full right now. The record becomes visible at the next publish().
   */
  reserve(payloadBytes: number): Uint8Array | null {
    const start = this.#reserveAt(payloadBytes);
    return start < 0 ? null : this.#data.subarray(start, start + payloadBytes);
  }

  /**
   * As reserve(), without allocating a view: where the payload starts in `data` (and `dataView`),
   * or −1 when the ring is too full right now. For per-request hot paths.
   */
  reserveOffset(payloadBytes: number): number {
    return this.#reserveAt(payloadBytes);
  }

  /** The whole data area, for writers that use reserveOffset(). */
  get data(): Uint8Array {
    return this.#data;
  }

  /** A DataView over the whole data area (offsets as reserveOffset() returns them). */
  readonly dataView: DataView;

  /** Copies `payload` in as one record; false when the ring is too full right now. */
  tryWrite(payload: Uint8Array): boolean {
    const start = this.#reserveAt(payload.length);
    if (start < 0) return false;
    this.#data.set(payload, start);
    return true;
  }

  /** Reserves a record; returns where its payload starts in the data area, or −1 when full. */
  #reserveAt(payloadBytes: number): number {
    // Hot path: build the message only on failure.
    if (!(payloadBytes >= 0 && payloadBytes <= this.payloadBytesMax)) {
      assert(false, `ring record of ${payloadBytes} bytes exceeds ${this.payloadBytesMax}`);
    }
    const recordBytes = ringRecordBytes(payloadBytes);
    let position = this.#tail & this.#mask;
    const contiguous = this.capacity - position;
    const padding = recordBytes > contiguous ? contiguous : 0;
    if (!this.#hasRoom(padding + recordBytes)) return -1;
    if (padding > 0) {
      this.#words[position >>> 2] = ringWrapMarker;
      this.#tail = (this.#tail + padding) >>> 0;
      position = 0;
    }
    this.#words[position >>> 2] = payloadBytes;
    this.#tail = (this.#tail + recordBytes) >>> 0;
    return position + ringRecordHeaderBytes;
  }

  /**
   * Makes every reserved record visible to the reader: one atomic store per batch, then the
   * consumer's doorbell (a load, and a notify only when the consumer sleeps).
   */
  publish(): boolean {
    if (this.#tail === this.#tailPublished) return false;
    Atomics.store(this.#control, ringTailWord, this.#tail | 0);
    this.#tailPublished = this.#tail;
    this.#doorbell?.ring();
    return true;
  }

  #used(): number {
    return (this.#tail - this.#headSeen) >>> 0;
  }

  #hasRoom(bytes: number): boolean {
    if (this.capacity - this.#used() >= bytes) return true;
    this.#headSeen = Atomics.load(this.#control, ringHeadWord) >>> 0;
    const used = this.#used();
    if (verify) assert(used <= this.capacity, `ring accounting broken: ${used} used of ${this.capacity}`);
    return this.capacity - used >= bytes;
  }

  /** True when a record of `payloadBytes` would fit now (refreshes the reader's head). */
  hasRoomFor(payloadBytes: number): boolean {
    const recordBytes = ringRecordBytes(payloadBytes);
    const contiguous = this.capacity - (this.#tail & this.#mask);
    return this.#hasRoom((recordBytes > contiguous ? contiguous : 0) + recordBytes);
  }

  /**
   * Blocks until a record of `payloadBytes` fits (worker threads). Publishes first: a reader
   * cannot free room for records it cannot see.
   */
  waitForRoom(payloadBytes: number, timeoutMs = 100): void {
    this.publish();
    while (!this.hasRoomFor(payloadBytes)) {
      const head = this.#headSeen | 0;
      Atomics.store(this.#control, ringWriterWaitingWord, 1);
      if (!this.hasRoomFor(payloadBytes)) Atomics.wait(this.#control, ringHeadWord, head, timeoutMs);
      Atomics.store(this.#control, ringWriterWaitingWord, 0);
    }
  }

  /** As waitForRoom, without blocking the thread (main thread). */
  async waitForRoomAsync(payloadBytes: number, timeoutMs = 100): Promise<void> {
    this.publish();
    while (!this.hasRoomFor(payloadBytes)) {
      const head = this.#headSeen | 0;
      Atomics.store(this.#control, ringWriterWaitingWord, 1);
      if (!this.hasRoomFor(payloadBytes)) {
        const result = Atomics.waitAsync(this.#control, ringHeadWord, head, timeoutMs);
        if (result.async) await result.value;
      }
      Atomics.store(this.#control, ringWriterWaitingWord, 0);
    }
  }
}

export class RingReader {
  readonly capacity: number;
  readonly #control: Int32Array;
  readonly #data: Uint8Array;
  readonly #words: Uint32Array;
  readonly #mask: number;
  /** Next record to read; ahead of the published head by what was read but not released. */
  #head: number;
  #headPublished: number;
  #tailSeen: number;
  readonly #payloadBytesMax: number;

  constructor(region: RingRegion) {
    const { control, data, words } = attach(region);
    this.capacity = region.capacity;
    this.#payloadBytesMax = ringPayloadBytesMax(region.capacity);
    this.#control = control;
    this.#data = data;
    this.#words = words;
    this.#mask = region.capacity - 1;
    this.dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.#head = Atomics.load(control, ringHeadWord) >>> 0;
    this.#headPublished = this.#head;
    this.#tailSeen = Atomics.load(control, ringTailWord) >>> 0;
  }

  /** True when a published record is waiting (refreshes the writer's tail). */
  hasData(): boolean {
    if (this.#head !== this.#tailSeen) return true;
    this.#tailSeen = Atomics.load(this.#control, ringTailWord) >>> 0;
    return this.#head !== this.#tailSeen;
  }

  /**
   * The next record's payload as a view into the ring, or null when none is published. The view
   * stays valid until release(); copy what must outlive it.
   */
  read(): Uint8Array | null {
    const start = this.readAt();
    return start < 0 ? null : this.#data.subarray(start, start + this.lastLength);
  }

  /** Payload length of the record the last readAt() returned. */
  lastLength = 0;

  /** The whole data area, for readers that use readAt() to avoid a view per record. */
  get data(): Uint8Array {
    return this.#data;
  }

  /** A DataView over the whole data area (offsets as readAt() returns them). */
  readonly dataView: DataView;

  /**
   * As read(), without allocating: returns where the next payload starts in `data` (its length
   * in `lastLength`), or −1 when none is published.
   */
  readAt(): number {
    if (!this.hasData()) return -1;
    let position = this.#head & this.#mask;
    let length = this.#words[position >>> 2];
    if (length === ringWrapMarker) {
      this.#head = (this.#head + (this.capacity - position)) >>> 0;
      if (!this.hasData()) return -1;
      position = 0;
      length = this.#words[0];
    }
    if (length > this.#payloadBytesMax) assert(false, `ring record length ${length} is corrupt`);
    this.#head = (this.#head + ringRecordBytes(length)) >>> 0;
    if (verify && ((this.#tailSeen - this.#head) | 0) < 0) assert(false, 'ring reader ran past the published tail');
    this.lastLength = length;
    return position + ringRecordHeaderBytes;
  }

  /** Returns the room of every record read so far to the writer: one atomic store per batch. */
  release(): void {
    if (this.#head === this.#headPublished) return;
    Atomics.store(this.#control, ringHeadWord, this.#head | 0);
    this.#headPublished = this.#head;
    if (Atomics.load(this.#control, ringWriterWaitingWord) === 1) Atomics.notify(this.#control, ringHeadWord);
  }
}
