// The fixed-rate pacer shared by every latency workload: bench/load's wire producers and
// bench/e2e's client-library systems (Lanes embedded, Redis Streams, NATS JetStream), so every
// system is paced by the same rule.
//
// Send k is intended at `startMs + k × intervalMs` (from k, never accumulated: no drift), for
// every k whose intended time is before `endMs`. The pacer sleeps on a timer (setTimeout, about
// 1 ms granularity) and, on each wake-up at `now`, sends every batch intended before the expected
// next wake-up `now + tickMs`: waiting for the next tick would make it late, so it goes now,
// up to a tick EARLY, never needlessly late. Each send's latency is measured from the EARLIER of
// its intended and its actual send time, `min(intended, sent)`: an early send from when it really
// went out (the system must not be credited with time the send did not wait), a late one from
// when it should have gone — a stall of the generator or of the system (a late wake-up sends the
// whole backlog at once) counts against every send due during it, so coordinated omission stays
// visible. It never polls: between ticks the
// process sleeps, so the generator does not spin a core that the system under test needs.
//
// The schedule arithmetic (dueUntil, sleepMs, latencyBaseMs) is pure; `pace` drives it with a
// clock and a timer, both injectable for tests.
//
// Thread: the caller's event loop.
import { performance } from 'node:perf_hooks';

/** The expected timer granularity: setTimeout wakes no sooner than ~1 ms. */
export const defaultTickMs = 1;

export interface PaceSchedule {
  /** Intended time of send 0 (performance.now() clock). */
  startMs: number;
  /** Between consecutive intended times. */
  intervalMs: number;
  /** Sends intended at or after this are not made. */
  endMs: number;
}

/** Intended time of send k: computed from k, so rounding never accumulates over many ticks. */
export function intendedMs(schedule: PaceSchedule, k: number): number {
  return schedule.startMs + k * schedule.intervalMs;
}

/** How many sends the schedule holds: every k with intendedMs(k) < endMs. */
export function totalSends(schedule: PaceSchedule): number {
  let count = Math.max(0, Math.ceil((schedule.endMs - schedule.startMs) / schedule.intervalMs));
  // Guard the float edges of the ceil so the count agrees with intendedMs exactly.
  while (count > 0 && intendedMs(schedule, count - 1) >= schedule.endMs) count--;
  while (intendedMs(schedule, count) < schedule.endMs) count++;
  return count;
}

/**
 * A wake-up at `nowMs` whose next wake-up is expected at `nowMs + tickMs`: the sends
 * `next, next + 1, …, returned − 1` are due (intended before that next wake-up, and before endMs).
 */
export function dueUntil(schedule: PaceSchedule, next: number, nowMs: number, tickMs: number = defaultTickMs): number {
  const horizonMs = Math.min(nowMs + tickMs, schedule.endMs);
  let end = next;
  while (intendedMs(schedule, end) < horizonMs) end++;
  return end;
}

/**
 * How long to sleep after the sends up to `next` were made at `nowMs`: until a tick before send
 * `next` is intended (that wake-up's horizon covers it), at least one tick; null when every send
 * of the schedule is made.
 */
export function sleepMs(schedule: PaceSchedule, next: number, nowMs: number, tickMs: number = defaultTickMs): number | null {
  const dueMs = intendedMs(schedule, next);
  if (dueMs >= schedule.endMs) return null;
  return Math.max(tickMs, dueMs - tickMs - nowMs);
}

/**
 * Latency of a send counts from here: when it was really sent if early, when it was intended if
 * late — the earlier of the two.
 */
export function latencyBaseMs(intended: number, sentMs: number): number {
  return Math.min(intended, sentMs);
}

export interface PacedSend {
  /** k: the send's index in the schedule. */
  index: number;
  intendedMs: number;
  /** The clock when this send was handed to `send`. */
  sentMs: number;
  /** min(intendedMs, sentMs): measure this send's latencies from here. */
  baseMs: number;
  /** How late the generator made this send: sentMs − intendedMs, 0 when on time or early. */
  lagMs: number;
}

export interface PacerClock {
  now(): number;
  /** Calls `callback` once after about `ms` milliseconds; returns a cancel function. */
  sleep(ms: number, callback: () => void): () => void;
}

export const realClock: PacerClock = {
  now: () => performance.now(),
  sleep(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface PacerOptions {
  tickMs?: number;
  clock?: PacerClock;
  /** Called once when every send of the schedule was made (not after stop()). */
  onFinished?: () => void;
}

export interface Pacer {
  /** Sends made so far. */
  readonly sent: number;
  /** Every send of the schedule was made, or stop() was called. */
  readonly finished: boolean;
  /** Makes no more sends (a failure); onFinished is not called. */
  stop(): void;
}

/**
 * Runs the schedule: calls `send` for each send, in order, on the tick it is due (see the top of
 * the file). The first tick runs synchronously inside this call. An exception thrown by `send`
 * stops the pacer and propagates out of the tick that made it.
 */
export function pace(schedule: PaceSchedule, send: (paced: PacedSend) => void, options: PacerOptions = {}): Pacer {
  const tickMs = options.tickMs ?? defaultTickMs;
  const clock = options.clock ?? realClock;
  let next = 0;
  let finished = false;
  let cancel: (() => void) | null = null;
  const tick = () => {
    cancel = null;
    if (finished) return;
    const due = dueUntil(schedule, next, clock.now(), tickMs);
    while (next < due && !finished) {
      const intended = intendedMs(schedule, next);
      const sentMs = clock.now();
      const baseMs = latencyBaseMs(intended, sentMs);
      const index = next++;
      try {
        send({ index, intendedMs: intended, sentMs, baseMs, lagMs: Math.max(0, sentMs - intended) });
      } catch (error) {
        finished = true;
        throw error;
      }
    }
    if (finished) return;
    const waitMs = sleepMs(schedule, next, clock.now(), tickMs);
    if (waitMs === null) {
      finished = true;
      options.onFinished?.();
      return;
    }
    cancel = clock.sleep(waitMs, tick);
  };
  tick();
  return {
    get sent() {
      return next;
    },
    get finished() {
      return finished;
    },
    stop() {
      finished = true;
      cancel?.();
      cancel = null;
    },
  };
}
