// The group coordinator's events (rebalances, removed members) on their way to the host, where
// the admin port counts them (/metrics) and draws them (the dashboard's rebalance timeline).
//
// Shard thread. GroupActor records each event here as it logs it; the host drains the buffer
// through the shard's control plane (ShardControl.drainGroupEvents) on the admin port's polling
// interval. The buffer is bounded: when nobody drains it (no admin port), the oldest events are
// dropped and counted, so telemetry never grows a shard's memory. Events never drive behaviour
// (core/group/group_event.ts), so dropping them changes no group.
import { assert } from '../../core/assert.js';
import type { GroupEvent } from '../../core/group/group_event.js';

export interface TimedGroupEvent {
  /** Wall-clock time the shard recorded the event (ms since the epoch). */
  readonly atMs: number;
  readonly event: GroupEvent;
}

export interface DrainedGroupEvents {
  /** Oldest first. */
  readonly events: TimedGroupEvent[];
  /** Events dropped since the last drain because the buffer was full. */
  readonly dropped: number;
}

export class GroupEventBuffer {
  readonly eventsMax: number;
  #events: TimedGroupEvent[] = [];
  #dropped = 0;

  constructor(eventsMax: number) {
    assert(Number.isInteger(eventsMax) && eventsMax > 0, `eventsMax must be a positive integer, got ${eventsMax}`);
    this.eventsMax = eventsMax;
  }

  record(event: GroupEvent, atMs: number = Date.now()): void {
    if (this.#events.length === this.eventsMax) {
      this.#events.shift();
      this.#dropped += 1;
    }
    this.#events.push({ atMs, event });
    assert(this.#events.length <= this.eventsMax, 'group event buffer over its bound');
  }

  drain(): DrainedGroupEvents {
    const drained = { events: this.#events, dropped: this.#dropped };
    this.#events = [];
    this.#dropped = 0;
    return drained;
  }
}

/**
 * The buffer of this thread (each shard worker has its own module instance). 1024 events cover
 * minutes of heavy churn between two drains (the admin port drains every second).
 */
export const groupEvents = new GroupEventBuffer(1024);
