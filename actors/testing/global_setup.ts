// `lanes/testing`: a vitest/jest globalSetup that starts one Lanes broker (memory storage, no
// initial rebalance delay) on a free port for a whole test run, and stops it afterwards. Main
// thread of the test runner.
//
//   // vitest.config.ts
//   export default defineConfig({ test: { globalSetup: ['lanes/testing'] } });
//
//   // a test (any worker or process): the broker's address is in LANES_BROKERS and, in vitest,
//   // inject('lanesBrokers') (typed by the ProvidedContext declaration below)
//   import { inject } from 'vitest';
//   import { Kafka } from 'lanes';
//   import type {} from 'lanes/testing';
//   const kafka = new Kafka({ clientId: 'test', brokers: [inject('lanesBrokers')] });
//
//   // jest.config.js
//   module.exports = { globalSetup: 'lanes/testing', globalTeardown: 'lanes/testing/teardown' };
//
// Test files run in other workers or processes than the globalSetup, and a broker lives in one
// process, so tests reach it over the Kafka wire protocol: with Lanes' own client
// (`new Kafka({ brokers })`), KafkaJS, or anything else that speaks Kafka. The broker is
// startTestBroker's (a 100 ms session-timeout minimum, so a suite can watch a member expire),
// with its shards on worker threads.

import { startTestBroker, type TestBroker } from './test_broker.js';
// Type only (erased from the JavaScript): the module the ProvidedContext declaration below extends.
import type {} from 'vitest';

// A broker per test file or per test, in the test's own process.
export { startTestBroker, type TestBroker, type TestBrokerOptions } from './test_broker.js';

/** The name under which the broker list is provided to vitest tests: inject('lanesBrokers'). */
export const lanesBrokersKey = 'lanesBrokers';

// vitest's inject() accepts only keys declared here; a test file that imports this module's types
// (`import type {} from 'lanes/testing'`) gets inject('lanesBrokers') typed as a string.
declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the broker lanes/testing started for the run. */
    lanesBrokers: string;
  }
}

/** The part of vitest's TestProject this setup uses (jest passes other arguments; they are ignored). */
interface ProvidingProject {
  provide(key: string, value: unknown): void;
}

let running: TestBroker | null = null;

/** `host:port` of the broker the globalSetup started in this process, or undefined. */
export function lanesBrokers(): string | undefined {
  return running?.brokers[0];
}

function isProvidingProject(value: unknown): value is ProvidingProject {
  return typeof value === 'object' && value !== null && typeof (value as { provide?: unknown }).provide === 'function';
}

/**
 * vitest calls the default export with its project and, when it returns a function, calls that as
 * teardown. Shards from LANES_TEST_SHARDS (default 1, so CI machines cope).
 */
export default async function setup(project?: unknown): Promise<() => Promise<void>> {
  if (running !== null) throw new Error('lanes/testing: the globalSetup already started a broker in this process');
  // Worker shards: the whole run's traffic should not share the runner's main thread.
  running = await startTestBroker({ shards: Number(process.env.LANES_TEST_SHARDS ?? 1), shardThreads: 'workers' });
  const brokers = lanesBrokers()!;
  process.env.LANES_BROKERS = brokers;
  if (isProvidingProject(project)) project.provide(lanesBrokersKey, brokers);
  return teardown;
}

/** jest's globalTeardown (vitest uses the function setup returns). */
export async function teardown(): Promise<void> {
  const current = running;
  running = null;
  if (current === null) return;
  delete process.env.LANES_BROKERS;
  await current.stop();
}
