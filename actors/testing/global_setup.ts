// A vitest/jest globalSetup that starts one embedded Lanes broker for a whole test run and stops
// it afterwards. Main thread of the test runner.
//
//   // vitest.config.ts
//   export default defineConfig({ test: { globalSetup: ['lanes/dist/actors/testing/global_setup.js'] } });
//
//   // jest.config.js
//   module.exports = { globalSetup: 'lanes/dist/actors/testing/global_setup.js', globalTeardown: 'lanes/dist/actors/testing/global_teardown.js' };
//
//   // a test (same process, e.g. vitest with pool 'threads' off and isolate false, or the runner itself)
//   import { lanesForTests } from 'lanes/dist/actors/testing/global_setup.js';
//   const kafka = lanesForTests().kafka({ clientId: 'test' });
//   await kafka.producer().connect();
//
// Test files usually run in other processes or workers than the globalSetup, and an embedded
// broker lives in one process: they reach it only over the Kafka wire protocol.
// TODO(listener): once actors/net/listener.ts (KafkaListener) is committed, listen on a free port
// here (port 0), publish `localhost:<port>` as process.env.LANES_BROKERS and through vitest's
// `project.provide('lanesBrokers', …)`, so `new Kafka({ brokers: [process.env.LANES_BROKERS] })`
// works from every test worker. Until then this helper serves in-process use only.

import { Lanes, type LanesOptions } from '../client/lanes.js';

let running: Lanes | null = null;

/** The broker started by the globalSetup in this process. */
export function lanesForTests(): Lanes {
  if (running === null) throw new Error('no Lanes broker: add lanes/dist/actors/testing/global_setup.js to globalSetup');
  return running;
}

/** Options from LANES_TEST_SHARDS / LANES_TEST_MEMORY_MIB, small by default so CI machines cope. */
function optionsFromEnv(): LanesOptions {
  return {
    storage: 'memory',
    shards: Number(process.env.LANES_TEST_SHARDS ?? 1),
    memoryBytes: Number(process.env.LANES_TEST_MEMORY_MIB ?? 256) * 1024 * 1024,
    ringBytes: 1024 * 1024,
    // Test groups may use short sessions (the coordinator's minimum is Kafka's 6 s otherwise).
    groups: { initialRebalanceDelayMs: 0, sessionTimeoutMsMin: 100 },
  };
}

/** vitest calls the default export and, when it returns a function, calls that as teardown. */
export default async function setup(): Promise<() => Promise<void>> {
  running = await Lanes.start(optionsFromEnv());
  process.env.LANES_EMBEDDED = '1';
  return teardown;
}

/** jest's globalTeardown (vitest uses the function setup returns). */
export async function teardown(): Promise<void> {
  const lanes = running;
  running = null;
  await lanes?.stop();
}
