// Epoch-based reclamation of shared log memory.
//
// Reader threads (the host) take views of committed log bytes straight from shared memory and may
// hold them until a socket write completes. A shard must not recycle a segment buffer that a
// reader might still be looking at, so:
//
//   reader: pin()   — announce the current global epoch in its slot, BEFORE reading the directory;
//           unpin() — when its views are no longer used (its slot becomes the oldest pin left, or 0).
//   shard:  retire(block) — AFTER unlinking the block from the directory, bump the global epoch
//           and remember the new value with the block; free it once every reader slot is either
//           0 (no pins) or at least that value (pinned after the unlink, so it cannot see it).
//
// Atomics are sequentially consistent, so "unlinked before the bump" and "pinned before reading"
// give exactly that guarantee. A reader that keeps one pin forever delays reclamation (memory is
// held longer), never correctness.
import { assert } from '../core/assert.js';

export const epochGlobalWord = 0;
export const epochReaderSlots = 4;
/** Words between slots: each on its own 64-byte cache line. */
const slotStrideWords = 16;
export const epochRegionBytes = (1 + epochReaderSlots) * slotStrideWords * 4;

function slotWord(slot: number): number {
  return (1 + slot) * slotStrideWords;
}

export function initEpochs(buffer: SharedArrayBuffer, byteOffset: number): void {
  const words = new Int32Array(buffer, byteOffset, epochRegionBytes / 4);
  words.fill(0);
  Atomics.store(words, epochGlobalWord, 1);
}

/** The reader side, one per reader thread (each with its own slot). */
export class EpochReader {
  readonly #words: Int32Array;
  readonly #slotWord: number;
  /** Outstanding pins: epoch → count. */
  readonly #pins = new Map<number, number>();
  #published = 0;

  constructor(buffer: SharedArrayBuffer, byteOffset: number, slot: number) {
    assert(slot >= 0 && slot < epochReaderSlots, `epoch reader slot ${slot} out of range`);
    this.#words = new Int32Array(buffer, byteOffset, epochRegionBytes / 4);
    this.#slotWord = slotWord(slot);
  }

  /** Pins the current epoch; returns the token to unpin with. */
  pin(): number {
    const epoch = Atomics.load(this.#words, epochGlobalWord);
    this.#pins.set(epoch, (this.#pins.get(epoch) ?? 0) + 1);
    if (this.#published === 0 || epoch < this.#published) this.#publish(epoch);
    return epoch;
  }

  unpin(epoch: number): void {
    const count = this.#pins.get(epoch);
    assert(count !== undefined && count > 0, `unpin of epoch ${epoch} that is not pinned`);
    if (count > 1) {
      this.#pins.set(epoch, count - 1);
      return;
    }
    this.#pins.delete(epoch);
    if (epoch !== this.#published) return;
    let oldest = 0;
    for (const pinned of this.#pins.keys()) if (oldest === 0 || pinned < oldest) oldest = pinned;
    this.#publish(oldest);
  }

  get pinCount(): number {
    let total = 0;
    for (const count of this.#pins.values()) total += count;
    return total;
  }

  #publish(epoch: number): void {
    Atomics.store(this.#words, this.#slotWord, epoch);
    this.#published = epoch;
  }
}

/** The retiring side, one per shard: holds unlinked blocks until no reader can see them. */
export class EpochReclaimer<T> {
  readonly #words: Int32Array;
  readonly #limbo: { epoch: number; item: T }[] = [];

  constructor(buffer: SharedArrayBuffer, byteOffset: number) {
    this.#words = new Int32Array(buffer, byteOffset, epochRegionBytes / 4);
  }

  /** Call after the item is unreachable through the directory. */
  retire(item: T): void {
    const epoch = Atomics.add(this.#words, epochGlobalWord, 1) + 1;
    this.#limbo.push({ epoch, item });
  }

  /** Hands every item no reader can still see to `free`; returns how many. */
  collect(free: (item: T) => void): number {
    if (this.#limbo.length === 0) return 0;
    let safeBelow = Number.MAX_SAFE_INTEGER; // items retired at an epoch ≤ every live pin are free
    for (let slot = 0; slot < epochReaderSlots; slot++) {
      const pinned = Atomics.load(this.#words, slotWord(slot));
      if (pinned !== 0 && pinned < safeBelow) safeBelow = pinned;
    }
    let freed = 0;
    while (this.#limbo.length > 0 && this.#limbo[0].epoch <= safeBelow) {
      free(this.#limbo.shift()!.item);
      freed++;
    }
    return freed;
  }

  get pending(): number {
    return this.#limbo.length;
  }
}
