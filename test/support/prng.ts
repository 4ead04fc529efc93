// Seeds for tests and simulations, and the seeded generator they use (core/prng.ts), so that a
// failing run replays exactly from its seed. Never Math.random in tests: a failure you cannot
// replay is a failure you cannot fix.
import { randomInt } from 'node:crypto';

export { Prng } from '../../core/prng.js';

/** The seed a test should use: LANES_SEED when set (to replay a failure), else `fallback`. */
export function seedFromEnv(fallback: number): number {
  const fromEnv = process.env.LANES_SEED;
  if (fromEnv === undefined || fromEnv === '') return fallback;
  const seed = Number(fromEnv);
  if (!Number.isInteger(seed)) throw new Error(`LANES_SEED=${fromEnv} is not an integer`);
  return seed >>> 0;
}

/**
 * The seed of a seeded test or simulation for this run: LANES_SEED when set (to replay a failure),
 * else a fresh one, so every run explores new cases. Printed with `what`, so any run, failed or
 * not, can be replayed from its output.
 */
export function seedForRun(what: string): number {
  const seed = seedFromEnv(randomInt(0x1_0000_0000));
  console.log(`${what}: LANES_SEED=${seed}`);
  return seed;
}
