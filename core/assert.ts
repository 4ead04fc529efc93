// Programmer errors, as opposed to operating errors (see errors.ts).
//
// An assertion failure means the code itself is wrong: the shard that hits one stops taking work
// and reports, it does not limp on in a state nobody designed. Asserts stay on in production.
// Checks that walk whole structures are gated by `verify`, which the test suite always turns on.

export class InvariantError extends Error {
  override name = 'InvariantError';
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new InvariantError(message);
}

export function assertNever(value: never, what = 'value'): never {
  throw new InvariantError(`unexpected ${what}: ${String(value)}`);
}

/** True when costly invariant checks should run (LANES_VERIFY=1; the test suite sets it). */
export const verify: boolean =
  typeof process !== 'undefined' && process.env !== undefined && process.env.LANES_VERIFY === '1';
