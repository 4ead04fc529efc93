// Idempotent producers over the wire, with raw frames: what a retrying producer relies on. It gets
// a producer id from InitProducerId; sending the same batch twice stores it once and answers the
// retry with the first offset; a sequence gap is refused with OUT_OF_ORDER_SEQUENCE_NUMBER; after
// an epoch bump the old epoch is fenced; and on a disk broker the duplicate is still recognised
// after a restart (the producer state is rebuilt from the log).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Broker } from '../../../actors/host/broker.js';
import { KafkaListener } from '../../../actors/net/listener.js';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import type { FetchRequest } from '../../../core/protocol/messages/fetch.js';
import type { ProduceRequest } from '../../../core/protocol/messages/produce.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';
import { timeoutMs } from '../../support/timeouts.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

const text = new TextEncoder();
const clients: RawClient[] = [];

function idempotentBatch(producerId: number, producerEpoch: number, baseSequence: number, texts: string[]): Uint8Array {
  return encodeRecordBatch(
    texts.map((value) => ({ key: null, value: text.encode(value) })),
    { producerId, producerEpoch, baseSequence, baseTimestamp: 1_700_000_000_000 },
  );
}

function produceBody(topicName: string, records: Uint8Array): ProduceRequest {
  return { transactionalId: null, acks: -1, timeoutMs: 5000, topics: [{ topicName, topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }] };
}

function fetchBody(topicName: string): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicName, topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

async function connect(port: number): Promise<RawClient> {
  const raw = await RawClient.connect(port);
  clients.push(raw);
  return raw;
}

async function produce(raw: RawClient, topic: string, batch: Uint8Array): Promise<{ errorCode: number; baseOffset: number }> {
  const response = await raw.request(ApiKey.Produce, 7, produceBody(topic, batch));
  return response.responses[0].partitions[0];
}

/** Every value stored in the topic's partition 0, in offset order. */
async function storedValues(raw: RawClient, topic: string): Promise<string[]> {
  const response = await raw.request(ApiKey.Fetch, 11, fetchBody(topic));
  const records = response.responses[0].partitions[0].records;
  if (records === null || records.length === 0) return [];
  return [...readRecords(concatChunks(records))].map((record) => new TextDecoder().decode(record.value!));
}

async function initProducer(raw: RawClient, version: number, producerId = -1, producerEpoch = -1) {
  return raw.request(ApiKey.InitProducerId, version, { transactionalId: null, transactionTimeoutMs: 60_000, producerId, producerEpoch });
}

afterAll(() => {
  for (const client of clients.splice(0)) client.close();
});

describe('idempotent producer (memory broker)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    await server.broker.createTopic('events', { partitions: 1 });
    await server.broker.createTopic('fenced', { partitions: 1 });
  });

  afterAll(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.stop();
  });

  it('advertises InitProducerId v0–v5 and answers every version with a producer id', async () => {
    const raw = await connect(server.port);
    const versions = await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.find((api) => api.apiKey === ApiKey.InitProducerId)).toMatchObject({ minVersion: 0, maxVersion: 5 });
    const ids: number[] = [];
    for (let version = 0; version <= 5; version++) {
      const response = await initProducer(raw, version);
      expect(response).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
      ids.push(response.producerId);
    }
    expect(new Set(ids).size).toBe(6);
  });

  it('stores a retried batch once and answers the retry with the original offset', async () => {
    const raw = await connect(server.port);
    const { producerId } = await initProducer(raw, 1);
    const first = idempotentBatch(producerId, 0, 0, ['a', 'b']);
    expect(await produce(raw, 'events', first)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await produce(raw, 'events', first)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await produce(raw, 'events', idempotentBatch(producerId, 0, 2, ['c']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    // A retry of an older batch still within the last five is recognised too.
    expect(await produce(raw, 'events', first)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(await storedValues(raw, 'events')).toEqual(['a', 'b', 'c']);
    expect(server.broker.describeTopic('events')!.partitions[0].highWatermark).toBe(3);
  });

  it('refuses a sequence gap with OUT_OF_ORDER_SEQUENCE_NUMBER and stores nothing', async () => {
    const raw = await connect(server.port);
    const { producerId } = await initProducer(raw, 4);
    const before = server.broker.describeTopic('events')!.partitions[0].highWatermark;
    expect(await produce(raw, 'events', idempotentBatch(producerId, 0, 0, ['x']))).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await produce(raw, 'events', idempotentBatch(producerId, 0, 2, ['gap']))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, baseOffset: -1 });
    expect(await produce(raw, 'events', idempotentBatch(producerId, 0, 1, ['y']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: before + 1 });
    expect((await storedValues(raw, 'events')).slice(before)).toEqual(['x', 'y']);
  });

  it('fences the old epoch after an epoch bump, and the new epoch starts at sequence 0', async () => {
    const raw = await connect(server.port);
    const { producerId } = await initProducer(raw, 4);
    expect(await produce(raw, 'fenced', idempotentBatch(producerId, 0, 0, ['e0']))).toMatchObject({ errorCode: ErrorCode.NONE });
    const bumped = await initProducer(raw, 4, producerId, 0);
    expect(bumped).toMatchObject({ errorCode: ErrorCode.NONE, producerId, producerEpoch: 1 });
    expect(await produce(raw, 'fenced', idempotentBatch(producerId, 1, 1, ['not from 0']))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(await produce(raw, 'fenced', idempotentBatch(producerId, 1, 0, ['e1']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 1 });
    expect(await produce(raw, 'fenced', idempotentBatch(producerId, 0, 1, ['zombie']))).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    // InitProducerId with a stale epoch is fenced as well (v4: PRODUCER_FENCED).
    await initProducer(raw, 4, producerId, 1);
    expect(await initProducer(raw, 4, producerId, 0)).toMatchObject({ errorCode: 90 });
    expect(await storedValues(raw, 'fenced')).toEqual(['e0', 'e1']);
  });

  it('gives a transactional id its producer id, bumping the epoch on every InitProducerId', async () => {
    const raw = await connect(server.port);
    const init = (transactionTimeoutMs = 60_000) => raw.request(ApiKey.InitProducerId, 1, { transactionalId: 'txn', transactionTimeoutMs, producerId: -1, producerEpoch: -1 });
    const first = await init();
    expect(first).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: 0 });
    expect(await init()).toMatchObject({ errorCode: ErrorCode.NONE, producerId: first.producerId, producerEpoch: 1 });
    expect((await init(0)).errorCode).toBe(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  });
});

describe('idempotent producer (disk broker, restarted)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lanes-idempotent-'));

  async function start(): Promise<{ broker: Broker; listener: KafkaListener }> {
    const broker = await Broker.start({ storage: 'disk', dataDir, shards: 1 });
    const listener = await KafkaListener.listen({ broker, host: '127.0.0.1', port: 0 });
    return { broker, listener };
  }

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('recognises a retry of the last batch after the broker restarts', async () => {
    const first = await start();
    await first.broker.createTopic('durable', { partitions: 1 });
    let raw = await connect(first.listener.port);
    const { producerId } = await initProducer(raw, 1);
    const batches = [0, 1, 2].map((i) => idempotentBatch(producerId, 0, i * 2, [`r${i * 2}`, `r${i * 2 + 1}`]));
    for (const [i, batch] of batches.entries()) expect(await produce(raw, 'durable', batch)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: i * 2 });
    raw.close();
    await first.listener.stop(200);
    await first.broker.stop();

    const second = await start();
    try {
      raw = await connect(second.listener.port);
      // The producer never heard back for its last batch and retries it against the new process.
      expect(await produce(raw, 'durable', batches[2])).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
      expect(await produce(raw, 'durable', idempotentBatch(producerId, 0, 8, ['gap']))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
      expect(await produce(raw, 'durable', idempotentBatch(producerId, 0, 6, ['r6']))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 6 });
      expect(await storedValues(raw, 'durable')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
      // A new producer after the restart never gets the id of the previous run.
      expect((await initProducer(raw, 1)).producerId).toBeGreaterThan(producerId);
    } finally {
      await second.listener.stop(200);
      await second.broker.stop();
    }
  }, timeoutMs(60_000));
});
