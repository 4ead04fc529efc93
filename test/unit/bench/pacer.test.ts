// The pacer every latency workload uses (bench/load/pacer.ts). Latency figures are only honest
// if sends go out on schedule, early sends are measured from when they really went, and late
// ones from when they should have gone; a pacer that drifts or hides a stall would mislead the
// reader comparing systems. Time is injected: no test here depends on the machine's speed.
import { describe, expect, it } from 'vitest';
import { dueUntil, intendedMs, latencyBaseMs, pace, sleepMs, totalSends, type PacedSend, type PacerClock, type PaceSchedule } from '../../../bench/load/pacer.js';

/** A clock whose time moves only when the test says; one pending timer at a time. */
function fakeClock(startMs = 0) {
  let now = startMs;
  let pending: { atMs: number; callback: () => void } | null = null;
  const requested: number[] = [];
  const clock: PacerClock = {
    now: () => now,
    sleep(ms, callback) {
      expect(pending).toBeNull();
      requested.push(ms);
      const timer = { atMs: now + ms, callback };
      pending = timer;
      return () => {
        if (pending === timer) pending = null;
      };
    },
  };
  return {
    clock,
    requested,
    pendingAtMs: () => pending?.atMs ?? null,
    /** Fires the pending timer `lateMs` after its time (the timer's own lateness). */
    fire(lateMs = 0) {
      const timer = pending;
      if (timer === null) throw new Error('no timer pending');
      pending = null;
      now = timer.atMs + lateMs;
      timer.callback();
    },
    /** Moves time without firing anything (work done inside a send). */
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('schedule arithmetic', () => {
  const schedule: PaceSchedule = { startMs: 100, intervalMs: 0.4, endMs: 110 };

  it('sends every batch intended before the expected next wake-up, and no more', () => {
    // At 100 with a 1 ms tick: intended 100, 100.4, 100.8 are before 101; 101.2 is not.
    expect(dueUntil(schedule, 0, 100, 1)).toBe(3);
    // Nothing new is due until the horizon passes 101.2.
    expect(dueUntil(schedule, 3, 100.1, 1)).toBe(3);
    expect(dueUntil(schedule, 3, 100.3, 1)).toBe(4);
    // Before the start: nothing until the start is within a tick.
    expect(dueUntil(schedule, 0, 98.5, 1)).toBe(0);
    expect(dueUntil(schedule, 0, 99.5, 1)).toBe(2); // 100 and 100.4 (< 100.5) go early
  });

  it('never passes the end of the schedule', () => {
    expect(dueUntil(schedule, 0, 500, 1)).toBe(totalSends(schedule));
    expect(totalSends(schedule)).toBe(25); // 100, 100.4, …, 109.6
    expect(intendedMs(schedule, 24)).toBeLessThan(110);
    expect(totalSends({ startMs: 0, intervalMs: 1, endMs: 0 })).toBe(0);
  });

  it('sleeps until a tick before the next send, at least one tick, and stops at the end', () => {
    expect(sleepMs({ startMs: 0, intervalMs: 10, endMs: 100 }, 1, 0.2, 1)).toBeCloseTo(8.8, 10);
    expect(sleepMs(schedule, 3, 100, 1)).toBe(1); // 101.2 is less than two ticks away
    expect(sleepMs(schedule, 25, 109.7, 1)).toBeNull();
  });

  it('measures from the earlier of intended and actually sent', () => {
    expect(latencyBaseMs(10, 9.3)).toBe(9.3); // early: from when it really went
    expect(latencyBaseMs(10, 12.5)).toBe(10); // late: from when it should have gone
    expect(latencyBaseMs(10, 10)).toBe(10);
  });
});

describe('pace', () => {
  it('wakes on a timer and sends the batches due before the next wake-up on each tick', () => {
    const time = fakeClock(0);
    const sends: PacedSend[] = [];
    const pacer = pace({ startMs: 0, intervalMs: 0.4, endMs: 4 }, (send) => sends.push(send), { clock: time.clock, tickMs: 1 });
    // The first tick runs at once: 0, 0.4, 0.8.
    expect(sends.map((send) => send.index)).toEqual([0, 1, 2]);
    expect(time.pendingAtMs()).toBe(1); // slept a tick, no polling
    time.fire(); // at 1: 1.2, 1.6 (< 2)
    expect(sends.map((send) => send.index)).toEqual([0, 1, 2, 3, 4]);
    time.fire(); // at 2: 2.0, 2.4, 2.8
    time.fire(); // at 3: 3.2, 3.6
    expect(sends).toHaveLength(10);
    expect(pacer.finished).toBe(true);
    expect(time.pendingAtMs()).toBeNull();
  });

  it('measures early sends from when they were sent and on-time ones from their intended time', () => {
    const time = fakeClock(0);
    const sends: PacedSend[] = [];
    pace({ startMs: 0.5, intervalMs: 0.25, endMs: 2 }, (send) => sends.push(send), { clock: time.clock, tickMs: 1 });
    // At 0: 0.5 and 0.75 go early, measured from 0 (when sent); they were not late.
    expect(sends.map((send) => [send.intendedMs, send.sentMs, send.baseMs, send.lagMs])).toEqual([
      [0.5, 0, 0, 0],
      [0.75, 0, 0, 0],
    ]);
    time.fire(0.25); // due at 1, wakes at 1.25: 1.0 late (from 1.0), 1.25 on time, 1.5 and 1.75 early (from 1.25)
    expect(sends.slice(2).map((send) => [send.intendedMs, send.baseMs, send.lagMs])).toEqual([
      [1, 1, 0.25],
      [1.25, 1.25, 0],
      [1.5, 1.25, 0],
      [1.75, 1.25, 0],
    ]);
  });

  it('a late tick sends the whole backlog at once, each measured from its intended time', () => {
    const time = fakeClock(0);
    const sends: PacedSend[] = [];
    pace({ startMs: 0, intervalMs: 0.5, endMs: 20 }, (send) => sends.push(send), { clock: time.clock, tickMs: 1 });
    expect(sends).toHaveLength(2); // 0, 0.5
    time.fire(9); // due at 1, wakes at 10: a 9 ms stall
    const backlog = sends.slice(2);
    // Everything intended before 11 (the next expected wake-up): 1.0 … 10.5.
    expect(backlog.map((send) => send.intendedMs)).toEqual(Array.from({ length: 20 }, (_, at) => 1 + at * 0.5));
    for (const send of backlog) {
      expect(send.sentMs).toBe(10);
      if (send.intendedMs <= 10) {
        expect(send.baseMs).toBe(send.intendedMs); // late: the stall counts against it
        expect(send.lagMs).toBe(10 - send.intendedMs);
      } else {
        expect(send.baseMs).toBe(10); // 10.5: sent early, measured from when it went
        expect(send.lagMs).toBe(0);
      }
    }
  });

  it('does not drift over many ticks: every intended time is start + k × interval, each sent once', () => {
    const time = fakeClock(1000);
    const schedule: PaceSchedule = { startMs: 1000, intervalMs: 0.2, endMs: 1000 + 10_000 }; // 50k sends
    const sends: PacedSend[] = [];
    let finished = 0;
    const pacer = pace(schedule, (send) => sends.push(send), { clock: time.clock, tickMs: 1, onFinished: () => finished++ });
    // Timers fire late by a varying, repeating amount (0 – 0.9 ms), as a busy loop would.
    let ticks = 0;
    while (time.pendingAtMs() !== null) time.fire((ticks++ % 10) * 0.1);
    expect(pacer.finished).toBe(true);
    expect(finished).toBe(1);
    expect(sends).toHaveLength(50_000);
    expect(totalSends(schedule)).toBe(50_000);
    // Checked in plain code (50k expect() calls take seconds); the first offender is shown.
    const offender = sends.find(
      (send, k) =>
        send.index !== k ||
        send.intendedMs !== 1000 + k * 0.2 ||
        // Never more than a tick early, never later than the timer's own lateness.
        !(send.sentMs > send.intendedMs - 1) ||
        !(send.lagMs <= 0.9 + 1e-9) ||
        send.baseMs !== Math.min(send.intendedMs, send.sentMs),
    );
    expect(offender).toBeUndefined();
    // ~one wake-up per ms, not one per send: the pacer sleeps between ticks.
    expect(ticks).toBeGreaterThan(5_000);
    expect(ticks).toBeLessThanOrEqual(10_001);
  });

  it('sleeps for long gaps instead of ticking through them', () => {
    const time = fakeClock(0);
    const sends: PacedSend[] = [];
    pace({ startMs: 0, intervalMs: 50, endMs: 200 }, (send) => sends.push(send), { clock: time.clock, tickMs: 1 });
    expect(time.requested).toEqual([49]); // wake a tick before 50
    time.fire(0.5); // at 49.5: 50 is before 50.5
    expect(sends.map((send) => send.intendedMs)).toEqual([0, 50]);
    expect(sends[1].baseMs).toBe(49.5); // sent 0.5 ms early: measured from when it went
  });

  it('stop() makes no more sends and cancels the timer; a throwing send stops it too', () => {
    const time = fakeClock(0);
    let count = 0;
    const pacer = pace({ startMs: 0, intervalMs: 1, endMs: 100 }, () => count++, { clock: time.clock, tickMs: 1 });
    expect(count).toBe(1);
    pacer.stop();
    expect(pacer.finished).toBe(true);
    expect(time.pendingAtMs()).toBeNull();

    const other = fakeClock(0);
    expect(() => pace({ startMs: 0, intervalMs: 1, endMs: 100 }, () => {
      throw new Error('socket gone');
    }, { clock: other.clock })).toThrow('socket gone');
    expect(other.pendingAtMs()).toBeNull();
  });

  it('an empty schedule finishes at once', () => {
    const time = fakeClock(0);
    let finished = 0;
    const pacer = pace({ startMs: 5, intervalMs: 1, endMs: 5 }, () => {
      throw new Error('no sends');
    }, { clock: time.clock, onFinished: () => finished++ });
    expect(pacer.finished).toBe(true);
    expect(finished).toBe(1);
    expect(pacer.sent).toBe(0);
  });
});
