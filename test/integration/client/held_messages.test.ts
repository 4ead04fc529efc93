// Goal: a message an application keeps after its handler returned keeps its key, value and
// headers while the log moves on underneath: more records, segment rolls, retention deleting
// (and the memory allocator reusing) the segment it was fetched from. In-process the fetch hands
// the client views into the shards' shared memory, so this is where a view kept too long would
// show. Method: a topic with 2 MiB segments and 2 MiB retention; hold the eachMessage and
// eachBatch messages of the first records, produce megabytes more until the log start moves past
// them, then compare.
import { describe, expect, it } from 'vitest';
import type { KafkaMessage } from '../../../actors/host/index.js';
import { fastGroup, startLanes, until } from './support.js';

describe('held messages (embedded)', () => {
  it('keep their bytes after the log rolls and retention deletes their segment', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka({ clientId: 'held' });
    const admin = kafka.admin();
    await admin.createTopics({
      topics: [{ topic: 'rolling', numPartitions: 1, configEntries: [{ name: 'segment.bytes', value: String(2 * 1024 * 1024) }, { name: 'retention.bytes', value: String(2 * 1024 * 1024) }] }],
    });
    const producer = kafka.producer();
    await producer.connect();
    const firsts = Array.from({ length: 20 }, (_, i) => ({ key: `key-${i}`, value: `first value ${i} `.repeat(10), headers: { origin: `header-${i}` } }));
    await producer.send({ topic: 'rolling', messages: firsts });

    const heldByMessage: KafkaMessage[] = [];
    const heldByBatch: KafkaMessage[] = [];
    const eachMessage = kafka.consumer({ groupId: 'held-each-message', ...fastGroup });
    const eachBatch = kafka.consumer({ groupId: 'held-each-batch', ...fastGroup });
    for (const consumer of [eachMessage, eachBatch]) {
      await consumer.connect();
      await consumer.subscribe({ topics: ['rolling'], fromBeginning: true });
    }
    await eachMessage.run({ eachMessage: async ({ message }) => void (heldByMessage.length < firsts.length && heldByMessage.push(message)) });
    await eachBatch.run({ eachBatch: async ({ batch }) => void heldByBatch.push(...batch.messages.slice(0, firsts.length - heldByBatch.length)) });
    await until('both consumers held the first records', () => heldByMessage.length === firsts.length && heldByBatch.length === firsts.length);

    // Megabytes of other bytes through the same partition: many rolls, the first segments deleted.
    const filler = Buffer.alloc(1000, 0xee);
    for (let round = 0; round < 40; round++) await producer.send({ topic: 'rolling', messages: Array.from({ length: 100 }, () => ({ key: filler, value: filler, headers: { origin: filler } })) });
    await until('retention deleted the first segment', async () => Number((await admin.fetchTopicOffsets('rolling'))[0].low) > firsts.length);

    for (const held of [heldByMessage, heldByBatch]) {
      held.forEach((message, i) => {
        expect(message.offset).toBe(String(i));
        expect(message.key?.toString()).toBe(firsts[i].key);
        expect(message.value?.toString()).toBe(firsts[i].value);
        expect(message.headers.origin?.toString()).toBe(firsts[i].headers.origin);
      });
    }
    await eachMessage.disconnect();
    await eachBatch.disconnect();
    await producer.disconnect();
  });

  it('keeps every batch intact while the producer reuses the buffers of answered ones', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka({ clientId: 'reuse' });
    await kafka.admin().createTopics({ topics: [{ topic: 'reuse', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    // Each send's batch is written into the buffer the previous, answered one used; concurrent
    // sends (no await between) each need a buffer of their own.
    const values = Array.from({ length: 30 }, (_, i) => `send ${i} `.repeat(1 + (i % 7) * 50));
    for (const [i, value] of values.entries()) {
      if (i % 3 === 0) await Promise.all([producer.send({ topic: 'reuse', acks: 1, messages: [{ value }] }), producer.send({ topic: 'reuse', messages: [{ value: `${value}!` }] })]);
      else await producer.send({ topic: 'reuse', messages: [{ value }] });
    }
    const expected = values.flatMap((value, i) => (i % 3 === 0 ? [value, `${value}!`] : [value]));
    const received: string[] = [];
    const consumer = kafka.consumer({ groupId: 'reuse', ...fastGroup });
    await consumer.connect();
    await consumer.subscribe({ topics: ['reuse'], fromBeginning: true });
    await consumer.run({ eachBatch: async ({ batch }) => void received.push(...batch.messages.map((message) => message.value!.toString())) });
    await until('every record', () => received.length >= expected.length);
    expect(received.sort()).toEqual(expected.sort());
    await consumer.disconnect();
    await producer.disconnect();
  });
});
