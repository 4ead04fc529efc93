// @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1, through its KafkaJS-shaped API)
// against the BUILT `lanes start`, shards on worker threads: a producer compressing with zstd
// and a classic consumer group reading it back, then the admin's listGroups and describeGroups
// on that group. Needs `npm run clients:install` (see support/confluent.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { waitUntil } from '../support/timeouts.js';
import { confluent, skipWithoutConfluent, type ConfluentKafka } from './support/confluent.js';

skipWithoutConfluent('the @confluentinc/kafka-javascript compatibility tests');

let broker: RunningBroker;
let kafka: ConfluentKafka;

beforeAll(async () => {
  if (confluent === null) return;
  broker = await startBroker(['--storage', 'memory', '--shards', '2', '--dev', '--log-level', 'warn']);
  kafka = new confluent.KafkaJS.Kafka({ kafkaJS: { brokers: [`127.0.0.1:${broker.port}`], logLevel: confluent.KafkaJS.logLevel.ERROR } });
});

afterAll(async () => {
  await broker?.stop();
});

describe.skipIf(confluent === null)('@confluentinc/kafka-javascript', () => {
  it('is the librdkafka the tests are written for', () => {
    expect(confluent!.librdkafkaVersion).toBe('2.15.1');
  });

  it('produces with zstd, consumes as a classic group, and sees the group through listGroups and describeGroups', async () => {
    const { CompressionTypes, ConsumerGroupStates } = confluent!.KafkaJS;
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'ckjs-zstd', numPartitions: 3 }] })).toBe(true);

    const producer = kafka.producer({ kafkaJS: { compression: CompressionTypes.ZSTD } });
    await producer.connect();
    // Compressible values: librdkafka sends a batch uncompressed when zstd would not shrink it.
    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `key-${i % 11}`, value: `zstd record ${i} ${'payload '.repeat(30)}end` }));
    const metadata = await producer.send({ topic: 'ckjs-zstd', messages: sent });
    expect(metadata.every((each) => each.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const received: { partition: number; key: string; value: string; offset: number }[] = [];
    const consumer = kafka.consumer({ kafkaJS: { groupId: 'ckjs-group', fromBeginning: true } });
    await consumer.connect();
    await consumer.subscribe({ topics: ['ckjs-zstd'] });
    await consumer.run({
      eachMessage: async ({ partition, message }) =>
        void received.push({ partition, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', offset: Number(message.offset) }),
    });
    await waitUntil('every record', () => received.length >= sent.length, 60_000, { detail: () => received.length });
    expect(received.map(({ key, value }) => `${key}=${value}`).sort()).toEqual(sent.map(({ key, value }) => `${key}=${value}`).sort());
    for (let partition = 0; partition < 3; partition++) {
      const offsets = received.filter((each) => each.partition === partition).map((each) => each.offset);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }

    const listed = await admin.listGroups();
    expect(listed.errors).toEqual([]);
    const group = listed.groups.find((each) => each.groupId === 'ckjs-group');
    expect(group).toMatchObject({ protocolType: 'consumer', isSimpleConsumerGroup: false });

    const described = await admin.describeGroups(['ckjs-group']);
    expect(described.groups).toHaveLength(1);
    const [description] = described.groups;
    expect(description.error ?? null).toBeNull();
    expect(description.state).toBe(ConsumerGroupStates.STABLE);
    expect(description.protocolType).toBe('consumer');
    expect(description.members).toHaveLength(1);
    const assigned = description.members[0].assignment.topicPartitions.map(({ topic, partition }) => `${topic}/${partition}`).sort();
    expect(assigned).toEqual(['ckjs-zstd/0', 'ckjs-zstd/1', 'ckjs-zstd/2']);

    await consumer.disconnect();
    await admin.disconnect();
  });
});
