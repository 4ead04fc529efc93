// Goal: `lanes/testing`, the globalSetup users put in their vitest/jest config, starts a broker on a
// free port that any Kafka client reaches through LANES_BROKERS (and vitest's inject), and its
// teardown stops it; the package's exports name the modules the README tells users to import.
// Method: run setup/teardown as vitest would (with a project that records provide), then talk to
// the broker with unmodified kafkajs and with Lanes' own client over the wire.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka as KafkaJS, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Kafka } from '../../../actors/host/index.js';
import setup, { lanesBrokers, lanesBrokersKey } from '../../../actors/testing/global_setup.js';
import jestTeardown from '../../../actors/testing/global_teardown.js';
import { until } from './support.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function accepts(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('lanes/testing globalSetup', () => {
  it('starts a broker kafkajs and the Lanes client reach through LANES_BROKERS, and stops it', async () => {
    const provided = new Map<string, unknown>();
    const teardown = await setup({ provide: (key: string, value: unknown) => void provided.set(key, value) });
    const brokers = process.env.LANES_BROKERS;
    expect(brokers).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(provided.get(lanesBrokersKey)).toBe(brokers);
    expect(lanesBrokers()).toBe(brokers);

    const kafkajs = new KafkaJS({ clientId: 'setup', brokers: [brokers!], logLevel: logLevel.NOTHING });
    const producer = kafkajs.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const [metadata] = await producer.send({ topic: 'auto-created', messages: [{ key: 'k', value: 'from kafkajs' }] });
    expect(metadata.baseOffset).toBe('0');
    await producer.disconnect();

    const lanes = new Kafka({ clientId: 'setup', brokers: [brokers!] });
    // A session below Kafka's 6 s minimum: the testing broker accepts short sessions, so suites can
    // watch a member expire without waiting seconds.
    const consumer = lanes.consumer({ groupId: 'setup', sessionTimeout: 1_000, heartbeatInterval: 100, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['auto-created'], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await until('the record kafkajs produced', () => values.length === 1);
    expect(values).toEqual(['from kafkajs']);
    await consumer.disconnect();

    await teardown();
    expect(process.env.LANES_BROKERS).toBeUndefined();
    expect(lanesBrokers()).toBeUndefined();
    expect(await accepts(brokers!)).toBe(false);
  });

  it('works as jest uses it: globalSetup without a project, then the globalTeardown module', async () => {
    await setup({ rootDir: '/', testTimeout: 5_000 });
    const brokers = process.env.LANES_BROKERS!;
    expect(await accepts(brokers)).toBe(true);
    await jestTeardown();
    expect(await accepts(brokers)).toBe(false);
  });

  it('is exported as lanes/testing, next to lanes itself, and the bin still points at the CLI', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
      main: string;
      types: string;
      bin: Record<string, string>;
      exports: Record<string, string | { types: string; default: string }>;
    };
    const target = (key: string) => pkg.exports[key] as { types: string; default: string };
    expect(`./${pkg.main}`).toBe(target('.').default);
    expect(`./${pkg.types}`).toBe(target('.').types);
    // Every export is the bundle (bin/bundle.js) of a source module this repository has, typed by
    // that module's compiled declarations.
    for (const [key, source] of [['.', 'actors/host/index.ts'], ['./testing', 'actors/testing/global_setup.ts'], ['./testing/teardown', 'actors/testing/global_teardown.ts']]) {
      expect(target(key).default).toBe(`./dist/bundle/${source.slice(source.lastIndexOf('/') + 1).replace(/\.ts$/, '.js')}`);
      expect(target(key).types).toBe(`./dist/${source.replace(/\.ts$/, '.d.ts')}`);
      expect(existsSync(`${root}${source}`)).toBe(true);
    }
    expect(existsSync(`${root}${pkg.bin.lanes}`)).toBe(true);
    expect(readFileSync(`${root}${pkg.bin.lanes}`, 'utf8')).toContain("'../dist/bundle/cli.js'");
    expect(readFileSync(`${root}${pkg.bin.lanes}`, 'utf8')).toContain("'../dist/actors/host/cli.js'");
  });
});
