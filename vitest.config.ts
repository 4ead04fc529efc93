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
  },
});
