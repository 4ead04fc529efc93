import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { timeoutMs, timeoutScale, timeoutScaleVariable } from './test/support/timeouts.js';
import { distIsFresh } from './test/support/built_cli.js';
import { workersFromBuildVariable } from './actors/spawn.js';

// One scale for every timeout (test/support/timeouts.ts): computed here once, from
// LANES_TEST_TIMEOUT_SCALE or the load when the run starts, and handed to every test process.
if (timeoutScale !== 1) console.log(`lanes tests: timeouts ×${timeoutScale} (${timeoutScaleVariable}, or the load when unset)`);

/**
 * Folders (and one unit file: the virtual engine's built-in scenarios, ~35 s) whose files run
 * first, in this order: each of their files takes seconds to a minute (brokers, child processes,
 * the 20 s fuzz run), against a second or two for a unit or property file. Started last, one of them is the run's tail, with the other worker idle; started first,
 * the short files fill in around them and both workers finish together.
 */
const slowFolders = ['test/unit/lab/virtual_engine.test.ts', 'test/fuzz/', 'test/compat/', 'test/integration/', 'test/sim/'];

function slowRank(root: string, file: TestSpecification): number {
  const path = relative(root, file.moduleId).replaceAll('\\', '/');
  const rank = slowFolders.findIndex((folder) => path.startsWith(folder));
  return rank < 0 ? slowFolders.length : rank;
}

/**
 * Vitest's order (longest first when a previous run's durations are cached, else largest file
 * first, which puts the short fuzz file near the end of a fresh clone's run), with the slow
 * folders first.
 */
class SlowFoldersFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    return sorted.map((file, index) => ({ file, index, rank: slowRank(this.ctx.config.root, file) })).sort((a, b) => a.rank - b.rank || a.index - b.index).map(({ file }) => file);
  }
}

/**
 * The test files import the TypeScript sources, and so would their in-process brokers' shard
 * threads, each compiling its ~140 modules through tsx: about a second of CPU per shard started,
 * the largest single cost of the suite. When dist/ is built from the current sources (npm test
 * builds first) the threads load the bundle instead: the same code, one file. With dist/ stale
 * (sources edited, no build since) they keep compiling from source, slower but never old code;
 * LANES_WORKERS_FROM_BUILD=0 keeps them on the sources regardless (e.g. to compare the two).
 */
function workersFromBuild(): Record<string, string> {
  if (process.env[workersFromBuildVariable] === '0') return {};
  return distIsFresh() ? { [workersFromBuildVariable]: '1' } : {};
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread and child-process tests need real processes, not a shared VM context.
    pool: 'forks',
    // Two cores: more parallel files only thrash.
    maxWorkers: 2,
    sequence: { sequencer: SlowFoldersFirst },
    // Typed arrays compared by their bytes at once, not element by element (see the file).
    setupFiles: ['test/support/byte_equality.ts'],
    testTimeout: timeoutMs(60_000),
    hookTimeout: timeoutMs(60_000),
    env: { LANES_VERIFY: '1', [timeoutScaleVariable]: String(timeoutScale), ...workersFromBuild() },
  },
});
