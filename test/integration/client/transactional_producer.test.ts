// Goal: the KafkaJS-shaped `producer.transaction()`, in-process and over the wire: records and
// consumer offsets of a committed transaction land together, an aborted transaction's offsets
// never reach the group, one transaction at a time per producer, an empty transaction commits,
// a transactional producer sends only inside a transaction, a consumer (read_committed by
// default) never sees an aborted record, and a newer producer of the same transactional id
// fences the older one. Method: drive the client, read the group's offsets back
// with the admin client.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../actors/host/index.js';
import { fastGroupFor, startBroker, until, type Mode } from './support.js';

for (const mode of ['embedded', 'wire'] as Mode[]) {
  describe(`transactional producer (${mode})`, () => {
    it('commits records and offsets together; an abort keeps the group where it was', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka({ clientId: 'txn' });
      const admin = kafka.admin();
      await admin.createTopics({ topics: [{ topic: 'txn-out', numPartitions: 2 }, { topic: 'txn-in', numPartitions: 1 }] });
      const offsetOf = async (groupId: string) => (await admin.fetchOffsets({ groupId, topics: ['txn-in'] }))[0].partitions[0].offset;
      const producer = kafka.producer({ transactionalId: `txn-${mode}`, transactionTimeout: 30_000 });
      await producer.connect();
      await expect(producer.send({ topic: 'txn-out', messages: [{ value: 'outside' }] })).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });

      const txn = await producer.transaction();
      expect(txn.isActive()).toBe(true);
      await expect(producer.transaction()).rejects.toThrow(/already an ongoing transaction/);
      const sent = await txn.send({ topic: 'txn-out', messages: [{ partition: 0, value: 'a' }, { partition: 1, value: 'b' }] });
      expect(sent.map((meta) => meta.partition).sort()).toEqual([0, 1]);
      await txn.sendOffsets({ consumerGroupId: 'txn-group', topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '5' }] }] });
      expect(await offsetOf('txn-group')).toBe('-1');
      await txn.commit();
      expect(txn.isActive()).toBe(false);
      expect(await offsetOf('txn-group')).toBe('5');
      await expect(txn.commit()).rejects.toThrow(/ended/);

      const aborted = await producer.transaction();
      await aborted.send({ topic: 'txn-out', messages: [{ partition: 0, value: 'dropped' }] });
      await aborted.sendOffsets({ consumerGroupId: 'txn-group', topics: [{ topic: 'txn-in', partitions: [{ partition: 0, offset: '9' }] }] });
      await aborted.abort();
      expect(await offsetOf('txn-group')).toBe('5');

      const empty = await producer.transaction();
      await empty.commit();
      // Consumers read committed records by default: the aborted one never arrives.
      const seen: string[] = [];
      const consumer = kafka.consumer({ groupId: 'txn-reader', ...fastGroupFor(mode) });
      await consumer.connect();
      await consumer.subscribe({ topics: ['txn-out'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      const last = await producer.transaction();
      await last.send({ topic: 'txn-out', messages: [{ partition: 0, value: 'last' }, { partition: 1, value: 'last' }] });
      await last.commit();
      await until('the committed records', () => seen.filter((value) => value === 'last').length === 2);
      expect(seen.sort()).toEqual(['a', 'b', 'last', 'last']);
      await consumer.disconnect();
      const offsets = await admin.fetchTopicOffsets('txn-out');
      // a, b, 'dropped' and the two 'last', each followed by its transaction's marker.
      expect(offsets.map((partition) => Number(partition.high)).reduce((sum, high) => sum + high, 0)).toBe(10);
      await producer.disconnect();
    });

    it('fences the older producer of a transactional id', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka({ clientId: 'txn-fence' });
      await kafka.admin().createTopics({ topics: [{ topic: 'fence-out', numPartitions: 1 }] });
      const older = kafka.producer({ transactionalId: 'fenced' });
      await older.connect();
      const olderTxn = await older.transaction();
      await olderTxn.send({ topic: 'fence-out', messages: [{ value: 'zombie' }] });
      const newer = kafka.producer({ transactionalId: 'fenced' });
      await newer.connect();
      const newerTxn = await newer.transaction();
      await expect(olderTxn.commit()).rejects.toMatchObject({ errorCode: ErrorCode.PRODUCER_FENCED });
      await newerTxn.send({ topic: 'fence-out', messages: [{ value: 'successor' }] });
      await newerTxn.commit();
      await newer.disconnect();
      await older.disconnect();
    });
  });
}
