// Produce v13 (Kafka 4.1, KIP-516) over TCP against a broker with shard workers: topics are named
// by id in the request and the answer; an id no topic has (one never made, or a topic deleted and
// re-created under the same name) fails with UNKNOWN_TOPIC_ID and writes nothing, while v12 by
// name keeps working on the same connection.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';
import { KafkaConnection } from '../../../actors/net/kafka_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

let server: TestServer;
let connection: KafkaConnection;

beforeAll(async () => {
  server = await startTestServer();
  connection = await KafkaConnection.connect({ host: server.host, port: server.port, clientId: 'produce-by-id' });
});

afterAll(async () => {
  connection?.close();
  await server?.stop();
});

const batch = (value: string) => encodeRecordBatch([{ key: null, value: new TextEncoder().encode(value) }]);

const produceById = (topicId: Uint8Array, partitionIndex: number, value: string) =>
  connection.send(
    ApiKey.Produce,
    { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topicName: '', topicId, partitions: [{ partitionIndex, records: batch(value) }] }] },
    { version: 13 },
  );

it('ApiVersions advertises Produce v3–v13', () => {
  expect(connection.brokerVersions(ApiKey.Produce)).toEqual({ min: 3, max: 13 });
});

it('v13 appends to the topic its id names and answers by that id', async () => {
  await server.broker.createTopic('by-id', { partitions: 2 });
  const topicId = server.broker.describeTopic('by-id')!.topicId;
  const first = await produceById(topicId, 1, 'one');
  const second = await produceById(topicId, 1, 'two');
  for (const [response, offset] of [[first, 0], [second, 1]] as const) {
    expect(response.responses).toHaveLength(1);
    expect([...response.responses[0].topicId]).toEqual([...topicId]);
    expect(response.responses[0].partitions.map((p) => [p.partitionIndex, p.errorCode, p.baseOffset])).toEqual([[1, ErrorCode.NONE, offset]]);
  }
  const read = await server.broker.fetch('by-id', 1, 0, 1 << 20);
  expect(read.highWatermark).toBe(2);
  expect((await server.broker.fetch('by-id', 0, 0, 1 << 20)).highWatermark).toBe(0);
});

it('v13 answers UNKNOWN_TOPIC_ID for an id no topic has, including a re-created topic’s old id', async () => {
  await server.broker.createTopic('recreated');
  const oldId = server.broker.describeTopic('recreated')!.topicId;
  await server.broker.deleteTopic('recreated');
  await server.broker.createTopic('recreated');
  for (const topicId of [oldId, zeroTopicId(), new Uint8Array(16).fill(0xab)]) {
    const response = await produceById(topicId, 0, 'lost');
    expect([...response.responses[0].topicId]).toEqual([...topicId]);
    expect(response.responses[0].partitions.map((p) => [p.errorCode, p.baseOffset])).toEqual([[ErrorCode.UNKNOWN_TOPIC_ID, -1]]);
  }
  expect((await server.broker.fetch('recreated', 0, 0, 1 << 20)).highWatermark).toBe(0);
  const byName = await connection.send(
    ApiKey.Produce,
    { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topicName: 'recreated', topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records: batch('kept') }] }] },
    { version: 12 },
  );
  expect(byName.responses[0].topicName).toBe('recreated');
  expect(byName.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  expect((await server.broker.fetch('recreated', 0, 0, 1 << 20)).highWatermark).toBe(1);
});
