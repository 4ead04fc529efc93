// @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1) admin calls against the BUILT
// `lanes start`, shards on worker threads: ListConsumerGroups with each group's state and with a
// state filter (ListGroups v4+), ListConsumerGroupOffsets without partitions (OffsetFetch with a
// null topic list), DescribeConsumerGroups of an empty group, DeleteRecords (then a consumer
// reads from the new log start) and ListOffsets by max timestamp (v7+). This client exposes no
// alterConfigs, incrementalAlterConfigs or describeCluster (neither its KafkaJS-shaped admin nor
// its native AdminClient): AlterConfigs and IncrementalAlterConfigs are tested with kafkajs
// (kafkajs_configs) and @platformatic/kafka (platformatic, platformatic_versions), DescribeCluster
// over the wire (integration/wire/admin_apis).
// Needs `npm run clients:install` (see support/confluent.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type RunningBroker } from '../support/broker_process.js';
import { waitUntil } from '../support/timeouts.js';
import { confluent, skipWithoutConfluent, type ConfluentAdmin, type ConfluentKafka } from './support/confluent.js';

skipWithoutConfluent('the @confluentinc/kafka-javascript admin compatibility tests');

let broker: RunningBroker;
let kafka: ConfluentKafka;
let admin: ConfluentAdmin;

beforeAll(async () => {
  if (confluent === null) return;
  broker = await startBroker(['--storage', 'memory', '--shards', '2', '--dev', '--log-level', 'warn']);
  kafka = new confluent.KafkaJS.Kafka({ kafkaJS: { brokers: [`127.0.0.1:${broker.port}`], logLevel: confluent.KafkaJS.logLevel.ERROR } });
  admin = kafka.admin();
  await admin.connect();
});

afterAll(async () => {
  await admin?.disconnect();
  await broker?.stop();
});

/** Sends `count` records to each of `partitions` partitions of `topic`, record i stamped 1_700_000_000_000 + stamp(i). */
async function produce(topic: string, partitions: number, count: number, stamp: (i: number) => number = (i) => i): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let partition = 0; partition < partitions; partition++) {
    const messages = Array.from({ length: count }, (_, i) => ({ value: `${topic} ${partition}/${i}`, partition, timestamp: String(1_700_000_000_000 + stamp(i)) }));
    const sent = await producer.send({ topic, messages });
    expect(sent.every((each) => each.errorCode === 0)).toBe(true);
  }
  await producer.disconnect();
}

describe.skipIf(confluent === null)('@confluentinc/kafka-javascript admin', () => {
  it('lists groups with their states, filters by state, fetches an empty group\'s offsets without naming partitions, and describes it', async () => {
    const { ConsumerGroupStates } = confluent!.KafkaJS;
    expect(await admin.createTopics({ topics: [{ topic: 'cadm-groups', numPartitions: 2 }] })).toBe(true);
    await produce('cadm-groups', 2, 10);

    // A group that commits offsets and leaves: Empty, its offsets kept.
    const leaving = kafka.consumer({ kafkaJS: { groupId: 'cadm-empty', fromBeginning: true, autoCommit: false } });
    await leaving.connect();
    await leaving.subscribe({ topics: ['cadm-groups'] });
    let seen = 0;
    await leaving.run({ eachMessage: async () => void seen++ });
    await waitUntil('the leaving consumer reads every record', () => seen >= 20, 60_000, { detail: () => seen });
    await leaving.commitOffsets([
      { topic: 'cadm-groups', partition: 0, offset: '7' },
      { topic: 'cadm-groups', partition: 1, offset: '10' },
    ]);
    await leaving.disconnect();

    // A group with a member: Stable.
    const staying = kafka.consumer({ kafkaJS: { groupId: 'cadm-stable', fromBeginning: true } });
    await staying.connect();
    await staying.subscribe({ topics: ['cadm-groups'] });
    let read = 0;
    await staying.run({ eachMessage: async () => void read++ });
    await waitUntil('the staying consumer reads every record', () => read >= 20, 60_000, { detail: () => read });

    try {
      const listed = await admin.listGroups();
      expect(listed.errors).toEqual([]);
      const states = Object.fromEntries(listed.groups.filter((group) => group.groupId.startsWith('cadm-')).map((group) => [group.groupId, group.state]));
      // Before ListGroups v4 librdkafka reported every state as Unknown.
      expect(states).toEqual({ 'cadm-empty': ConsumerGroupStates.EMPTY, 'cadm-stable': ConsumerGroupStates.STABLE });

      const stable = await admin.listGroups({ matchConsumerGroupStates: [ConsumerGroupStates.STABLE] });
      expect(stable.groups.map((group) => group.groupId).filter((id) => id.startsWith('cadm-'))).toEqual(['cadm-stable']);
      const empty = await admin.listGroups({ matchConsumerGroupStates: [ConsumerGroupStates.EMPTY] });
      expect(empty.groups.map((group) => group.groupId).filter((id) => id.startsWith('cadm-'))).toEqual(['cadm-empty']);

      // No topics named: every committed offset of the group (OffsetFetch v8+ with null topics).
      const offsets = await admin.fetchOffsets({ groupId: 'cadm-empty' });
      expect(offsets.map(({ topic, partitions }) => ({ topic, partitions: partitions.map(({ partition, offset, error }) => ({ partition, offset, error })).sort((a, b) => a.partition - b.partition) }))).toEqual([
        {
          topic: 'cadm-groups',
          partitions: [
            { partition: 0, offset: '7', error: null },
            { partition: 1, offset: '10', error: null },
          ],
        },
      ]);

      const described = await admin.describeGroups(['cadm-empty']);
      expect(described.groups).toHaveLength(1);
      expect(described.groups[0].error ?? null).toBeNull();
      expect(described.groups[0]).toMatchObject({ groupId: 'cadm-empty', state: ConsumerGroupStates.EMPTY, protocolType: 'consumer', members: [] });
    } finally {
      await staying.disconnect();
    }
  });

  it('deletes records (a new consumer starts at the new log start) and finds the record with the largest timestamp', async () => {
    expect(await admin.createTopics({ topics: [{ topic: 'cadm-records', numPartitions: 2 }] })).toBe(true);
    // Record 6 of each partition carries the largest timestamp; the others rise from 0.
    await produce('cadm-records', 2, 10, (i) => (i === 6 ? 1_000_000 : i));

    const deleted = await admin.deleteTopicRecords({ topic: 'cadm-records', partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }] });
    expect(deleted.map(({ partition, lowWatermark, error }) => ({ partition, lowWatermark, error: error ?? null })).sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, lowWatermark: 4, error: null },
      { partition: 1, lowWatermark: 10, error: null },
    ]);
    const watermarks = (await admin.fetchTopicOffsets('cadm-records')).sort((a, b) => a.partition - b.partition);
    expect(watermarks).toEqual([
      { partition: 0, offset: '10', high: '10', low: '4' },
      { partition: 1, offset: '10', high: '10', low: '10' },
    ]);

    // −3: librdkafka's OffsetSpec.MAX_TIMESTAMP, sent as ListOffsets v7+. Partition 1 has no record
    // left, so the helper answers its latest offset instead.
    const byMaxTimestamp = (await admin.fetchTopicOffsetsByTimestamp('cadm-records', -3)).sort((a, b) => a.partition - b.partition);
    expect(byMaxTimestamp).toEqual([
      { partition: 0, offset: '6' },
      { partition: 1, offset: '10' },
    ]);

    const offsets: string[] = [];
    const consumer = kafka.consumer({ kafkaJS: { groupId: 'cadm-after-delete', fromBeginning: true } });
    await consumer.connect();
    await consumer.subscribe({ topics: ['cadm-records'] });
    await consumer.run({ eachMessage: async ({ partition, message }) => void offsets.push(`${partition}@${message.offset}`) });
    await waitUntil('the records after the new log start', () => offsets.length >= 6, 60_000, { detail: () => offsets.join(' ') });
    await consumer.disconnect();
    expect(offsets).toEqual(['0@4', '0@5', '0@6', '0@7', '0@8', '0@9']);
  });
});
