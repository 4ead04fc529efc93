// Goal: a consumer group on the embedded broker behaves as Kafka's does for the things users
// rely on: members share partitions and every record is read once; a member leaving hands its
// partitions on (cooperative-sticky moves only those, eager range revokes everything first);
// listeners fire revoked-before-assigned; a restarted member continues from the committed offset.
// Method: real shard threads, short session/heartbeat settings, waits on conditions only.
// Runs in-process (the .test.ts of the same name) and over the Kafka protocol (wire_*.test.ts).
import { describe, expect, it } from 'vitest';
import type { Consumer, Kafka, TopicPartitions } from '../../../../actors/host/index.js';
import { fastGroupFor, startBroker, type Mode, until } from '../support.js';

async function produce(kafka: Kafka, topic: string, count: number, prefix = 'r'): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: count }, (_, i) => ({ key: `${prefix}${i}`, value: `${prefix}${i}` })) });
  await producer.disconnect();
}

function flatten(list: TopicPartitions[]): string[] {
  return list.flatMap(({ topic, partitions }) => partitions.map((partition) => `${topic}/${partition}`)).sort();
}

type Log = string[];

async function member(kafka: Kafka, groupId: string, assigners: string[], log: Log, name: string, seen: Map<string, number>, timings: ReturnType<typeof fastGroupFor>): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, partitionAssigners: assigners, ...timings });
  await consumer.connect();
  await consumer.subscribe({ topics: ['events'], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = message.value!.toString();
      seen.set(value, (seen.get(value) ?? 0) + 1);
    },
    onPartitionsAssigned: (partitions) => void log.push(`${name} assigned ${flatten(partitions).join(',')}`),
    onPartitionsRevoked: (partitions) => void log.push(`${name} revoked ${flatten(partitions).join(',')}`),
    onPartitionsLost: (partitions) => void log.push(`${name} lost ${flatten(partitions).join(',')}`),
  });
  return consumer;
}

function owned(consumer: Consumer): string[] {
  return flatten(consumer.assignment());
}

export function groupSuite(mode: Mode): void {
  const fastGroup = fastGroupFor(mode);
  for (const assigners of [['cooperative-sticky'], ['range']]) {
    const cooperative = assigners[0] === 'cooperative-sticky';
    describe(`a two-member group (${assigners[0]}) (${mode})`, () => {
      it('shares partitions, reads every record once, and hands a leaving member\'s partitions on', async () => {
        const lanes = await startBroker(mode);
        const kafka = lanes.kafka({ clientId: 'group' });
        await kafka.admin().createTopics({ topics: [{ topic: 'events', numPartitions: 6 }] });
        await produce(kafka, 'events', 300, 'a');
        const seen = new Map<string, number>();
        const log: Log = [];
        const first = await member(kafka, 'g', assigners, log, 'first', seen, fastGroup);
        await until('the first member owns all six', () => owned(first).length === 6);
        const second = await member(kafka, 'g', assigners, log, 'second', seen, fastGroup);
        await until('both members own three each', () => owned(first).length === 3 && owned(second).length === 3);
        expect(new Set([...owned(first), ...owned(second)]).size).toBe(6);
        await produce(kafka, 'events', 300, 'b');
        await until('600 distinct records', () => seen.size === 600);

        // Listener order for the first member's rebalance when the second joined.
        const firstLog = log.filter((line) => line.startsWith('first'));
        expect(firstLog[0]).toBe('first assigned events/0,events/1,events/2,events/3,events/4,events/5');
        if (cooperative) {
          // Only the three that moved are revoked; nothing new is assigned to the first member.
          expect(firstLog[1]).toMatch(/^first revoked (events\/\d,){2}events\/\d$/);
          expect(firstLog.length).toBe(2);
        } else {
          // Eager: everything is revoked before the rejoin, then three come back.
          expect(firstLog[1]).toBe('first revoked events/0,events/1,events/2,events/3,events/4,events/5');
          expect(firstLog[2]).toMatch(/^first assigned (events\/\d,){2}events\/\d$/);
        }

        const secondOwned = owned(second);
        const before = log.length;
        await second.disconnect();
        await until('the first member owns all six again', () => owned(first).length === 6);
        const after = log.slice(before);
        expect(after[0]).toBe(`second revoked ${secondOwned.join(',')}`);
        if (cooperative) {
          // The first member keeps its three and is given exactly the second's.
          expect(after.filter((line) => line.startsWith('first'))).toEqual([`first assigned ${secondOwned.join(',')}`]);
        } else {
          expect(after.filter((line) => line.startsWith('first'))).toEqual([
            `first revoked ${flatten(first.assignment()).filter((p) => !secondOwned.includes(p)).join(',')}`,
            'first assigned events/0,events/1,events/2,events/3,events/4,events/5',
          ]);
        }
        await produce(kafka, 'events', 60, 'c');
        await until('660 distinct records', () => seen.size === 660);
        // Clean handovers with commits in onPartitionsRevoked: no record was handled twice.
        expect([...seen.values()].every((count) => count === 1)).toBe(true);
        await first.disconnect();
      });
    });
  }

  describe(`consumer restarts and offsets (${mode})`, () => {
    it('continues from the committed offset after a restart in the same group', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'events', numPartitions: 2 }] });
      await produce(kafka, 'events', 100, 'a');
      const seen = new Map<string, number>();
      const first = await member(kafka, 'restart', ['cooperative-sticky'], [], 'first', seen, fastGroup);
      await until('100 records', () => seen.size === 100);
      await first.disconnect();
      const offsets = await kafka.admin().fetchOffsets({ groupId: 'restart', topics: ['events'] });
      expect(offsets[0].partitions.reduce((sum, { offset }) => sum + Number(offset), 0)).toBe(100);
      await produce(kafka, 'events', 50, 'b');
      const again = await member(kafka, 'restart', ['cooperative-sticky'], [], 'again', seen, fastGroup);
      await until('150 records', () => seen.size === 150);
      expect([...seen.values()].every((count) => count === 1)).toBe(true);
      await again.disconnect();
    });

    it('reports lag per partition from committed offsets and high watermarks', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'lagging', numPartitions: 2 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'lagging', messages: Array.from({ length: 10 }, (_, i) => ({ value: `p0-${i}`, partition: 0 })) });
      await producer.send({ topic: 'lagging', messages: Array.from({ length: 4 }, (_, i) => ({ value: `p1-${i}`, partition: 1 })) });
      const consumer = kafka.consumer({ groupId: 'lag', ...fastGroup, lagInterval: 50 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['lagging'], fromBeginning: true });
      const lagEvents: unknown[] = [];
      consumer.on(consumer.events.LAG, (event) => void lagEvents.push(event.payload));
      let handled = 0;
      // Partition 0 stops after three records; partition 1 is read to the end.
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          handled++;
          if (partition === 0 && message.offset === '2') consumer.pause([{ topic: 'lagging', partitions: [0] }]);
        },
      });
      await until('seven records handled', () => handled === 7);
      await consumer.commitOffsets([{ topic: 'lagging', partition: 0, offset: '3' }, { topic: 'lagging', partition: 1, offset: '4' }]);
      expect(await consumer.lag()).toEqual([
        { topic: 'lagging', partition: 0, committedOffset: 3, highWatermark: 10, lag: 7 },
        { topic: 'lagging', partition: 1, committedOffset: 4, highWatermark: 4, lag: 0 },
      ]);
      await until('a LAG event', () => lagEvents.length > 0);
      await consumer.disconnect();
    });
  });
}
