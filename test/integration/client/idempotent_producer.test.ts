// Goal: `producer({ idempotent: true })` stamps its batches with a producer id, epoch and
// per-partition sequence numbers, so a batch the broker already has is answered with its original
// offsets instead of being appended twice — in-process and over the wire. Method: send through
// the producer, read the stored batch headers back, and append a stored batch a second time.
import { describe, expect, it } from 'vitest';
import { readBatches } from '../../../core/records/record_reader.js';
import { ErrorCode } from '../../../actors/host/index.js';
import { fastGroupFor, startBroker, startLanes, until, type Mode } from './support.js';

describe('idempotent producer (embedded)', () => {
  it('stamps id, epoch and sequences, and a replayed batch is not appended again', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka({ clientId: 'idempotent' });
    await kafka.admin().createTopics({ topics: [{ topic: 'once', numPartitions: 1 }] });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    expect(producer.isIdempotent()).toBe(true);
    await expect(producer.send({ topic: 'once', acks: 1, messages: [{ value: 'x' }] })).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_REQUIRED_ACKS });
    await producer.send({ topic: 'once', messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.send({ topic: 'once', messages: [{ value: 'c' }] });

    const fetched = await lanes.broker.fetch('once', 0, 0, 1 << 20);
    const headers = fetched.batches.flatMap((bytes) => [...readBatches(bytes)].map((batch) => ({ ...batch.header })));
    const stored = fetched.batches.map((bytes) => Uint8Array.from(bytes));
    fetched.release();
    expect(headers.map((header) => header.baseSequence)).toEqual([0, 2]);
    expect(headers[0].producerId).toBeGreaterThanOrEqual(0);
    expect(headers[1].producerId).toBe(headers[0].producerId);
    expect(headers[1].producerEpoch).toBe(headers[0].producerEpoch);

    // The second batch again, as a retry after a lost answer would send it: same offsets, no copy.
    const replayed = await lanes.broker.produce('once', 0, stored[1]);
    expect(replayed.baseOffset).toBe(2);
    expect((await kafka.admin().fetchTopicOffsets('once'))[0].high).toBe('3');
    await producer.disconnect();
  });
});

for (const mode of ['embedded', 'wire'] as Mode[]) {
  describe(`idempotent producer (${mode})`, () => {
    it('delivers every record once, in order per partition, from two producers', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka({ clientId: 'idempotent' });
      await kafka.admin().createTopics({ topics: [{ topic: 'ordered', numPartitions: 3 }] });
      const producers = [kafka.producer({ idempotent: true }), kafka.producer({ idempotent: true })];
      for (const producer of producers) await producer.connect();
      for (let round = 0; round < 5; round++) {
        await Promise.all(producers.map((producer, p) => producer.send({ topic: 'ordered', messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `${p}-${round}-${i}` })) })));
      }
      const seen: { partition: number; offset: number; value: string }[] = [];
      const consumer = kafka.consumer({ groupId: 'ordered', ...fastGroupFor(mode) });
      await consumer.connect();
      await consumer.subscribe({ topics: ['ordered'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen.push({ partition, offset: Number(message.offset), value: message.value!.toString() }) });
      await until('200 records', () => seen.length >= 200);
      expect(new Set(seen.map(({ value }) => value)).size).toBe(200);
      expect(seen.length).toBe(200);
      for (let partition = 0; partition < 3; partition++) {
        const offsets = seen.filter((each) => each.partition === partition).map((each) => each.offset);
        expect(offsets).toEqual(offsets.map((_, i) => i));
      }
      await consumer.disconnect();
      for (const producer of producers) await producer.disconnect();
    });
  });
}
