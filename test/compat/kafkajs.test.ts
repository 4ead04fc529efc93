// Unmodified kafkajs 2.2.4 against `lanes` over TCP: admin (create/list/delete topics, partitions,
// configs), producer (keys, values, headers, null keys, 1 MB values, gzip), consumer groups.
import { CompressionTypes, Kafka, logLevel, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';

let server: TestServer;
let kafka: Kafka;
const clients: { disconnect(): Promise<void> }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  kafka = new Kafka({ clientId: 'lanes-compat', brokers: [server.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
});

afterAll(async () => {
  for (const client of clients.splice(0)) await client.disconnect().catch(() => undefined);
  await server?.stop();
});

function track<Client extends { disconnect(): Promise<void> }>(client: Client): Client {
  clients.push(client);
  return client;
}

async function admin(): Promise<Admin> {
  const client = track(kafka.admin());
  await client.connect();
  return client;
}

async function producer(): Promise<Producer> {
  const client = track(kafka.producer({ allowAutoTopicCreation: true }));
  await client.connect();
  return client;
}

/** Reads `count` messages from the start of `topic` with a consumer group. */
async function consume(topic: string, count: number, groupId: string) {
  const consumer: Consumer = track(kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 }));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: { partition: number; offset: string; key: Buffer | null; value: Buffer | null; headers: Record<string, unknown> }[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          messages.push({ partition, offset: message.offset, key: message.key, value: message.value, headers: message.headers ?? {} });
          if (messages.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return messages;
}

describe('kafkajs admin', () => {
  it('creates, lists, describes, grows and deletes topics', async () => {
    const client = await admin();
    expect(await client.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }], waitForLeaders: true })).toBe(true);
    // TOPIC_ALREADY_EXISTS: kafkajs answers false.
    expect(await client.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(false);
    expect(await client.listTopics()).toContain('admin-a');
    const described = await client.fetchTopicMetadata({ topics: ['admin-a'] });
    expect(described.topics[0].partitions.map((p) => p.leader)).toEqual([0, 0, 0]);
    await client.createPartitions({ topicPartitions: [{ topic: 'admin-a', count: 5 }] });
    expect((await client.fetchTopicMetadata({ topics: ['admin-a'] })).topics[0].partitions).toHaveLength(5);
    const configs = await client.describeConfigs({ resources: [{ type: 2, name: 'admin-a' }], includeSynonyms: false });
    const names = configs.resources[0].configEntries.map((entry) => entry.configName);
    expect(names).toContain('retention.ms');
    expect(names).toContain('max.message.bytes');
    await client.deleteTopics({ topics: ['admin-a'] });
    expect(await client.listTopics()).not.toContain('admin-a');
  });

  it('reports earliest and latest offsets', async () => {
    const client = await admin();
    await client.createTopics({ topics: [{ topic: 'offsets-a', numPartitions: 1 }], waitForLeaders: true });
    const send = await producer();
    await send.send({ topic: 'offsets-a', messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    expect(await client.fetchTopicOffsets('offsets-a')).toEqual([{ partition: 0, offset: '3', high: '3', low: '0' }]);
  });
});

describe('kafkajs producer and fetch', () => {
  it('produces keys, values, headers, null keys and gzip batches, acks -1/1/0', async () => {
    const send = await producer();
    const results = await send.send({
      topic: 'produce-a',
      acks: -1,
      messages: [
        { key: 'k1', value: 'v1', headers: { h: 'x', empty: '' } },
        { key: null, value: 'no key' },
      ],
    });
    expect(results[0].errorCode).toBe(0);
    await send.send({ topic: 'produce-a', acks: 1, compression: CompressionTypes.GZIP, messages: [{ key: 'gz', value: 'z'.repeat(10_000) }] });
    await send.send({ topic: 'produce-a', acks: 0, messages: [{ key: 'a0', value: 'fire and forget' }] });
    // An acks=1 send after the acks=0 one: if the broker had answered the acks=0 request, this
    // answer would be mismatched.
    await send.send({ topic: 'produce-a', acks: 1, messages: [{ key: 'last', value: 'last' }] });
    const got = await consume('produce-a', 5, 'group-produce-a');
    expect(got.map((m) => m.key?.toString() ?? null)).toEqual(['k1', null, 'gz', 'a0', 'last']);
    expect(got[0].headers).toEqual({ h: Buffer.from('x'), empty: Buffer.from('') });
    expect(got[2].value?.toString()).toBe('z'.repeat(10_000));
    expect(got.map((m) => m.offset)).toEqual(['0', '1', '2', '3', '4']);
  });

  it('round-trips a 1 MB value', async () => {
    const send = await producer();
    const value = Buffer.alloc(1_000_000, 7);
    value.write('start');
    await send.send({ topic: 'big-a', messages: [{ key: 'big', value }, ] });
    await send.send({ topic: 'big-a', messages: [{ key: 'small', value: 'after' }] });
    const got = await consume('big-a', 2, 'group-big-a');
    expect(got[0].value?.equals(value)).toBe(true);
    expect(got[1].value?.toString()).toBe('after');
  });
});

describe('kafkajs pipelining', () => {
  it('serves concurrent pipelined sends on one connection: every batch whole, offsets dense', async () => {
    const client = await admin();
    await client.createTopics({ topics: [{ topic: 'pipeline-a', numPartitions: 3 }], waitForLeaders: true });
    const send = await producer();
    // 20 sends in flight at once: kafkajs pipelines them on one connection.
    await Promise.all(
      Array.from({ length: 20 }, (_, round) =>
        send.send({ topic: 'pipeline-a', messages: Array.from({ length: 30 }, (_, i) => ({ partition: i % 3, value: `${round}:${i}` })) }),
      ),
    );
    const got = await consume('pipeline-a', 600, 'group-pipeline-a');
    for (const partition of [0, 1, 2]) {
      const mine = got.filter((m) => m.partition === partition);
      expect(mine).toHaveLength(200);
      expect(mine.map((m) => Number(m.offset))).toEqual(Array.from({ length: 200 }, (_, i) => i));
      // kafkajs may put concurrent sends on the wire in any order, but each send's batch lands
      // whole and in order: every round is one contiguous, ordered run per partition.
      const values = mine.map((m) => m.value!.toString());
      for (let at = 0; at < values.length; at += 10) {
        const round = values[at].split(':')[0];
        expect(values.slice(at, at + 10)).toEqual(Array.from({ length: 10 }, (_, k) => `${round}:${partition + 3 * k}`));
      }
      expect(new Set(values.map((v) => v.split(':')[0])).size).toBe(20);
    }
  });
});

describe('kafkajs consumer group', () => {
  it('commits offsets: a second consumer in the group resumes after them', async () => {
    const send = await producer();
    await send.send({ topic: 'group-a', messages: [{ value: '1' }, { value: '2' }] });
    const first = await consume('group-a', 2, 'group-a-members');
    expect(first.map((m) => m.value?.toString())).toEqual(['1', '2']);
    await send.send({ topic: 'group-a', messages: [{ value: '3' }] });
    const second = await consume('group-a', 1, 'group-a-members');
    expect(second.map((m) => m.value?.toString())).toEqual(['3']);
    const client = await admin();
    const offsets = await client.fetchOffsets({ groupId: 'group-a-members', topics: ['group-a'] });
    expect(offsets[0].partitions[0].offset).toBe('3');
    const groups = await client.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain('group-a-members');
  });
});
