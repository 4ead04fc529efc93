// The only time source core code sees. Shards pass a real clock; tests pass a fake one, so the
// group state machine, retention and timeouts run deterministically under test.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
