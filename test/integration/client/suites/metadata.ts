// Goal: a running group follows topic metadata: a regex subscription picks up a topic created
// later, and partitions added to a subscribed topic get assigned. Method: one member, admin calls.
// Runs in-process (the .test.ts of the same name) and over the Kafka protocol (wire_*.test.ts).
import { describe, expect, it } from 'vitest';
import { fastGroupFor, startBroker, type Mode, until } from '../support.js';

export function metadataSuite(mode: Mode): void {
  const fastGroup = fastGroupFor(mode);
  describe(`metadata watching (${mode})`, () => {
    it('assigns a new topic matching the pattern and partitions added later', async () => {
      const lanes = await startBroker(mode);
      const kafka = lanes.kafka();
      const admin = kafka.admin();
      await admin.createTopics({ topics: [{ topic: 'logs.a', numPartitions: 1 }] });
      const consumer = kafka.consumer({ groupId: 'watch', ...fastGroup });
      await consumer.connect();
      await consumer.subscribe({ topics: [/^logs\./], fromBeginning: true });
      const values: string[] = [];
      await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
      const owned = () => consumer.assignment().flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`)).sort();
      await until('logs.a assigned', () => owned().length === 1);

      await admin.createTopics({ topics: [{ topic: 'logs.b', numPartitions: 2 }, { topic: 'other', numPartitions: 1 }] });
      await until('logs.b assigned', () => owned().length === 3);
      expect(owned()).toEqual(['logs.a/0', 'logs.b/0', 'logs.b/1']);

      await admin.createPartitions({ topicPartitions: [{ topic: 'logs.a', count: 3 }] });
      await until('the new partitions assigned', () => owned().length === 5);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'logs.a', messages: [{ value: 'on partition 2', partition: 2 }] });
      await producer.send({ topic: 'other', messages: [{ value: 'not subscribed' }] });
      await until('the record on the new partition', () => values.includes('on partition 2'));
      expect(values).not.toContain('not subscribed');
      await consumer.disconnect();
      await producer.disconnect();
    });
  });
}
