// `startTestBroker()`: a broker for one test file or one test, in the test's own process.
//
//   import { startTestBroker } from 'lanes/testing';
//   const { brokers, stop } = await startTestBroker();
//   const kafka = new Kafka({ clientId: 'test', brokers });   // Lanes' client, KafkaJS, ...
//   ...
//   await stop();
//
// Memory storage, a free port on 127.0.0.1, topics created on first use, no initial rebalance
// delay and a 100 ms session-timeout minimum (so a test can watch a member expire), one shard.
// The shard runs inline, on the calling thread, unless `shardThreads: 'workers'` is given: a
// worker thread's start (loading a shard's modules afresh in a new isolate) is most of a
// broker's start-up, and per-test brokers pay it each time. Nothing of a stopped broker is left
// running: no thread, socket, timer or port (test/integration/startup/test_broker.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Broker, BrokerOptions } from '../host/broker.js';
import { startServer, type RunningServer } from '../host/cli.js';

export interface TestBrokerOptions {
  /** Default 1. */
  shards?: number;
  /** Default 'inline' (no thread to start); 'workers' runs each shard on a worker thread, as `lanes start` does. */
  shardThreads?: BrokerOptions['shardThreads'];
  /** Default true (Kafka's auto.create.topics.enable). */
  autoCreateTopics?: boolean;
  /** Partitions of auto-created topics; default 1. */
  partitions?: number;
  /** Group coordinator settings over the test defaults (no initial rebalance delay, 100 ms session minimum). */
  groups?: BrokerOptions['groups'];
}

export interface TestBroker {
  /** `['127.0.0.1:<port>']`: the `brokers` of a Kafka client config. */
  brokers: string[];
  /** The broker itself, for its in-process calls. */
  broker: Broker;
  /** Stops the listener (answering what is in flight) and the broker. Idempotent. */
  stop(): Promise<void>;
}

export async function startTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  // startServer resolves a data directory even for memory storage; nothing is written to it.
  const dataDir = mkdtempSync(join(tmpdir(), 'lanes-test-'));
  let server: RunningServer;
  try {
    server = await startServer({
      dataDir,
      storage: 'memory',
      shards: options.shards ?? 1,
      shardThreads: options.shardThreads ?? 'inline',
      host: '127.0.0.1',
      port: 0,
      dev: true,
      autoCreateTopics: options.autoCreateTopics ?? true,
      partitions: options.partitions ?? 1,
      groups: { sessionTimeoutMsMin: 100, ...options.groups },
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    brokers: [`${server.listener.host}:${server.listener.port}`],
    broker: server.broker,
    stop: () =>
      (stopping ??= server.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }))),
  };
}
