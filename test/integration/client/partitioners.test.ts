// Goal: `createPartitioner` decides where the producer sends, as in KafkaJS: a custom partitioner's
// choice is where the record lands, KafkaJS's LegacyPartitioner keeps a KafkaJS 1.x producer's
// keys in their partitions, and a choice outside the topic fails the send with nothing sent.
// Method: the in-process broker (the producer is the same over the wire), offsets read back.
import { Partitioners as KafkaJSPartitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Partitioners, type ICustomPartitioner } from '../../../actors/host/index.js';
import { startLanes } from './support.js';

async function highWatermarks(kafka: ReturnType<Awaited<ReturnType<typeof startLanes>>['kafka']>, topic: string): Promise<number[]> {
  return (await kafka.admin().fetchTopicOffsets(topic)).map(({ high }) => Number(high));
}

describe('createPartitioner', () => {
  it('sends each record to the partition a custom partitioner chooses', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka();
    await kafka.admin().createTopics({ topics: [{ topic: 'custom', numPartitions: 4 }] });
    const asked: string[] = [];
    const lastPartition: ICustomPartitioner = () => ({ topic, partitionMetadata, message }) => {
      asked.push(`${topic}:${partitionMetadata.length}:${String(message.value)}`);
      return partitionMetadata.length - 1;
    };
    const producer = kafka.producer({ createPartitioner: lastPartition });
    await producer.connect();
    const [sent] = await producer.send({ topic: 'custom', messages: [{ key: 'a', value: '1' }, { value: '2' }] });
    expect(sent.partition).toBe(3);
    expect(asked).toEqual(['custom:4:1', 'custom:4:2']);
    expect(await highWatermarks(kafka, 'custom')).toEqual([0, 0, 0, 2]);
    await producer.disconnect();
  });

  it('LegacyPartitioner keeps keys where KafkaJS 1.x put them', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka();
    await kafka.admin().createTopics({ topics: [{ topic: 'legacy', numPartitions: 7 }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.LegacyPartitioner });
    await producer.connect();
    const theirs = KafkaJSPartitioners.LegacyPartitioner();
    const expected = Array.from({ length: 7 }, () => 0);
    const messages = Array.from({ length: 40 }, (_, i) => ({ key: `user-${i}`, value: String(i) }));
    for (const message of messages) {
      expected[theirs({ topic: 'legacy', partitionMetadata: Array.from({ length: 7 }, (_, partitionId) => ({ partitionId, leader: 0 })), message } as never)]++;
    }
    await producer.send({ topic: 'legacy', messages });
    expect(await highWatermarks(kafka, 'legacy')).toEqual(expected);
    await producer.disconnect();
  });

  it('a partition outside the topic fails the send, naming it', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka();
    await kafka.admin().createTopics({ topics: [{ topic: 'outside', numPartitions: 2 }] });
    const producer = kafka.producer({ createPartitioner: () => () => 5 });
    await producer.connect();
    await expect(producer.send({ topic: 'outside', messages: [{ value: 'v' }] })).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION', message: expect.stringMatching(/partition 5 for outside, which has 2 partitions/) });
    await producer.disconnect();
    expect(await highWatermarks(kafka, 'outside')).toEqual([0, 0]);
  });
});
