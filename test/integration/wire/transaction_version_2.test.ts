// Transaction version 2 (KIP-890 part 2) over TCP, request by request, as a client at
// transaction.version 2 speaks it: no AddPartitionsToTxn (Produce v12 adds the partition), no
// AddOffsetsToTxn (TxnOffsetCommit v5 adds the group), and EndTxn v5, which bumps the epoch at the
// end of every transaction and answers it. A read_committed reader sees the committed records and
// not the aborted ones; a producer still on an old epoch (a zombie) is fenced.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { readBatches } from '../../../core/records/record_reader.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';
import { KafkaConnection } from '../../../actors/net/kafka_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

const text = new TextEncoder();
const transactionalId = 'tv2-producer';
const topic = 'tv2';
let server: TestServer;
let connection: KafkaConnection;

beforeAll(async () => {
  server = await startTestServer();
  await server.broker.createTopic(topic, { partitions: 1 });
  connection = await KafkaConnection.connect({ host: server.host, port: server.port, clientId: 'tv2' });
});

afterAll(async () => {
  connection?.close();
  await server?.stop();
});

const produce = async (value: string, producerId: number, producerEpoch: number, baseSequence: number) => {
  const records = encodeRecordBatch([{ key: null, value: text.encode(value) }], { producerId, producerEpoch, baseSequence, transactional: true });
  const response = await connection.send(ApiKey.Produce, { transactionalId, acks: -1, timeoutMs: 5000, topics: [{ topicName: topic, topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }] }, { version: 12 });
  return response.responses[0].partitions[0].errorCode;
};

const endTxn = (producerId: number, producerEpoch: number, committed: boolean) =>
  connection.send(ApiKey.EndTxn, { transactionalId, producerId, producerEpoch, committed }, { version: 5 });

const readCommitted = async () => {
  const body = {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 }, maxWaitMs: 0, minBytes: 0, maxBytes: 1024 * 1024, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topicName: topic, topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [], rackId: '',
  };
  const partition = (await connection.send(ApiKey.Fetch, body, { version: 11 })).responses[0].partitions[0];
  const batches = partition.records === null || partition.records.length === 0 ? [] : [...readBatches(concatChunks(partition.records))];
  // What a read_committed consumer keeps (Kafka's fetcher): a producer's batches from the first
  // offset of one of its aborted transactions up to its next marker are skipped.
  const abortedFrom = [...(partition.abortedTransactions ?? [])];
  const skipping = new Set<number>();
  const values: string[] = [];
  for (const batch of batches) {
    for (const aborted of abortedFrom.filter((entry) => entry.firstOffset <= batch.header.baseOffset)) {
      skipping.add(aborted.producerId);
      abortedFrom.splice(abortedFrom.indexOf(aborted), 1);
    }
    if (batch.isControl) skipping.delete(batch.header.producerId);
    else if (!skipping.has(batch.header.producerId)) values.push(new TextDecoder().decode(batch.records[0].value!));
  }
  return values;
};

it('ApiVersions finalizes transaction.version 2 and serves EndTxn and TxnOffsetCommit v5, AddPartitionsToTxn v5', async () => {
  const v4 = await connection.send(ApiKey.ApiVersions, { clientSoftwareName: 'tv2', clientSoftwareVersion: '1' }, { version: 4 });
  expect(v4.supportedFeatures).toEqual([{ name: 'transaction.version', minVersion: 0, maxVersion: 2 }]);
  expect(v4.finalizedFeatures).toEqual([{ name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 }]);
  expect(v4.finalizedFeaturesEpoch).toBeGreaterThanOrEqual(0);
  // Before v4 a client reads a supported range as starting at 1, so a feature whose range starts
  // at 0 is left out there (as Kafka does); the finalized level is still answered.
  const v3 = await connection.send(ApiKey.ApiVersions, { clientSoftwareName: 'tv2', clientSoftwareVersion: '1' }, { version: 3 });
  expect(v3.supportedFeatures).toEqual([]);
  expect(v3.finalizedFeatures).toEqual([{ name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 }]);
  expect(connection.brokerVersions(ApiKey.EndTxn)?.max).toBe(5);
  expect(connection.brokerVersions(ApiKey.TxnOffsetCommit)?.max).toBe(5);
  expect(connection.brokerVersions(ApiKey.AddPartitionsToTxn)?.max).toBe(5);
});

it('a transaction of version 2 commits, aborts and fences its zombie, with a new epoch after every EndTxn', async () => {
  const init = await connection.send(ApiKey.InitProducerId, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }, { version: 5 });
  expect(init.errorCode).toBe(ErrorCode.NONE);
  const { producerId, producerEpoch } = init;

  // Commit: the partition and the group join the transaction implicitly.
  expect(await produce('committed', producerId, producerEpoch, 0)).toBe(ErrorCode.NONE);
  const offsets = await connection.send(
    ApiKey.TxnOffsetCommit,
    { transactionalId, groupId: 'tv2-group', producerId, producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ topicName: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }] },
    { version: 5 },
  );
  expect(offsets.topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
  const described = await server.broker.describeTransactions([transactionalId]);
  expect(described[0]).toMatchObject({ state: 'Ongoing', topics: [{ topic, partitions: [0] }], groups: ['tv2-group'] });
  const committed = await endTxn(producerId, producerEpoch, true);
  expect(committed).toMatchObject({ errorCode: ErrorCode.NONE, producerId, producerEpoch: producerEpoch + 1 });
  expect(await readCommitted()).toEqual(['committed']);

  // Abort, at the new epoch (a new epoch starts its sequences at 0).
  expect(await produce('aborted', producerId, producerEpoch + 1, 0)).toBe(ErrorCode.NONE);
  const aborted = await endTxn(producerId, producerEpoch + 1, false);
  expect(aborted).toMatchObject({ errorCode: ErrorCode.NONE, producerId, producerEpoch: producerEpoch + 2 });
  expect(await readCommitted()).toEqual(['committed']);

  // A retried EndTxn (the epoch just below) gets the same answer again; the opposite decision does not.
  expect(await endTxn(producerId, producerEpoch + 1, false)).toMatchObject({ errorCode: ErrorCode.NONE, producerId, producerEpoch: producerEpoch + 2 });
  expect((await endTxn(producerId, producerEpoch + 1, true)).errorCode).toBe(ErrorCode.INVALID_TXN_STATE);

  // The zombie, still at the first epoch: its produce and its EndTxn are fenced.
  expect(await produce('zombie', producerId, producerEpoch, 1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  expect(await endTxn(producerId, producerEpoch, true)).toMatchObject({ errorCode: ErrorCode.PRODUCER_FENCED, producerId: -1, producerEpoch: -1 });
  expect(await readCommitted()).toEqual(['committed']);

  // The live producer goes on at the current epoch.
  expect(await produce('next', producerId, producerEpoch + 2, 0)).toBe(ErrorCode.NONE);
  expect((await endTxn(producerId, producerEpoch + 2, true)).producerEpoch).toBe(producerEpoch + 3);
  expect(await readCommitted()).toEqual(['committed', 'next']);
});

it('AddPartitionsToTxn v5 (the brokers\' batched form) verifies and adds per transaction', async () => {
  const id = 'tv2-batched';
  const init = await connection.send(ApiKey.InitProducerId, { transactionalId: id, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }, { version: 5 });
  const txn = (verifyOnly: boolean) => ({ transactionalId: id, producerId: init.producerId, producerEpoch: init.producerEpoch, verifyOnly, topics: [{ topicName: topic, partitions: [0] }] });
  const send = (verifyOnly: boolean) =>
    connection.send(ApiKey.AddPartitionsToTxn, { transactions: [txn(verifyOnly)], transactionalId: '', producerId: 0, producerEpoch: 0, topics: [] }, { version: 5 });
  const codeOf = (response: Awaited<ReturnType<typeof send>>) => response.resultsByTransaction[0].topicResults[0].partitions[0].errorCode;
  expect(codeOf(await send(true))).toBe(ErrorCode.INVALID_TXN_STATE);
  const added = await send(false);
  expect(added.errorCode).toBe(ErrorCode.NONE);
  expect(codeOf(added)).toBe(ErrorCode.NONE);
  expect(codeOf(await send(true))).toBe(ErrorCode.NONE);
});

it('a broker pinned to transaction.version 1 says so, and its Produce adds no partition to a transaction', async () => {
  const pinned = await startTestServer({ transactionVersion: 1 });
  const client = await KafkaConnection.connect({ host: pinned.host, port: pinned.port, clientId: 'tv1' });
  try {
    await pinned.broker.createTopic(topic, { partitions: 1 });
    const answer = await client.send(ApiKey.ApiVersions, { clientSoftwareName: 'tv1', clientSoftwareVersion: '1' }, { version: 4 });
    expect(answer.finalizedFeatures).toEqual([{ name: 'transaction.version', minVersionLevel: 1, maxVersionLevel: 1 }]);
    const init = await client.send(ApiKey.InitProducerId, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 }, { version: 5 });
    const records = encodeRecordBatch([{ key: null, value: text.encode('first protocol') }], { producerId: init.producerId, producerEpoch: init.producerEpoch, baseSequence: 0, transactional: true });
    await client.send(ApiKey.Produce, { transactionalId, acks: -1, timeoutMs: 5000, topics: [{ topicName: topic, topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }] }, { version: 12 });
    expect((await pinned.broker.describeTransactions([transactionalId]))[0]).toMatchObject({ state: 'Empty', topics: [] });
  } finally {
    client.close();
    await pinned.stop();
  }
});
