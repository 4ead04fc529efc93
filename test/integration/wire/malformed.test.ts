// Bad clients over raw sockets: truncated frames, absurd and negative sizes, unknown api keys,
// unsupported versions, garbage after a valid header, a batch with a bad CRC, a batch over
// max.message.bytes, an unknown topic with auto creation off. After each, a well-behaved client
// on another connection still produces and fetches: one bad connection never harms the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { apiCatalog } from '../../../core/protocol/codec.js';
import type { FetchRequest } from '../../../core/protocol/messages/fetch.js';
import type { ProduceRequest } from '../../../core/protocol/messages/produce.js';
import { Reader } from '../../../core/protocol/reader.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { Compression } from '../../../core/records/record_batch.js';
import { readRecords } from '../../../core/records/record_reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { advertisedApis } from '../../../core/handlers/handler_table.js';
import { expectHealthy } from './healthy_client.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';
import { zeroTopicId } from '../../../core/handlers/topic_ids.js';

const text = new TextEncoder();
const maxMessageBytes = 64 * 1024;
let server: TestServer;
let closedServer: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ maxMessageBytes });
  closedServer = await startTestServer({ autoCreateTopics: false });
  await server.broker.createTopic('healthy', { partitions: 1 });
  await server.broker.createTopic('victim', { partitions: 1 });
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  await closedServer?.stop();
});

async function client(target: TestServer = server): Promise<RawClient> {
  const raw = await RawClient.connect(target.port);
  clients.push(raw);
  return raw;
}

function batch(values: string[], compression: number = Compression.none): Uint8Array {
  return encodeRecordBatch(values.map((value, i) => ({ key: text.encode(`k${i}`), value: text.encode(value) })), { compression, baseTimestamp: 1_700_000_000_000 });
}

function produceBody(topicName: string, records: Uint8Array, acks = -1, partitionIndex = 0): ProduceRequest {
  return { transactionalId: null, acks, timeoutMs: 5000, topics: [{ topicName, topicId: zeroTopicId(), partitions: [{ partitionIndex, records }] }] };
}

function fetchBody(topicName: string, fetchOffset: number, maxWaitMs = 0, minBytes = 0, partitionIndex = 0): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs,
    minBytes,
    maxBytes: 1024 * 1024,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicName, topicId: new Uint8Array(16), partitions: [{ partitionIndex, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1024 * 1024, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

function values(records: Uint8Array[] | null): string[] {
  if (records === null || records.length === 0) return [];
  return [...readRecords(concatChunks(records))].map((record) => new TextDecoder().decode(record.value!));
}

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value);
  return bytes;
}

describe('framing', () => {
  it('closes a connection whose frame is too short to hold a header', async () => {
    const raw = await client();
    raw.write(concatChunks([int32(3), new Uint8Array([0, 3, 0])]));
    await raw.closedByServer();
    await expectHealthy(server);
  });

  it('keeps serving others while a client sends half a frame and vanishes', async () => {
    const raw = await client();
    const { bytes } = raw.frame(ApiKey.Metadata, 1, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    raw.write(bytes.subarray(0, bytes.length - 3));
    await expectHealthy(server);
    raw.close();
    await expectHealthy(server);
  });

  it('closes a connection announcing a 2 GiB frame without allocating it', async () => {
    const raw = await client();
    raw.write(concatChunks([int32(0x7fff_ffff), new Uint8Array(16)]));
    await raw.closedByServer();
    await expectHealthy(server);
  });

  it('closes a connection announcing a negative frame size', async () => {
    const raw = await client();
    raw.write(int32(-5));
    await raw.closedByServer();
    await expectHealthy(server);
  });

  it('closes a connection sending garbage after a valid header', async () => {
    const raw = await client();
    const header = concatChunks([new Uint8Array([0, ApiKey.Produce, 0, 7]), int32(42), new Uint8Array([0, 3]), text.encode('bad')]);
    const garbage = new Uint8Array(40).fill(0xff);
    raw.write(concatChunks([int32(header.length + garbage.length), header, garbage]));
    await raw.closedByServer();
    await expectHealthy(server);
  });

  it('serves librdkafka\'s all-topics Metadata v12, whose topic count is padded to four bytes, as Kafka does', async () => {
    await server.broker.createTopic('padded-listing');
    const raw = await client();
    // librdkafka 2.x leaves the int32 it reserved for the count: 00 00 00 00, then its flags.
    const { bytes, correlationId } = raw.frame(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    const body = bytes.subarray(bytes.length - 4);
    expect([...body]).toEqual([0, 1, 0, 0]); // null topics, auto-create, no authorized operations, no tags
    const padded = concatChunks([int32(bytes.length - 4 + 3), bytes.subarray(4, bytes.length - 4), new Uint8Array(3), body]);
    raw.write(padded);
    const answer = await raw.response(ApiKey.Metadata, 12, correlationId);
    expect(answer.topics.map((topic) => topic.topicName)).toContain('padded-listing');
    // Other bytes after a Metadata body still close the connection.
    const other = await client();
    const { bytes: plain } = other.frame(ApiKey.Metadata, 12, { topics: null, allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    other.write(concatChunks([int32(plain.length - 4 + 3), plain.subarray(4), new Uint8Array(3)]));
    await other.closedByServer();
    await expectHealthy(server);
  });

  it('closes a connection sending bytes after a complete body', async () => {
    const raw = await client();
    const { bytes } = raw.frame(ApiKey.ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
    const padded = concatChunks([int32(bytes.length - 4 + 3), bytes.subarray(4), new Uint8Array([1, 2, 3])]);
    raw.write(padded);
    await raw.closedByServer();
    await expectHealthy(server);
  });
});

describe('unsupported requests are answered, the connection stays', () => {
  it('answers an unknown api key with UNSUPPORTED_VERSION', async () => {
    const raw = await client();
    raw.write(concatChunks([int32(10), new Uint8Array([0x03, 0xe7, 0, 0]), int32(77), new Uint8Array([0xff, 0xff])]));
    const frame = (await raw.nextFrame())!;
    const reader = new Reader(frame);
    expect(reader.readInt32()).toBe(77);
    expect(reader.readInt16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    const versions = await raw.request(ApiKey.ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
    expect(versions.errorCode).toBe(ErrorCode.NONE);
  });

  it('answers an unsupported Metadata version with UNSUPPORTED_VERSION', async () => {
    const raw = await client();
    // Metadata v99 would be flexible: request header v2, whose tag section follows the client id.
    raw.write(concatChunks([int32(11), new Uint8Array([0, ApiKey.Metadata, 0, 99]), int32(5), new Uint8Array([0xff, 0xff, 0])]));
    const reader = new Reader((await raw.nextFrame())!);
    expect(reader.readInt32()).toBe(5);
    expect(reader.readInt16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    await expectHealthy(server);
  });

  it('answers ApiVersions above v4 with the v0-shaped error body, then serves v3', async () => {
    const raw = await client();
    raw.write(concatChunks([int32(11), new Uint8Array([0, ApiKey.ApiVersions, 0, 9]), int32(6), new Uint8Array([0xff, 0xff, 0])]));
    const reader = new Reader((await raw.nextFrame())!);
    expect(reader.readInt32()).toBe(6);
    expect(reader.readInt16()).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(reader.readInt32()).toBe(1);
    expect([reader.readInt16(), reader.readInt16(), reader.readInt16()]).toEqual([ApiKey.ApiVersions, 0, 4]);
    const versions = await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    expect(versions.apiKeys.map((api) => [api.apiKey, api.minVersion, api.maxVersion])).toEqual(
      advertisedApis.map((api) => [api.apiKey, api.versionMin, api.versionMax]),
    );
  });

  it('advertises only what the codec can serve, with the version-0 minimums librdkafka needs', () => {
    for (const api of advertisedApis) {
      const codec = apiCatalog.find((entry) => entry.apiKey === api.apiKey)!;
      expect(api.versionMin).toBeGreaterThanOrEqual(codec.versionMin);
      expect(api.versionMax).toBeLessThanOrEqual(codec.versionMax);
    }
    for (const key of [ApiKey.FindCoordinator, ApiKey.JoinGroup, ApiKey.SyncGroup, ApiKey.Heartbeat, ApiKey.LeaveGroup]) {
      expect(advertisedApis.find((api) => api.apiKey === key)?.versionMin).toBe(0);
    }
    // librdkafka's IDEMPOTENT_PRODUCER feature needs InitProducerId to include version 0.
    expect(advertisedApis.find((api) => api.apiKey === ApiKey.InitProducerId)?.versionMin).toBe(0);
  });
});

describe('bad record batches are refused per partition', () => {
  it('answers CORRUPT_MESSAGE for a bad CRC and appends nothing', async () => {
    const raw = await client();
    const corrupt = batch(['will be corrupted']);
    corrupt[corrupt.length - 1] ^= 0xff;
    const produced = await raw.request(ApiKey.Produce, 7, produceBody('victim', corrupt));
    expect(produced.responses[0].partitions[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    expect(server.broker.describeTopic('victim')!.partitions[0].highWatermark).toBe(0);
    const fine = await raw.request(ApiKey.Produce, 7, produceBody('victim', batch(['fine'])));
    expect(fine.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    await expectHealthy(server);
  });

  it('answers MESSAGE_TOO_LARGE for a batch over max.message.bytes', async () => {
    const raw = await client();
    const produced = await raw.request(ApiKey.Produce, 7, produceBody('victim', batch(['x'.repeat(maxMessageBytes + 100)])));
    expect(produced.responses[0].partitions[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    await expectHealthy(server);
  });

  it('answers CORRUPT_MESSAGE for a record set that is not whole batches', async () => {
    const raw = await client();
    const whole = batch(['cut']);
    const produced = await raw.request(ApiKey.Produce, 7, produceBody('victim', whole.subarray(0, whole.length - 5)));
    expect(produced.responses[0].partitions[0].errorCode).toBe(ErrorCode.CORRUPT_MESSAGE);
    await expectHealthy(server);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist', async () => {
    const raw = await client();
    const produced = await raw.request(ApiKey.Produce, 7, produceBody('victim', batch(['nowhere']), -1, 7));
    expect(produced.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

describe('auto topic creation', () => {
  const metadataV4 = (topicName: string, allowAutoTopicCreation = true) => ({ topics: [{ topicId: new Uint8Array(16), topicName }], allowAutoTopicCreation, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });

  it('off: an unknown topic is UNKNOWN_TOPIC_OR_PARTITION in Metadata and Produce', async () => {
    const raw = await client(closedServer);
    const metadata = await raw.request(ApiKey.Metadata, 4, metadataV4('nobody'));
    expect(metadata.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const produced = await raw.request(ApiKey.Produce, 7, produceBody('nobody', batch(['lost'])));
    expect(produced.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(closedServer.broker.topic('nobody')).toBeUndefined();
    await expectHealthy(closedServer);
  });

  it('on: LEADER_NOT_AVAILABLE first, then the topic with this node leading', async () => {
    const raw = await client();
    const first = await raw.request(ApiKey.Metadata, 4, metadataV4('auto-made'));
    expect(first.topics[0].errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
    const second = await raw.request(ApiKey.Metadata, 4, metadataV4('auto-made'));
    expect(second.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(second.topics[0].partitions).toEqual([{ errorCode: 0, partitionIndex: 0, leaderId: 0, leaderEpoch: -1, replicaNodes: [0], isrNodes: [0], offlineReplicas: [] }]);
    expect(second.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: server.port, rack: null }]);
    expect(second.controllerId).toBe(0);
  });

  it('on, but the request says no (v4 flag): UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const raw = await client();
    const metadata = await raw.request(ApiKey.Metadata, 4, metadataV4('not-wanted', false));
    expect(metadata.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(server.broker.topic('not-wanted')).toBeUndefined();
  });
});

describe('ordering, acks and long polls', () => {
  it('answers pipelined requests in order and writes nothing for acks=0', async () => {
    await server.broker.createTopic('pipelined');
    const raw = await client();
    // A long poll first: the requests behind it are answered after it, in order.
    const poll = raw.frame(ApiKey.Fetch, 11, fetchBody('pipelined', 0, 10_000, 1));
    const silent = raw.frame(ApiKey.Produce, 7, produceBody('pipelined', batch(['acks zero']), 0));
    const versions = raw.frame(ApiKey.ApiVersions, 2, { clientSoftwareName: '', clientSoftwareVersion: '' });
    raw.write(concatChunks([poll.bytes, silent.bytes, versions.bytes]));
    // The acks=0 produce on the same connection ends the long poll.
    const fetched = await raw.response(ApiKey.Fetch, 11, poll.correlationId);
    expect(values(fetched.responses[0].partitions[0].records)).toEqual(['acks zero']);
    expect((await raw.response(ApiKey.ApiVersions, 2, versions.correlationId)).errorCode).toBe(ErrorCode.NONE);
  });

  it('appends pipelined Produce requests in the order they were sent', async () => {
    await server.broker.createTopic('ordered');
    const raw = await client();
    const frames = Array.from({ length: 8 }, (_, i) => raw.frame(ApiKey.Produce, 7, produceBody('ordered', batch([`r${i}a`, `r${i}b`]))));
    raw.write(concatChunks(frames.map((frame) => frame.bytes)));
    const baseOffsets: number[] = [];
    for (const frame of frames) baseOffsets.push((await raw.response(ApiKey.Produce, 7, frame.correlationId)).responses[0].partitions[0].baseOffset);
    expect(baseOffsets).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
  });

  it('a long poll ends when another connection produces', async () => {
    await server.broker.createTopic('polled');
    const consumer = await client();
    const producer = await client();
    const poll = consumer.frame(ApiKey.Fetch, 11, fetchBody('polled', 0, 30_000, 1));
    consumer.write(poll.bytes);
    const produced = await producer.request(ApiKey.Produce, 7, produceBody('polled', batch(['wake up'], Compression.gzip)));
    expect(produced.responses[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    const fetched = await consumer.response(ApiKey.Fetch, 11, poll.correlationId);
    expect(values(fetched.responses[0].partitions[0].records)).toEqual(['wake up']);
    expect(fetched.responses[0].partitions[0].highWatermark).toBe(1);
    expect(fetched.responses[0].partitions[0].lastStableOffset).toBe(1);
  });

  it('answers OFFSET_OUT_OF_RANGE past the high watermark', async () => {
    const raw = await client();
    const fetched = await raw.request(ApiKey.Fetch, 11, fetchBody('healthy', 1_000_000));
    expect(fetched.responses[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(fetched.sessionId).toBe(0);
  });
});
