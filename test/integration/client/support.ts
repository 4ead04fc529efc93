// Shared helpers for the client tests: a broker per test with short group timeouts, reached either
// in-process (`lanes.kafka()`) or over the Kafka protocol (`new Kafka({ brokers })` against an
// in-process `lanes start` on a free port), and waiting on conditions (never on durations) with a
// generous bound so a broken client fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Kafka, Lanes } from '../../../actors/host/index.js';
import { startServer } from '../../../actors/host/cli.js';
import { timeoutMs, waitUntil } from '../../support/timeouts.js';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

export type Mode = 'embedded' | 'wire';

/** What a test needs of its broker: KafkaJS's `Kafka` for its clients. */
export interface TestBroker {
  readonly mode: Mode;
  kafka(config?: { clientId?: string }): Kafka;
}

export async function startLanes(groups: NonNullable<Parameters<typeof Lanes.start>[0]>['groups'] = {}): Promise<Lanes> {
  const lanes = await Lanes.start({
    storage: 'memory',
    shards: 2,
    memoryBytes: 128 * MiB,
    ringBytes: 1 * MiB,
    partitionsMax: 256,
    groups: { initialRebalanceDelayMs: 0, sessionTimeoutMsMin: 100, ...groups },
  });
  cleanups.push(() => lanes.stop());
  return lanes;
}

/** A `lanes start` in this process (memory storage, no initial rebalance delay) on a free port. */
export async function startWireServer(): Promise<{ brokers: string[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanes-wire-'));
  const server = await startServer({ dataDir, storage: 'memory', shards: 2, host: '127.0.0.1', port: 0, dev: true, autoCreateTopics: true, partitions: 1 });
  cleanups.push(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { brokers: [`127.0.0.1:${server.listener.port}`] };
}

type Client = { disconnect(): Promise<void> };

/** `new Kafka({ brokers })` whose clients are disconnected after the test, as Lanes.stop() does in-process. */
function trackedKafka(config: { clientId?: string; brokers: string[] }, clients: Client[]): Kafka {
  const kafka = new Kafka(config);
  const track = <T extends Client>(client: T): T => {
    clients.push(client);
    return client;
  };
  return {
    producer: (producerConfig?: Parameters<Kafka['producer']>[0]) => track(kafka.producer(producerConfig)),
    consumer: (consumerConfig: Parameters<Kafka['consumer']>[0]) => track(kafka.consumer(consumerConfig)),
    admin: () => track(kafka.admin()),
  } as unknown as Kafka;
}

export async function startBroker(mode: Mode): Promise<TestBroker> {
  if (mode === 'embedded') {
    const lanes = await startLanes();
    return { mode, kafka: (config = {}) => lanes.kafka(config) };
  }
  const clients: Client[] = [];
  const { brokers } = await startWireServer();
  // Clients leave their groups before the server stops.
  const serverStop = cleanups.pop()!;
  cleanups.push(async () => {
    await Promise.allSettled(clients.map((client) => client.disconnect()));
    await serverStop();
  });
  return { mode, kafka: (config = {}) => trackedKafka({ ...config, brokers }, clients) };
}

/**
 * Quick membership timings. The session stays long (10 s, scaled by the timeout knob): no test here
 * waits for one to expire (members leave with LeaveGroup), and a short one can expire on a loaded
 * machine, after which the group re-reads what was not committed yet and "every record once" no
 * longer holds.
 */
export function fastGroupFor(_mode: Mode) {
  return { sessionTimeout: timeoutMs(10_000), heartbeatInterval: 100, metadataMaxAge: 200, maxWaitTimeInMs: 200 } as const;
}

export const fastGroup = fastGroupFor('embedded');

/** Polls `condition` until it holds; throws naming what it waited for after timeoutMs(`baseMs`). */
export const until = (what: string, condition: () => boolean | Promise<boolean>, baseMs = 20_000): Promise<void> => waitUntil(what, condition, baseMs);
