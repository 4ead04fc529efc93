// ListOffsets v7–v10's timestamps over TCP against a broker with shard workers: −3 finds the first
// record with the largest timestamp inside a (gzip-compressed) batch, and stops counting records
// below the log start once DeleteRecords moves it into that batch; −4 is the log start, −5 none.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { Compression } from '../../../core/records/record_batch.js';
import { KafkaConnection } from '../../../actors/net/kafka_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

let server: TestServer;
let connection: KafkaConnection;

// Offsets 0–2 (plain), 3–6 (gzip: the largest timestamp, twice, at offsets 4 and 5), 7–8 (plain).
const batches: { timestamps: number[]; compression: number }[] = [
  { timestamps: [1_000, 3_000, 2_000], compression: Compression.none },
  { timestamps: [4_000, 9_000, 9_000, 1_500], compression: Compression.gzip },
  { timestamps: [8_000, 7_000], compression: Compression.none },
];

beforeAll(async () => {
  server = await startTestServer();
  connection = await KafkaConnection.connect({ host: server.host, port: server.port, clientId: 'list-offsets' });
  await server.broker.createTopic('times', { partitions: 2, configs: { 'retention.ms': '-1' } });
  for (const { timestamps, compression } of batches) {
    const records = timestamps.map((timestamp) => ({ key: null, value: new Uint8Array(10), timestamp }));
    await server.broker.produce('times', 0, encodeRecordBatch(records, { compression }), { acks: -1 });
  }
});

afterAll(async () => {
  connection?.close();
  await server?.stop();
});

const ask = async (version: number, timestamp: number, partitionIndex = 0) => {
  const response = await connection.send(
    ApiKey.ListOffsets,
    { replicaId: -1, isolationLevel: 0, topics: [{ topicName: 'times', partitions: [{ partitionIndex, currentLeaderEpoch: -1, timestamp }] }], timeoutMs: 1000 },
    { version },
  );
  const { errorCode, offset, timestamp: found } = response.topics[0].partitions[0];
  return { errorCode, offset, timestamp: found };
};

it('ApiVersions advertises ListOffsets v1–v10', () => {
  expect(connection.brokerVersions(ApiKey.ListOffsets)).toEqual({ min: 1, max: 10 });
});

it.each([7, 8, 9, 10])('v%i: −3 is the first record with the largest timestamp, −4 the log start, −5 none; an empty partition has no largest', async (version) => {
  expect(await ask(version, -3)).toEqual({ errorCode: ErrorCode.NONE, offset: 4, timestamp: 9_000 });
  expect(await ask(version, -4)).toEqual({ errorCode: ErrorCode.NONE, offset: 0, timestamp: -1 });
  expect(await ask(version, -5)).toEqual({ errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 });
  expect(await ask(version, -3, 1)).toEqual({ errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 });
});

it('after DeleteRecords inside the compressed batch, −3 counts only the records left', async () => {
  await server.broker.deleteRecords('times', 0, 5);
  expect(await ask(10, -3)).toEqual({ errorCode: ErrorCode.NONE, offset: 5, timestamp: 9_000 });
  expect(await ask(10, -4)).toEqual({ errorCode: ErrorCode.NONE, offset: 5, timestamp: -1 });
  await server.broker.deleteRecords('times', 0, 6);
  expect(await ask(10, -3)).toEqual({ errorCode: ErrorCode.NONE, offset: 7, timestamp: 8_000 });
});
