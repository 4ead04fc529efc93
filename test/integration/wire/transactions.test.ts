// Transactions over the wire, with raw frames: transactional batches produced by a client, the
// coordinator's markers written with WriteTxnMarkers (v1 and v2), then Fetch in read_committed
// (data only below the last stable offset, with the aborted transactions of what it returns)
// and in read_uncommitted (everything to the high watermark, aborted list null), and ListOffsets
// latest in read_committed answering the last stable offset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import type { FetchRequest } from '../../../core/protocol/messages/fetch.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { encodeMarkerBatch } from '../../../core/records/control_batch.js';
import { readBatches } from '../../../core/records/record_reader.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

const text = new TextEncoder();

function batch(value: string, producer?: { id: number; sequence: number }): Uint8Array {
  return encodeRecordBatch([{ key: null, value: text.encode(value) }], producer === undefined ? {} : { producerId: producer.id, producerEpoch: 0, baseSequence: producer.sequence, transactional: true });
}

function fetchBody(topicName: string, isolationLevel: number, fetchOffset = 0): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicName, topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

describe('transactions over the wire', () => {
  let server: TestServer;
  let raw: RawClient;

  beforeAll(async () => {
    server = await startTestServer();
    await server.broker.createTopic('txn', { partitions: 1 });
    raw = await RawClient.connect(server.port);
  });

  afterAll(async () => {
    raw?.close();
    await server?.stop();
  });

  const produce = async (records: Uint8Array) =>
    (await raw.request(ApiKey.Produce, 7, { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topicName: 'txn', topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }] })).responses[0].partitions[0];

  const markers = async (version: number, producerId: number, committed: boolean) =>
    raw.request(ApiKey.WriteTxnMarkers, version, {
      markers: [{ producerId, producerEpoch: 0, transactionResult: committed, topics: [{ name: 'txn', partitionIndexes: [0] }, { name: 'nope', partitionIndexes: [0] }], coordinatorEpoch: 1, transactionVersion: 0 }],
    });

  const fetch = async (isolationLevel: number, fetchOffset = 0) => {
    const partition = (await raw.request(ApiKey.Fetch, 11, fetchBody('txn', isolationLevel, fetchOffset))).responses[0].partitions[0];
    const batches = partition.records === null || partition.records.length === 0 ? [] : [...readBatches(concatChunks(partition.records))];
    return { partition, batches: batches.map((each) => ({ offset: each.header.baseOffset, control: each.isControl, value: each.isControl ? null : new TextDecoder().decode(each.records[0].value!) })) };
  };

  const latest = async (isolationLevel: number) =>
    (await raw.request(ApiKey.ListOffsets, 5, { replicaId: -1, isolationLevel, topics: [{ topicName: 'txn', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }], timeoutMs: 0 })).topics[0].partitions[0].offset;

  it('hides open and aborted transactions from read_committed readers, and shows everything to read_uncommitted ones', async () => {
    expect(await produce(batch('plain'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await produce(batch('aborted-1', { id: 100, sequence: 0 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1 });
    expect(await produce(batch('committed-1', { id: 200, sequence: 0 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(await produce(batch('aborted-2', { id: 100, sequence: 1 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 });

    // Both transactions open: read_committed sees only the plain record.
    let committed = await fetch(1);
    expect(committed.batches.map((each) => each.value)).toEqual(['plain']);
    expect(committed.partition).toMatchObject({ highWatermark: 4, lastStableOffset: 1, abortedTransactions: [] });
    expect(await latest(1)).toBe(1);
    expect(await latest(0)).toBe(4);

    const abort = await markers(1, 100, false);
    expect(abort.markers).toEqual([{ producerId: 100, topics: [{ name: 'txn', partitions: [{ partitionIndex: 0, errorCode: 0 }] }, { name: 'nope', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] }] }]);
    // Producer 200's transaction (from offset 2) is still open.
    committed = await fetch(1);
    expect(committed.batches.map((each) => each.offset)).toEqual([0, 1]);
    expect(committed.partition).toMatchObject({ highWatermark: 5, lastStableOffset: 2, abortedTransactions: [{ producerId: 100, firstOffset: 1 }] });

    expect((await markers(2, 200, true)).markers[0].topics[0].partitions[0].errorCode).toBe(0);
    committed = await fetch(1);
    expect(committed.batches.map((each) => [each.offset, each.control])).toEqual([[0, false], [1, false], [2, false], [3, false], [4, true], [5, true]]);
    expect(committed.partition).toMatchObject({ highWatermark: 6, lastStableOffset: 6, abortedTransactions: [{ producerId: 100, firstOffset: 1 }] });
    expect(await latest(1)).toBe(6);

    const uncommitted = await fetch(0);
    expect(uncommitted.batches.filter((each) => !each.control).map((each) => each.value)).toEqual(['plain', 'aborted-1', 'committed-1', 'aborted-2']);
    expect(uncommitted.partition).toMatchObject({ lastStableOffset: 6, abortedTransactions: null });
    // From past the aborted transaction's marker, nothing aborted reaches the range.
    expect((await fetch(1, 5)).partition.abortedTransactions).toEqual([]);
  });

  it('refuses a control batch produced by a client', async () => {
    const forged = encodeMarkerBatch({ producerId: 300, producerEpoch: 0, committed: true, coordinatorEpoch: 0 }, 1);
    expect(await produce(forged)).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD });
  });
});
