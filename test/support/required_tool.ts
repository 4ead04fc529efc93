// Tests that need a tool from outside npm (kcat, Chromium): on a developer's machine without it
// they skip with a warning naming the package; in CI (CI set, as every CI service sets it) a
// missing tool fails the test file instead, so coverage cannot silently disappear from a run.

/** True when this run is in CI. */
export const inCi = (process.env.CI ?? '') !== '' && process.env.CI !== 'false';

/**
 * Whether the tests of `what` must skip because `tool` is missing (`found` false). Throws in CI,
 * failing the file that asked. `install` says how to get it, e.g. "apt-get install kcat".
 */
export function skipWithoutTool(tool: string, found: boolean, install: string, what: string): boolean {
  if (found) return false;
  if (inCi) throw new Error(`${tool} is not installed (${install}), and CI must run ${what}`);
  console.warn(`${tool} is not installed (${install}): skipping ${what}`);
  return true;
}
