// Goal: the controls users reach for while a consumer runs — seek, pause/resume, asynchronous
// commits with a failure callback, max.poll.interval expiry, and the dead-letter topic — do what
// they say. Method: real shard threads; each test waits on events or conditions, never on time.
// Runs in-process (the .test.ts of the same name) and over the Kafka protocol (wire_*.test.ts).
import { describe, expect, it } from 'vitest';
import { deadLetterHeaders, ErrorCode, type KafkaMessage, type LanesError } from '../../../../actors/host/index.js';
import { fastGroupFor, startBroker, type Mode, until } from '../support.js';

export function consumerControlSuite(mode: Mode): void {
  const fastGroup = fastGroupFor(mode);
  describe(`consumer controls while running (${mode})`, () => {
    it('seeks back and forth, and pauses and resumes a partition', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'ctl', numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'ctl', messages: Array.from({ length: 20 }, (_, i) => ({ value: String(i) })) });
      const consumer = kafka.consumer({ groupId: 'ctl', ...fastGroup });
      await consumer.connect();
      await consumer.subscribe({ topics: ['ctl'], fromBeginning: true });
      const offsets: number[] = [];
      let sought = false;
      await consumer.run({
        eachMessage: async ({ message }) => {
          offsets.push(Number(message.offset));
          // At offset 5 jump to 15: the rest of the batch in hand (6…14) must not be delivered.
          if (message.offset === '5' && !sought) {
            sought = true;
            consumer.seek({ topic: 'ctl', partition: 0, offset: '15' });
          }
        },
      });
      await until('offset 19', () => offsets.includes(19));
      expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 15, 16, 17, 18, 19]);

      consumer.pause([{ topic: 'ctl' }]);
      expect(consumer.paused()).toEqual([{ topic: 'ctl', partitions: [0] }]);
      consumer.seek({ topic: 'ctl', partition: 0, offset: '10' });
      await producer.send({ topic: 'ctl', messages: [{ value: '20' }] });
      // A paused partition delivers nothing, even with new records; resuming picks up at the seek.
      const countWhilePaused = offsets.length;
      await new Promise((resolve) => setImmediate(resolve));
      expect(offsets.length).toBe(countWhilePaused);
      consumer.resume([{ topic: 'ctl' }]);
      expect(consumer.paused()).toEqual([]);
      await until('offset 20', () => offsets.includes(20));
      expect(offsets.slice(countWhilePaused)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
      await consumer.disconnect();
      await producer.disconnect();
    });

    it('reports an asynchronous commit failure to its callback', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'commits', numPartitions: 1 }] });
      const consumer = kafka.consumer({ groupId: 'commits', ...fastGroup });
      await consumer.connect();
      await consumer.subscribe({ topics: ['commits'] });
      let joined = false;
      consumer.on(consumer.events.GROUP_JOIN, () => void (joined = true));
      await consumer.run({ autoCommit: false, eachMessage: async () => {} });
      await until('the group join', () => joined);
      const outcomes: (LanesError | null)[] = [];
      // Metadata over the coordinator's offset.metadata.max.bytes (4096) is refused per partition.
      consumer.commitOffsetsAsync([{ topic: 'commits', partition: 0, offset: '1', metadata: 'x'.repeat(5000) }], (error) => outcomes.push(error));
      consumer.commitOffsetsAsync([{ topic: 'commits', partition: 0, offset: '1' }], (error) => outcomes.push(error));
      await until('both callbacks', () => outcomes.length === 2);
      expect(outcomes[0]?.errorCode).toBe(ErrorCode.OFFSET_METADATA_TOO_LARGE);
      expect(outcomes[1]).toBeNull();
      await expect(consumer.commitOffsets([{ topic: 'commits', partition: 0, offset: '2', metadata: 'y'.repeat(5000) }])).rejects.toMatchObject({ errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE });
      await consumer.disconnect();
    });

    it('leaves the group when a handler runs past maxPollInterval, and rejoins after it returns', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'slow', numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'slow', messages: [{ value: 'first' }, { value: 'second' }] });
      const consumer = kafka.consumer({ groupId: 'slow', ...fastGroup, maxPollInterval: 400 });
      await consumer.connect();
      await consumer.subscribe({ topics: ['slow'], fromBeginning: true });
      const events: string[] = [];
      let left!: () => void;
      const leftGroup = new Promise<void>((resolve) => (left = resolve));
      consumer.on(consumer.events.GROUP_LEAVE, () => {
        events.push('leave');
        left();
      });
      consumer.on(consumer.events.GROUP_JOIN, () => void events.push('join'));
      const delivered: string[] = [];
      await consumer.run({
        eachMessage: async ({ message }) => {
          delivered.push(message.value!.toString());
          // The first delivery blocks until the member has left: a handler stuck past the interval.
          if (delivered.length === 1) await leftGroup;
        },
        onPartitionsLost: (partitions) => void events.push(`lost ${partitions[0].partitions.join(',')}`),
      });
      await until('a second join', () => events.filter((event) => event === 'join').length === 2);
      await until('both records after the rejoin', () => delivered.includes('second'));
      expect(events.slice(0, 3)).toEqual(['join', 'lost 0', 'leave']);
      // The stuck record's offset was never committed, so after the rejoin it comes again.
      expect(delivered[0]).toBe('first');
      expect(delivered.filter((value) => value === 'first').length).toBe(2);
      await consumer.disconnect();
      await producer.disconnect();
    });

    it('goes on when a commit made in eachBatch is refused because the group is rebalancing', async () => {
      // Cooperative members keep their partitions (and keep handling them) while the group
      // rebalances, so a commit a handler makes then can be refused (REBALANCE_IN_PROGRESS,
      // ILLEGAL_GENERATION) with its partition still owned. KafkaJS code lets that error out of
      // eachBatch; the consumer must rejoin and go on, not stop. The window is a timing race, so
      // members come and go a few times while both members commit after every record.
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'refused', numPartitions: 4 }] });
      const producer = kafka.producer();
      await producer.connect();
      let producing = true;
      const production = (async () => {
        for (let index = 0; producing; index++) {
          await producer.send({ topic: 'refused', messages: [{ key: `k${index % 8}`, value: String(index) }] });
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      const refusals: LanesError[] = [];
      const crashes: unknown[] = [];
      const committing = (name: string) => {
        const consumer = kafka.consumer({ groupId: 'refused', ...fastGroup, partitionAssigners: ['cooperative-sticky'] });
        consumer.on(consumer.events.CRASH, (event) => void crashes.push({ name, payload: event.payload }));
        return consumer;
      };
      const run = async (consumer: ReturnType<typeof committing>) => {
        await consumer.connect();
        await consumer.subscribe({ topics: ['refused'], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, isStale }) => {
            for (const message of batch.messages) {
              if (isStale()) return;
              resolveOffset(message.offset);
              try {
                await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(Number(message.offset) + 1) }] }] });
              } catch (error) {
                refusals.push(error as LanesError);
                throw error;
              }
            }
          },
        });
        return consumer;
      };
      const stayers = [await run(committing('a')), await run(committing('b'))];
      const ownedBy = (consumers: readonly { assignment(): { partitions: number[] }[] }[]) => consumers.flatMap((consumer) => consumer.assignment().flatMap(({ partitions }) => partitions));
      await until('a and b share the four partitions', () => ownedBy(stayers).length === 4);
      for (let round = 0; round < 6; round++) {
        const visitor = await run(committing(`visitor-${round}`));
        await until(`visitor ${round} owns a partition`, () => ownedBy([visitor]).length > 0);
        await visitor.disconnect();
        await until(`a and b own the four again after visitor ${round}`, () => ownedBy(stayers).length === 4);
      }
      producing = false;
      await production;
      expect(crashes).toEqual([]);
      for (const refusal of refusals) expect([ErrorCode.REBALANCE_IN_PROGRESS, ErrorCode.ILLEGAL_GENERATION, ErrorCode.UNKNOWN_MEMBER_ID]).toContain(refusal.errorCode);
      for (const consumer of stayers) await consumer.disconnect();
      await producer.disconnect();
    });

    it('dead-letters a record after N failed attempts, with its origin in headers, and moves on', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'work', numPartitions: 1 }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'work', messages: ['ok-1', 'poison', 'ok-2'].map((value) => ({ key: value, value, headers: { origin: 'test' } })) });
      const consumer = kafka.consumer({ groupId: 'work', ...fastGroup });
      await consumer.connect();
      await consumer.subscribe({ topics: ['work'], fromBeginning: true });
      const attempts = new Map<string, number>();
      const handled: string[] = [];
      await consumer.run({
        deadLetter: { maxAttempts: 3, backoffMs: 5 },
        eachMessage: async ({ message }) => {
          const value = message.value!.toString();
          attempts.set(value, (attempts.get(value) ?? 0) + 1);
          if (value === 'poison') throw new Error('cannot handle poison');
          handled.push(value);
        },
      });
      await until('ok-2 handled', () => handled.includes('ok-2'));
      expect(handled).toEqual(['ok-1', 'ok-2']);
      expect(attempts.get('poison')).toBe(3);

      const dlq: KafkaMessage[] = [];
      const reader = kafka.consumer({ groupId: 'dlq-reader', ...fastGroup });
      await reader.connect();
      await reader.subscribe({ topics: ['work.dlq'], fromBeginning: true });
      await reader.run({ eachMessage: async ({ message }) => void dlq.push(message) });
      await until('the dead letter', () => dlq.length === 1);
      const [letter] = dlq;
      expect(letter.value?.toString()).toBe('poison');
      expect(letter.key?.toString()).toBe('poison');
      expect(letter.headers.origin?.toString()).toBe('test');
      expect(letter.headers[deadLetterHeaders.topic]?.toString()).toBe('work');
      expect(letter.headers[deadLetterHeaders.partition]?.toString()).toBe('0');
      expect(letter.headers[deadLetterHeaders.offset]?.toString()).toBe('1');
      expect(letter.headers[deadLetterHeaders.attempts]?.toString()).toBe('3');
      expect(letter.headers[deadLetterHeaders.error]?.toString()).toContain('cannot handle poison');
      // The group moved past the poison record: its committed offset is the end of the partition.
      await consumer.disconnect();
      const offsets = await kafka.admin().fetchOffsets({ groupId: 'work', topics: ['work'] });
      expect(offsets[0].partitions[0].offset).toBe('3');
      await reader.disconnect();
      await producer.disconnect();
    });
  });
}
