// The well-behaved client the hostile and malformed wire tests check after each bad one: on a
// fresh connection it produces one record (acks = all) to `healthy` and fetches that record back,
// so one bad connection is shown not to harm the others.
import { expect } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { RawClient } from './raw_client.js';
import type { TestServer } from './server_fixture.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

const text = new TextEncoder();
let healthySequence = 0;

export async function expectHealthy(server: TestServer): Promise<void> {
  const raw = await RawClient.connect(server.port);
  try {
    if (server.broker.topic('healthy') === undefined) await server.broker.createTopic('healthy');
    const value = `healthy-${healthySequence++}`;
    const records = encodeRecordBatch([{ key: text.encode('k0'), value: text.encode(value) }], { baseTimestamp: 1_700_000_000_000 });
    const produced = await raw.request(ApiKey.Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topics: [{ topicName: 'healthy', topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }],
    });
    const partition = produced.responses[0].partitions[0];
    expect(partition.errorCode).toBe(ErrorCode.NONE);
    const fetched = await raw.request(ApiKey.Fetch, 11, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 1024 * 1024,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topicName: 'healthy', topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: partition.baseOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024, replicaDirectoryId: new Uint8Array(16) }] }],
      forgottenTopicsData: [],
      rackId: '',
    });
    const answer = fetched.responses[0].partitions[0];
    expect(answer.errorCode).toBe(ErrorCode.NONE);
    const read = answer.records === null || answer.records.length === 0 ? [] : [...readRecords(concatChunks(answer.records))];
    expect(read.map((record) => new TextDecoder().decode(record.value!))[0]).toBe(value);
  } finally {
    raw.close();
  }
}
