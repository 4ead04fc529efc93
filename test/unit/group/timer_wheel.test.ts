import { describe, expect, it } from 'vitest';
import { TimerWheel } from '../../../core/timer_wheel.js';
import { Prng } from '../../support/prng.js';

describe('TimerWheel', () => {
  it('expires due keys in deadline order and keeps the rest', () => {
    const wheel = new TimerWheel();
    wheel.schedule('c', 300);
    wheel.schedule('a', 100);
    wheel.schedule('b', 200);
    expect(wheel.nextDeadlineMs()).toBe(100);
    expect(wheel.expire(250)).toEqual(['a', 'b']);
    expect(wheel.nextDeadlineMs()).toBe(300);
    expect(wheel.expire(299)).toEqual([]);
    expect(wheel.expire(300)).toEqual(['c']);
    expect(wheel.nextDeadlineMs()).toBeUndefined();
  });

  it('replaces a key’s deadline when it is scheduled again, later or earlier', () => {
    const wheel = new TimerWheel();
    wheel.schedule('session', 100);
    wheel.schedule('other', 150);
    wheel.schedule('session', 200); // a heartbeat pushed it back
    expect(wheel.size).toBe(2);
    expect(wheel.expire(160)).toEqual(['other']);
    wheel.schedule('session', 50); // and pulled forward
    expect(wheel.expire(160)).toEqual(['session']);
  });

  it('breaks deadline ties by the order keys were scheduled', () => {
    const wheel = new TimerWheel();
    for (const key of ['x', 'y', 'z']) wheel.schedule(key, 10);
    wheel.schedule('x', 10); // rescheduling moves x behind y and z
    expect(wheel.expire(10)).toEqual(['y', 'z', 'x']);
  });

  it('cancels a key so it never fires, and reports whether it was there', () => {
    const wheel = new TimerWheel();
    wheel.schedule('a', 10);
    wheel.schedule('b', 20);
    expect(wheel.cancel('a')).toBe(true);
    expect(wheel.cancel('a')).toBe(false);
    expect(wheel.has('a')).toBe(false);
    expect(wheel.expire(100)).toEqual(['b']);
  });

  it('hands out at most countMax keys per call', () => {
    const wheel = new TimerWheel();
    for (let index = 0; index < 5; index++) wheel.schedule(`k${index}`, index);
    expect(wheel.expire(10, 2)).toEqual(['k0', 'k1']);
    expect(wheel.expire(10)).toEqual(['k2', 'k3', 'k4']);
  });

  it('agrees with a sorted model over thousands of random schedules, cancels and expiries', () => {
    const prng = new Prng(7);
    const wheel = new TimerWheel();
    const model = new Map<string, { deadlineMs: number; sequence: number }>();
    let sequence = 0;
    let nowMs = 0;
    for (let step = 0; step < 4000; step++) {
      const key = `key-${prng.int(0, 499)}`;
      const roll = prng.next();
      if (roll < 0.6) {
        const deadlineMs = nowMs + prng.int(0, 1000);
        wheel.schedule(key, deadlineMs);
        model.set(key, { deadlineMs, sequence: sequence++ });
      } else if (roll < 0.8) {
        expect(wheel.cancel(key)).toBe(model.delete(key));
      } else {
        nowMs += prng.int(0, 200);
        const due = [...model]
          .filter(([, entry]) => entry.deadlineMs <= nowMs)
          .sort(([, a], [, b]) => a.deadlineMs - b.deadlineMs || a.sequence - b.sequence)
          .map(([dueKey]) => dueKey);
        for (const dueKey of due) model.delete(dueKey);
        expect(wheel.expire(nowMs)).toEqual(due);
      }
      expect(wheel.size).toBe(model.size);
    }
    const earliest = Math.min(...[...model.values()].map((entry) => entry.deadlineMs));
    expect(wheel.nextDeadlineMs()).toBe(model.size === 0 ? undefined : earliest);
  });
});
