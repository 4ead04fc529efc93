// An idempotent producer's batch whose header lies, over raw frames: a first batch from producer
// 1 (epoch 0, sequence 0) is stored; a second from the same producer claims lastOffsetDelta −1
// (with its CRC left wrong, then made right). The producer-state check once ran before the batch
// was validated and hit an assert on `sequence 1 + −1`, which stopped the shard thread and with
// it every partition. Now each is answered on its partition (CORRUPT_MESSAGE for the CRC,
// INVALID_RECORD for the header), nothing is appended, the connection stays, and the partition
// and others keep serving.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import type { ProduceRequest } from '../../../core/protocol/messages/produce.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { crc32c } from '../../../core/records/crc32c.js';
import { BatchField, writeInt32 } from '../../../core/records/record_batch.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

const text = new TextEncoder();
let server: TestServer;
let raw: RawClient;

beforeAll(async () => {
  server = await startTestServer();
  await server.broker.createTopic('idempotent', { partitions: 1 });
  await server.broker.createTopic('bystander', { partitions: 1 });
  raw = await RawClient.connect(server.port);
});

afterAll(async () => {
  raw?.close();
  await server?.stop();
});

function batch(baseSequence: number, value: string, producerId = 1): Uint8Array {
  return encodeRecordBatch([{ key: null, value: text.encode(value) }], { producerId, producerEpoch: 0, baseSequence, baseTimestamp: 1_700_000_000_000 });
}

function lying(lastOffsetDelta: number, fixCrc: boolean): Uint8Array {
  const bytes = batch(1, 'liar');
  writeInt32(bytes, BatchField.lastOffsetDelta, lastOffsetDelta);
  if (fixCrc) writeInt32(bytes, BatchField.crc, crc32c(bytes, BatchField.attributes));
  return bytes;
}

async function produce(topicName: string, records: Uint8Array): Promise<{ errorCode: number; baseOffset: number }> {
  const body: ProduceRequest = { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topicName, topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }] };
  const response = await raw.request(ApiKey.Produce, 7, body);
  return response.responses[0].partitions[0];
}

it('answers a known producer\'s batch with lastOffsetDelta −1 with an error code and keeps every partition serving', async () => {
  expect(await produce('idempotent', batch(0, 'first'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  expect((await produce('idempotent', lying(-1, false))).errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
  expect((await produce('idempotent', lying(-1, true))).errorCode).toBe(ErrorCode.INVALID_RECORD);
  expect((await produce('idempotent', lying(-2, true))).errorCode).toBe(ErrorCode.INVALID_RECORD);
  // The same connection, the same partition and producer: the next sequence is still 1.
  expect(await produce('idempotent', batch(1, 'second'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1 });
  expect(await produce('bystander', batch(0, 'other', 2))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
});
