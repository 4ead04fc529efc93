import { defineConfig } from 'vitest/config';
import { timeoutMs, timeoutScale, timeoutScaleVariable } from './test/support/timeouts.js';

// One scale for every timeout (test/support/timeouts.ts): computed here once, from
// LANES_TEST_TIMEOUT_SCALE or the load when the run starts, and handed to every test process.
if (timeoutScale !== 1) console.log(`lanes tests: timeouts ×${timeoutScale} (${timeoutScaleVariable}, or the load when unset)`);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread and child-process tests need real processes, not a shared VM context.
    pool: 'forks',
    // Two cores: more parallel files only thrash.
    maxWorkers: 2,
    testTimeout: timeoutMs(60_000),
    hookTimeout: timeoutMs(60_000),
    env: { LANES_VERIFY: '1', [timeoutScaleVariable]: String(timeoutScale) },
  },
});
