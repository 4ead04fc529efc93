// One knob for every bound on waiting in the tests: vitest's test and hook timeouts, the deadline
// of every poll-until-true, and the bound after which a child process counts as hung. Each is
// written as its base (what an idle two-core machine needs, with room to spare) times one scale.
//
// The scale is LANES_TEST_TIMEOUT_SCALE when set (e.g. 4 on a slow CI runner, 0.5 to fail fast while
// debugging a hang). Unset, it follows the machine's load when the run starts: the one-minute load
// average per core, rounded up, between 1 and 8, so a machine shared with other jobs waits longer
// instead of failing. vitest.config.ts computes it once and hands it to every test process through
// the environment, so all the files of one run agree on it.
//
// These are bounds for a hang, never expectations: no test asserts how long something took.
import { availableParallelism, loadavg } from 'node:os';

export const timeoutScaleVariable = 'LANES_TEST_TIMEOUT_SCALE';

/** The most the load alone raises the scale: past this, a hang should still fail within minutes. */
const loadScaleMax = 8;

/** The scale from the environment, else from the load now. */
export function timeoutScaleFrom(env: NodeJS.ProcessEnv): number {
  const text = env[timeoutScaleVariable];
  if (text === undefined || text === '') {
    const perCore = loadavg()[0] / availableParallelism();
    return Math.min(loadScaleMax, Math.max(1, Math.ceil(perCore)));
  }
  const scale = Number(text);
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`${timeoutScaleVariable}=${text}: want a number above 0`);
  return scale;
}

/** The scale this process uses for every bound. */
export const timeoutScale = timeoutScaleFrom(process.env);

/** `baseMs` scaled by the knob: use it for every timeout, deadline and hang bound in a test. */
export function timeoutMs(baseMs: number): number {
  return Math.round(baseMs * timeoutScale);
}

/**
 * Polls `condition` (every 10 ms unless `pollMs` says otherwise) until it holds; fails naming
 * `what`, and what `detail()` returns when given, once timeoutMs(`baseMs`) passed. Waiting on a
 * condition, never on a duration.
 */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  baseMs = 20_000,
  options: { pollMs?: number; detail?: () => unknown } = {},
): Promise<void> {
  const boundMs = timeoutMs(baseMs);
  const deadline = Date.now() + boundMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const shown = options.detail === undefined ? '' : await options.detail();
      throw new Error(`timed out after ${boundMs} ms waiting for ${what}${shown === '' ? '' : `: ${JSON.stringify(shown)}`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10));
  }
}
