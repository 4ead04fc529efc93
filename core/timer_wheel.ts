// Keyed deadlines for a shard: session timeouts, rebalance deadlines, delayed joins. Pure: nothing
// here reads a clock or sets a Node timer. The shard asks `nextDeadlineMs()` when to wake, and on
// waking calls `expire(nowMs)` to collect the keys that are due (undici's util/timers.js drives
// many timeouts from one coarse Node timer the same way).
//
// Rescheduling a key replaces its deadline, so a heartbeat simply schedules its member's key
// again. Kafka's coordinator keys its timers the same way (classicGroupHeartbeatKey).
//
// Despite the name this is an indexed binary min-heap, not a bucketed wheel: callers need keys in
// exact deadline order (a rebalance deadline must fire before a later session timeout), and a heap
// gives that at O(log n) per schedule, cancel and expiry with no tick granularity to tune. Each
// entry remembers its heap slot so cancel and reschedule find it without a search.
//
//            [0]                 the root holds the earliest deadline; a child's deadline is
//        [1]      [2]            never earlier than its parent's. Ties are broken by the order
//      [3] [4]  [5] [6]          in which keys were scheduled, so expiry order is deterministic.

import { assert, verify } from './assert.js';

interface TimerEntry {
  readonly key: string;
  deadlineMs: number;
  /** Order of scheduling: breaks deadline ties, so equal deadlines expire first-come first. */
  sequence: number;
  /** This entry's slot in `heap`, kept up to date by every move. */
  slot: number;
}

export class TimerWheel {
  private readonly heap: TimerEntry[] = [];
  private readonly entries = new Map<string, TimerEntry>();
  private sequenceNext = 0;

  get size(): number {
    return this.heap.length;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  deadlineOf(key: string): number | undefined {
    return this.entries.get(key)?.deadlineMs;
  }

  /** Sets `key` to fire at `deadlineMs`, replacing any deadline it had. */
  schedule(key: string, deadlineMs: number): void {
    assert(Number.isFinite(deadlineMs), `timer ${key}: deadline ${deadlineMs} is not finite`);
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      existing.deadlineMs = deadlineMs;
      existing.sequence = this.sequenceNext++;
      // The new deadline may be earlier or later: one of the two moves is a no-op.
      this.siftUp(existing.slot);
      this.siftDown(existing.slot);
    } else {
      const entry: TimerEntry = { key, deadlineMs, sequence: this.sequenceNext++, slot: this.heap.length };
      this.heap.push(entry);
      this.entries.set(key, entry);
      this.siftUp(entry.slot);
    }
    if (verify) this.checkInvariants();
  }

  /** Removes `key`; returns whether it was scheduled. */
  cancel(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.removeAt(entry.slot);
    if (verify) this.checkInvariants();
    return true;
  }

  /** The earliest deadline, or undefined when nothing is scheduled. */
  nextDeadlineMs(): number | undefined {
    return this.heap.length === 0 ? undefined : this.heap[0].deadlineMs;
  }

  /**
   * Removes and returns the keys whose deadline is at or before `nowMs`, earliest first, at most
   * `countMax` of them. Callers whose handling of one key may cancel or reschedule another take
   * them one at a time (`countMax` 1) so they never act on a key that changed meanwhile.
   */
  expire(nowMs: number, countMax = Number.POSITIVE_INFINITY): string[] {
    assert(countMax >= 1, `expire: countMax ${countMax} must be at least 1`);
    const due: string[] = [];
    while (due.length < countMax && this.heap.length > 0 && this.heap[0].deadlineMs <= nowMs) {
      due.push(this.heap[0].key);
      this.removeAt(0);
    }
    if (verify) this.checkInvariants();
    return due;
  }

  private removeAt(slot: number): void {
    const entry = this.heap[slot];
    assert(entry.slot === slot, `timer ${entry.key}: slot ${entry.slot} recorded, found at ${slot}`);
    this.entries.delete(entry.key);
    const last = this.heap.pop();
    assert(last !== undefined, 'timer heap: remove from an empty heap');
    if (last === entry) return; // it was the last slot: nothing to refill
    this.heap[slot] = last;
    last.slot = slot;
    this.siftUp(slot);
    this.siftDown(last.slot);
  }

  private static before(a: TimerEntry, b: TimerEntry): boolean {
    return a.deadlineMs < b.deadlineMs || (a.deadlineMs === b.deadlineMs && a.sequence < b.sequence);
  }

  private siftUp(slotStart: number): void {
    let slot = slotStart;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!TimerWheel.before(this.heap[slot], this.heap[parent])) break;
      this.swap(slot, parent);
      slot = parent;
    }
  }

  private siftDown(slotStart: number): void {
    let slot = slotStart;
    for (;;) {
      const left = 2 * slot + 1;
      const right = left + 1;
      let smallest = slot;
      if (left < this.heap.length && TimerWheel.before(this.heap[left], this.heap[smallest])) smallest = left;
      if (right < this.heap.length && TimerWheel.before(this.heap[right], this.heap[smallest])) smallest = right;
      if (smallest === slot) return;
      this.swap(slot, smallest);
      slot = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const entryA = this.heap[a];
    const entryB = this.heap[b];
    this.heap[a] = entryB;
    this.heap[b] = entryA;
    entryA.slot = b;
    entryB.slot = a;
  }

  /** Walks the whole heap: run only under `verify`. */
  checkInvariants(): void {
    assert(this.heap.length === this.entries.size, 'timer heap and key index disagree in size');
    for (let slot = 0; slot < this.heap.length; slot++) {
      const entry = this.heap[slot];
      assert(entry.slot === slot, `timer ${entry.key}: recorded slot ${entry.slot}, actual ${slot}`);
      assert(this.entries.get(entry.key) === entry, `timer ${entry.key}: not indexed by its key`);
      if (slot > 0) {
        const parent = this.heap[(slot - 1) >> 1];
        assert(!TimerWheel.before(entry, parent), `timer ${entry.key}: earlier than its parent ${parent.key}`);
      }
    }
  }
}
