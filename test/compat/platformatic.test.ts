// Unmodified @platformatic/kafka 2.12.1 against `lanes` over TCP: admin (create, metadata,
// delete), producer (keys, values, headers, null keys, explicit partitions), and a consumer group
// reading from the earliest offset and committing each message; admin reads the commits back.
//
// Node 20: @platformatic/kafka 2.x calls Promise.withResolvers (Node 22+) and declares engines
// Node ≥ 22.22. We chose to keep the 2.x line, installed by `npm run clients:install` rather than
// as a devDependency, with a Promise.withResolvers polyfill installed before it is imported
// (support/platformatic.ts), rather than pin the 1.x line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { platformatic, skipWithoutPlatformatic, type PlatformaticModule } from './support/platformatic.js';

skipWithoutPlatformatic('the @platformatic/kafka compatibility tests');

let server: TestServer;
let kafka: PlatformaticModule;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  if (platformatic === null) return;
  kafka = platformatic;
  server = await startTestServer();
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  await server?.stop();
});

function clientOptions(clientId: string) {
  return { clientId, bootstrapBrokers: [server.address], retries: 5, retryDelay: 100 };
}

function admin() {
  const client = new kafka.Admin(clientOptions('lanes-compat-admin'));
  closers.push(() => client.close());
  return client;
}

function producer() {
  const client = new kafka.Producer({ ...clientOptions('lanes-compat-producer'), serializers: kafka.stringSerializers });
  closers.push(() => client.close());
  return client;
}

describe.skipIf(platformatic === null)('@platformatic/kafka admin', () => {
  it('creates a topic, reads its metadata and deletes it', async () => {
    const client = admin();
    await client.createTopics({ topics: ['pf-admin'], partitions: 3, replicas: 1 });
    const metadata = await client.metadata({ topics: ['pf-admin'] });
    const topic = metadata.topics.get('pf-admin');
    expect(topic?.partitionsCount).toBe(3);
    expect(topic?.partitions.map((partition) => partition.leader)).toEqual([0, 0, 0]);
    await client.deleteTopics({ topics: ['pf-admin'] });
    const names = await client.listTopics();
    expect(names).not.toContain('pf-admin');
  });
});

describe.skipIf(platformatic === null)('@platformatic/kafka admin configs (its own codec, at its newest versions)', () => {
  it('describes with synonyms and documentation, alters incrementally and refuses bad values', async () => {
    const client = admin();
    await client.createTopics({ topics: ['pf-configs'], partitions: 1, replicas: 1 });
    const describe = async (names: string[]) => {
      const [resource] = await client.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-configs', configurationKeys: names }], includeSynonyms: true, includeDocumentation: true });
      return Object.fromEntries(resource.configs.map((config) => [config.name, config]));
    };
    const untouched = await describe(['retention.ms', 'compression.type']);
    expect(untouched['retention.ms']).toMatchObject({ value: '604800000', configSource: 5, readOnly: false, configType: 5, synonyms: [{ name: 'log.retention.hours', value: '168', source: 5 }] });
    expect(untouched['retention.ms'].documentation).toMatch(/retention|older/);
    expect(untouched['compression.type']).toMatchObject({ value: 'producer', configSource: 5, configType: 2 });

    await client.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-configs', configs: [{ name: 'retention.ms', configOperation: 0, value: '3600000' }] }] });
    expect((await describe(['retention.ms']))['retention.ms']).toMatchObject({ value: '3600000', configSource: 1 });
    await client.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-configs', configs: [{ name: 'retention.ms', configOperation: 1 }] }] });
    expect((await describe(['retention.ms']))['retention.ms']).toMatchObject({ value: '604800000', configSource: 5 });

    await client.alterConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-configs', configs: [{ name: 'segment.ms', value: '60000' }] }], validateOnly: true });
    expect((await describe(['segment.ms']))['segment.ms']).toMatchObject({ value: '604800000', configSource: 5 });
    await expect(
      client.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-configs', configs: [{ name: 'retention.ms', configOperation: 0, value: 'soon' }] }] }),
    ).rejects.toThrow();
    expect((await describe(['retention.ms']))['retention.ms']).toMatchObject({ value: '604800000', configSource: 5 });
  });
});

describe.skipIf(platformatic === null)('@platformatic/kafka producer and consumer group', () => {
  it('round-trips keys, values and headers through a consumer group', async () => {
    await admin().createTopics({ topics: ['pf-roundtrip'], partitions: 2, replicas: 1 });
    const sent = Array.from({ length: 20 }, (_, index) => ({
      topic: 'pf-roundtrip',
      key: index % 5 === 0 ? undefined : `key-${index}`,
      value: `value-${index}-${'x'.repeat(index * 10)}`,
      headers: new Map([
        ['index', String(index)],
        ['source', 'platformatic'],
      ]),
      partition: index % 2,
    }));
    const send = producer();
    const result = await send.send({ messages: sent, acks: -1 });
    expect(result.offsets?.map((entry) => entry.partition).sort()).toEqual([0, 1]);

    const consumer = new kafka.Consumer({
      ...clientOptions('lanes-compat-consumer'),
      groupId: 'pf-group',
      deserializers: kafka.stringDeserializers,
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      maxWaitTime: 200,
    });
    closers.push(() => consumer.close(true));
    const stream = await consumer.consume({ topics: ['pf-roundtrip'], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: false });
    const received: { key: string | undefined; value: string; headers: Map<string, string>; partition: number; offset: bigint }[] = [];
    for await (const message of stream) {
      received.push({ key: message.key, value: message.value, headers: message.headers, partition: message.partition, offset: message.offset });
      await message.commit();
      if (received.length === sent.length) break;
    }
    await stream.close();

    expect(received).toHaveLength(sent.length);
    for (const partition of [0, 1]) {
      const expected = sent.filter((message) => message.partition === partition);
      const got = received.filter((message) => message.partition === partition);
      // Per partition, in order, dense offsets from 0.
      expect(got.map((message) => message.offset)).toEqual(expected.map((_, index) => BigInt(index)));
      expect(got.map((message) => message.value)).toEqual(expected.map((message) => message.value));
      // The string deserializer turns a null key into an empty string or undefined; either means "none".
      expect(got.map((message) => (message.key === '' ? undefined : message.key))).toEqual(expected.map((message) => message.key));
      expect(got.map((message) => Object.fromEntries(message.headers))).toEqual(expected.map((message) => Object.fromEntries(message.headers)));
    }

    // The group committed what it consumed (OffsetCommit from the consumer, OffsetFetch from admin).
    const [group] = await admin().listConsumerGroupOffsets({ groups: ['pf-group'] });
    const committed = group.topics.find((topic) => topic.name === 'pf-roundtrip');
    expect(committed?.partitions.map((partition) => Number(partition.committedOffset))).toEqual([10, 10]);
  });
});

describe.skipIf(platformatic === null)('@platformatic/kafka transactions', () => {
  it('commits and aborts transactions: the coordinator completes each, markers follow the records', async () => {
    await admin().createTopics({ topics: ['pf-txn'], partitions: 2, replicas: 1 });
    const client = new kafka.Producer({ ...clientOptions('lanes-compat-txn'), idempotent: true, transactionalId: 'pf-txn', serializers: kafka.stringSerializers });
    closers.push(() => client.close());
    const committed = await client.beginTransaction();
    await committed.send({ messages: [{ topic: 'pf-txn', value: 'one', partition: 0 }, { topic: 'pf-txn', value: 'two', partition: 1 }] });
    expect((await server.broker.describeTransactions(['pf-txn']))[0]).toMatchObject({ state: 'Ongoing', topics: [{ topic: 'pf-txn', partitions: [0, 1] }] });
    await committed.commit();
    expect((await server.broker.describeTransactions(['pf-txn']))[0]).toMatchObject({ state: 'CompleteCommit' });
    const aborted = await client.beginTransaction();
    await aborted.send({ messages: [{ topic: 'pf-txn', value: 'three', partition: 0 }] });
    await aborted.abort();
    expect((await server.broker.describeTransactions(['pf-txn']))[0]).toMatchObject({ state: 'CompleteAbort' });
    // Partition 0: one, its commit marker, three, its abort marker; partition 1: two, its marker.
    expect(server.broker.describeTopic('pf-txn')?.partitions.map((partition) => partition.highWatermark)).toEqual([4, 2]);
  });
});
