import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Worker-thread and child-process tests need real processes, not a shared VM context.
    pool: 'forks',
    // Two cores: more parallel files only thrash.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { LANES_VERIFY: '1' },
    // One rare, not yet diagnosed timeout in the embedded-client integration tests (1 run in 4 of
    // the full suite on a busy machine; see the session notes). CI retries a failed test once so
    // a flake does not block landing; a real regression still fails twice. Remove once fixed.
    retry: process.env.CI === 'true' ? 1 : 0,
  },
});
