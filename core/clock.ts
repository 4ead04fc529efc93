// The only time source core code sees. Shards pass the real one (actors/system_clock.ts); tests
// pass a fake one, so the group state machine, retention and timeouts run deterministically.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
}
