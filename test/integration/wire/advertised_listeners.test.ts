// What `lanes start` tells clients to connect to (Metadata's broker list, FindCoordinator's
// coordinator): by default where they connected, `--host`'s name as given (a client that
// connected as `localhost` is told `localhost`, not the address the name resolved to), and
// `--advertised-host` / `--advertised-port` (or LANES_ADVERTISED_*) for containers and NAT.
// Method: the built CLI, asked over the wire at the newest versions and at v1/v0.
import { afterEach, expect, it } from 'vitest';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { runFailingBroker, startBroker, type RunningBroker } from '../../support/broker_process.js';
import { RawClient } from './raw_client.js';

let broker: RunningBroker | null = null;
let raw: RawClient | null = null;
afterEach(async () => {
  raw?.close();
  raw = null;
  await broker?.stop();
  broker = null;
});

const common = ['--storage', 'memory', '--shards', '1', '--log-level', 'warn'];

/** [host, port] as Metadata (v12 and v1) and FindCoordinator (v6 and v0) name this broker. */
async function advertised(client: RawClient): Promise<[string, number][]> {
  const metadataBody = { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  const answers: [string, number][] = [];
  for (const version of [12, 1]) {
    const { brokers } = await client.request(ApiKey.Metadata, version, metadataBody);
    expect(brokers).toHaveLength(1);
    answers.push([brokers[0].host, brokers[0].port]);
  }
  const batched = await client.request(ApiKey.FindCoordinator, 6, { key: '', keyType: 0, coordinatorKeys: ['g'] });
  answers.push([batched.coordinators[0].host, batched.coordinators[0].port]);
  const single = await client.request(ApiKey.FindCoordinator, 0, { key: 'g', keyType: 0, coordinatorKeys: [] });
  answers.push([single.host, single.port]);
  return answers;
}

it('by default names the address the client connected to, and the port', async () => {
  broker = await startBroker(common);
  raw = await RawClient.connect(broker.port);
  expect(await advertised(raw)).toEqual(Array(4).fill(['127.0.0.1', broker.port]));
});

it('listening on a host name, names it as given: a client that connected as localhost is told localhost', async () => {
  broker = await startBroker([...common, '--host', 'localhost']);
  raw = await RawClient.connect(broker.port, 'localhost');
  expect(await advertised(raw)).toEqual(Array(4).fill(['localhost', broker.port]));
});

it('names --advertised-host and --advertised-port, or LANES_ADVERTISED_HOST and LANES_ADVERTISED_PORT', async () => {
  broker = await startBroker([...common, '--advertised-host', 'kafka.example', '--advertised-port', '19092']);
  raw = await RawClient.connect(broker.port);
  expect(await advertised(raw)).toEqual(Array(4).fill(['kafka.example', 19092]));
  raw.close();
  await broker.stop();
  broker = await startBroker(common, { env: { LANES_ADVERTISED_HOST: 'lanes.internal', LANES_ADVERTISED_PORT: '29092' } });
  raw = await RawClient.connect(broker.port);
  expect(await advertised(raw)).toEqual(Array(4).fill(['lanes.internal', 29092]));
});

it('refuses an advertised port no client could connect to, naming the flag', async () => {
  const run = await runFailingBroker([...common, '--advertised-port', '0']);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/--advertised-port/);
});
