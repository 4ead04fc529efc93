// A clock that moves only when a test moves it: time in core code is always an input.
import type { Clock } from '../../core/clock.js';

export class FakeClock implements Clock {
  constructor(private timeMs = 1_700_000_000_000) {}

  nowMs(): number {
    return this.timeMs;
  }

  advance(ms: number): number {
    if (!(ms >= 0)) throw new RangeError(`FakeClock.advance: ${ms} must be ≥ 0`);
    this.timeMs += ms;
    return this.timeMs;
  }

  set(timeMs: number): void {
    this.timeMs = timeMs;
  }
}
