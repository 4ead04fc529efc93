// Goal: the admin calls users script against a broker — topics, partitions, offsets, groups — give
// the same answers in-process and over the Kafka protocol. Method: one broker, admin and a group.
// Runs in-process (admin.test.ts) and over the Kafka protocol (wire_admin.test.ts).
import { describe, expect, it } from 'vitest';
import { ConfigResourceTypes, ConfigSource, ErrorCode } from '../../../../actors/host/index.js';
import { fastGroupFor, startBroker, type Mode, until } from '../support.js';

export function adminSuite(mode: Mode): void {
  const fastGroup = fastGroupFor(mode);
  describe(`admin (${mode})`, () => {
    it('creates, lists, describes, grows and deletes topics', async () => {
      const broker = await startBroker(mode);
      const admin = broker.kafka({ clientId: 'admin' }).admin();
      await admin.connect();
      expect(await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }, { topic: 'b' }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'a', numPartitions: 2 }] })).toBe(false);
      expect((await admin.listTopics()).sort()).toEqual(['a', 'b']);
      const { topics } = await admin.fetchTopicMetadata({ topics: ['a', 'b'] });
      expect(topics.map(({ name, partitions }) => [name, partitions.map((p) => p.partitionId)])).toEqual([['a', [0, 1]], ['b', [0]]]);
      await admin.createPartitions({ topicPartitions: [{ topic: 'b', count: 3 }] });
      expect((await admin.fetchTopicOffsets('b')).map(({ partition, high, low }) => [partition, high, low])).toEqual([[0, '0', '0'], [1, '0', '0'], [2, '0', '0']]);
      await expect(admin.createPartitions({ topicPartitions: [{ topic: 'b', count: 2 }] })).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
      await admin.deleteTopics({ topics: ['a'] });
      expect(await admin.listTopics()).toEqual(['b']);
      await expect(admin.deleteTopics({ topics: ['missing'] })).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      await admin.disconnect();
    });

    it('deletes records below an offset: consumers start at the new log start; describes the cluster', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka({ clientId: 'admin' });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'trimmed', numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      for (let i = 0; i < 10; i++) await producer.send({ topic: 'trimmed', messages: [{ value: `p0-${i}`, partition: 0 }, { value: `p1-${i}`, partition: 1 }] });
      await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '7' }, { partition: 1, offset: '-1' }] });
      expect((await admin.fetchTopicOffsets('trimmed')).map(({ partition, low, high }) => [partition, low, high])).toEqual([[0, '7', '10'], [1, '10', '10']]);
      await expect(admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '11' }] })).rejects.toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
      await expect(admin.deleteTopicRecords({ topic: 'missing', partitions: [{ partition: 0, offset: '1' }] })).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });

      const consumer = kafka.consumer({ groupId: 'trimmed-readers', ...fastGroup });
      await consumer.connect();
      await consumer.subscribe({ topics: ['trimmed'], fromBeginning: true });
      const read: string[] = [];
      await consumer.run({ eachMessage: async ({ partition, message }) => void read.push(`${partition}@${message.offset}:${String(message.value)}`) });
      await until('the records past the new log start', () => read.length === 3);
      expect(read).toEqual(['0@7:p0-7', '0@8:p0-8', '0@9:p0-9']);
      await consumer.disconnect();

      const cluster = await admin.describeCluster();
      expect(cluster.controller).toBe(0);
      expect(cluster.clusterId).toBe('lanes');
      expect(cluster.brokers.map(({ nodeId }) => nodeId)).toEqual([0]);
      if (mode === 'wire') expect(cluster.brokers[0].port).toBeGreaterThan(0);
      await producer.disconnect();
      await admin.disconnect();
    });

    it('describes a topic\'s configs with Kafka\'s defaults, alters them (validateOnly changes nothing) and refuses bad ones', async () => {
      const broker = await startBroker(mode);
      const admin = broker.kafka({ clientId: 'admin' }).admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'configured', configEntries: [{ name: 'compression.type', value: 'lz4' }] }] });
      const entry = async (name: string) => {
        const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configured', configNames: [name] }], includeSynonyms: true });
        return described.resources[0].configEntries[0];
      };
      expect(await entry('retention.ms')).toEqual({
        configName: 'retention.ms',
        configValue: '604800000',
        isDefault: true,
        configSource: ConfigSource.DEFAULT_CONFIG,
        isSensitive: false,
        readOnly: false,
        configSynonyms: [{ configName: 'log.retention.hours', configValue: '168', configSource: ConfigSource.DEFAULT_CONFIG }],
      });
      expect(await entry('compression.type')).toMatchObject({ configValue: 'lz4', configSource: ConfigSource.TOPIC_CONFIG, isDefault: false });

      const retention = { type: ConfigResourceTypes.TOPIC, name: 'configured', configEntries: [{ name: 'retention.ms', value: '60000' }] };
      expect(await admin.alterConfigs({ validateOnly: true, resources: [retention] })).toEqual({
        resources: [{ errorCode: 0, errorMessage: null, resourceName: 'configured', resourceType: ConfigResourceTypes.TOPIC }],
        throttleTime: 0,
      });
      expect(await entry('retention.ms')).toMatchObject({ configValue: '604800000', configSource: ConfigSource.DEFAULT_CONFIG });
      await admin.alterConfigs({ validateOnly: false, resources: [retention] });
      expect(await entry('retention.ms')).toMatchObject({ configValue: '60000', configSource: ConfigSource.TOPIC_CONFIG, isDefault: false });
      // AlterConfigs replaces: compression.type, left out, is back to its default.
      expect(await entry('compression.type')).toMatchObject({ configValue: 'producer', configSource: ConfigSource.DEFAULT_CONFIG });

      const bad = { type: ConfigResourceTypes.TOPIC, name: 'configured', configEntries: [{ name: 'retention.ms', value: 'soon' }] };
      await expect(admin.alterConfigs({ validateOnly: true, resources: [bad] })).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, message: expect.stringContaining('retention.ms needs an integer, got "soon"') });
      await expect(admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: 'missing' }], includeSynonyms: false })).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
      const brokerConfigs = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configNames: ['auto.create.topics.enable'] }], includeSynonyms: false });
      expect(brokerConfigs.resources[0].configEntries).toEqual([expect.objectContaining({ configName: 'auto.create.topics.enable', configValue: 'true', readOnly: true })]);
      await admin.disconnect();
    });

    it('sets, fetches and resets group offsets, and lists, describes and deletes groups', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka({ clientId: 'admin' });
      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'offsets', numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'offsets', messages: Array.from({ length: 6 }, (_, i) => ({ value: String(i), partition: i % 2 })) });
      await admin.setOffsets({ groupId: 'ops', topic: 'offsets', partitions: [{ partition: 0, offset: '1' }, { partition: 1, offset: '2' }] });
      const fetched = await admin.fetchOffsets({ groupId: 'ops', topics: ['offsets'] });
      expect(fetched[0].partitions.map(({ partition, offset }) => [partition, offset])).toEqual([[0, '1'], [1, '2']]);
      // KafkaJS answers null for offsets committed without metadata, in-process and over the wire alike.
      expect(fetched[0].partitions.map(({ metadata }) => metadata)).toEqual([null, null]);
      await admin.resetOffsets({ groupId: 'ops', topic: 'offsets', earliest: true });
      expect((await admin.fetchOffsets({ groupId: 'ops', topics: ['offsets'] }))[0].partitions.map(({ offset }) => offset)).toEqual(['0', '0']);

      const consumer = kafka.consumer({ groupId: 'ops', ...fastGroup });
      await consumer.connect();
      await consumer.subscribe({ topics: ['offsets'] });
      let read = 0;
      await consumer.run({ eachMessage: async () => void read++ });
      await until('six records', () => read === 6);
      // A group with members refuses offsets set from outside; the error says why and what to do (as `lanes group reset-offsets`).
      await expect(admin.setOffsets({ groupId: 'ops', topic: 'offsets', partitions: [{ partition: 0, offset: '0' }] })).rejects.toThrow(
        "group 'ops' is Stable with 1 member; setOffsets needs an Empty group (stop its consumers first)",
      );
      expect((await admin.listGroups()).groups.map(({ groupId }) => groupId)).toContain('ops');
      const [described] = (await admin.describeGroups(['ops'])).groups;
      expect(described.state).toBe('Stable');
      expect(described.members.length).toBe(1);
      expect(described.members[0].clientId).toBe('admin');
      await consumer.disconnect();
      expect(await admin.deleteGroups(['ops'])).toEqual([{ groupId: 'ops', errorCode: 0 }]);
      await producer.disconnect();
      await admin.disconnect();
    });
  });
}
