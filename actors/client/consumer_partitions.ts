// The consumer's per-partition state and what users steer it with: seek, pause and resume, and the
// wake-up that ends the fetch loop's wait when any of them (or a rebalance) changes what to fetch.
//
// Per partition three offsets: `position` (next to fetch), `resolved` (next to commit: the record
// after the last one handled) and `committed` (what the group has). A seek, a revocation or a pause
// bumps the partition's `epoch`, which makes the batch in hand stale: no further record of it is
// delivered.

import { assert } from '../../core/assert.js';
import type { TopicPartitions } from './types.js';

export interface PartitionState {
  readonly topic: string;
  readonly partition: number;
  position: number | null;
  resolved: number | null;
  committed: number | null;
  epoch: number;
  revoked: boolean;
  /** A handler or fetch failed: fetch and deliver again from `position` after this time. */
  retryAtMs: number;
  /** Failed deliveries of the record at `position` in a row (the retry schedule's count), and the last wait. */
  handlerFailures: number;
  handlerRetryWaitMs: number | null;
  processing: Promise<void> | null;
}

export function keyOf(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class ConsumerPartitions {
  readonly #states = new Map<string, PartitionState>();
  /** Seeks to partitions not (yet) owned: applied when the partition is assigned. */
  readonly #pendingSeeks = new Map<string, number>();
  readonly #pausedTopics = new Set<string>();
  readonly #pausedPartitions = new Set<string>();
  readonly #retryDelayMs: number;
  #wakeUp: () => void = () => {};
  #wakePromise: Promise<void> = Promise.resolve();

  constructor(retryDelayMs: number) {
    this.#retryDelayMs = retryDelayMs;
    this.#resetWake();
  }

  get(topic: string, partition: number): PartitionState | undefined {
    return this.#states.get(keyOf(topic, partition));
  }

  all(): PartitionState[] {
    return [...this.#states.values()];
  }

  owned(): PartitionState[] {
    return this.all().filter((state) => !state.revoked);
  }

  /** The states of these partitions that exist. */
  statesOf(list: readonly TopicPartitions[]): PartitionState[] {
    const states: PartitionState[] = [];
    for (const { topic, partitions } of list) {
      for (const partition of partitions) {
        const state = this.#states.get(keyOf(topic, partition));
        if (state !== undefined) states.push(state);
      }
    }
    return states;
  }

  /** New owned partitions: positions unknown unless a seek was waiting for them. */
  assign(list: readonly TopicPartitions[]): void {
    for (const { topic, partitions } of list) {
      for (const partition of partitions) {
        const key = keyOf(topic, partition);
        const sought = this.#pendingSeeks.get(key);
        this.#pendingSeeks.delete(key);
        this.#states.set(key, {
          topic,
          partition,
          position: sought ?? null,
          resolved: sought ?? null,
          committed: null,
          epoch: 0,
          revoked: false,
          retryAtMs: 0,
          handlerFailures: 0,
          handlerRetryWaitMs: null,
          processing: null,
        });
      }
    }
    this.wake();
  }

  /** Marks partitions no longer ours: the batch in hand goes stale at once. */
  revoke(states: readonly PartitionState[]): void {
    for (const state of states) {
      state.revoked = true;
      state.epoch++;
    }
    this.wake();
  }

  remove(state: PartitionState): void {
    this.#states.delete(keyOf(state.topic, state.partition));
  }

  clear(): void {
    this.#states.clear();
  }

  seek(topic: string, partition: number, target: number): void {
    assert(Number.isSafeInteger(target) && target >= 0, `seek to ${target}: the caller validates offsets`);
    const state = this.#states.get(keyOf(topic, partition));
    if (state === undefined || state.revoked) {
      this.#pendingSeeks.set(keyOf(topic, partition), target);
      return;
    }
    state.epoch++;
    state.position = target;
    state.resolved = target;
    state.retryAtMs = 0;
    this.wake();
  }

  pause(topics: readonly { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) this.#pausedTopics.add(topic);
      else for (const partition of partitions) this.#pausedPartitions.add(keyOf(topic, partition));
    }
    this.wake();
  }

  resume(topics: readonly { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      if (partitions === undefined) {
        this.#pausedTopics.delete(topic);
        for (const key of [...this.#pausedPartitions]) if (key.startsWith(`${topic}\u0000`)) this.#pausedPartitions.delete(key);
        continue;
      }
      if (this.#pausedTopics.delete(topic)) {
        // The whole topic was paused: keep its other assigned partitions paused.
        for (const state of this.#states.values()) if (state.topic === topic) this.#pausedPartitions.add(keyOf(topic, state.partition));
      }
      for (const partition of partitions) this.#pausedPartitions.delete(keyOf(topic, partition));
    }
    this.wake();
  }

  /** The assigned partitions that are paused. */
  paused(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const state of this.#states.values()) {
      if (state.revoked || !this.isPaused(state)) continue;
      byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition].sort((a, b) => a - b));
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
  }

  isPaused(state: PartitionState): boolean {
    if (this.#pausedTopics.size === 0 && this.#pausedPartitions.size === 0) return false;
    return this.#pausedTopics.has(state.topic) || this.#pausedPartitions.has(keyOf(state.topic, state.partition));
  }

  /** Fetch this partition again only after the retry delay (retry.initialRetryTime). */
  retryLater(state: PartitionState): void {
    this.retryAfter(state, this.#retryDelayMs);
  }

  /** Fetch this partition again only after `waitMs`. */
  retryAfter(state: PartitionState, waitMs: number): void {
    state.retryAtMs = Date.now() + waitMs;
  }

  /** Resolves at the next wake(): take it before looking at the partitions, then wait on it. */
  get woken(): Promise<void> {
    return this.#wakePromise;
  }

  wake(): void {
    const wakeUp = this.#wakeUp;
    this.#resetWake();
    wakeUp();
  }

  #resetWake(): void {
    this.#wakePromise = new Promise((resolve) => (this.#wakeUp = resolve));
  }
}
