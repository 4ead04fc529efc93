// The real time source. core/ only sees the Clock interface (core/clock.ts), so that it never
// reads the system clock itself; actors hand it this one, tests a fake one.
import type { Clock } from '../core/clock.js';

export const systemClock: Clock = { nowMs: () => Date.now() };
