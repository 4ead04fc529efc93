// KafkaConnection (actors/net/kafka_client.ts) in process: against the real listener it
// negotiates versions and matches pipelined answers by correlation id; against scripted fake
// brokers it falls back from ApiVersions v3, times out, and reports refused and dropped
// connections as one clear sentence naming the broker.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { apiCatalog, encodeApiVersionsV0ErrorFrame, encodeResponseFrame } from '../../../core/protocol/codec.js';
import { FrameSplitter } from '../../../core/protocol/frame.js';
import { decodeRequestHeader, type RequestHeader } from '../../../core/protocol/header.js';
import { Reader } from '../../../core/protocol/reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { KafkaClientError, KafkaConnection } from '../../../actors/net/kafka_client.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';
import { timeoutMs, waitUntil } from '../../support/timeouts.js';

let server: TestServer;
const fakes: Server[] = [];

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
  await server.broker.createTopic('t', { partitions: 2 });
});

afterAll(async () => {
  for (const fake of fakes) fake.close();
  await server?.stop();
});

/** A fake broker that hands every request header to `onRequest`, which may answer on the socket. */
async function fakeBroker(onRequest: (header: RequestHeader, socket: Socket) => void): Promise<number> {
  const fake = createServer((socket) => {
    const splitter = new FrameSplitter();
    socket.on('data', (chunk) => {
      for (const frame of splitter.push(chunk)) onRequest(decodeRequestHeader(new Reader(frame)), socket);
    });
    socket.on('error', () => undefined);
  });
  fakes.push(fake);
  await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
  return (fake.address() as { port: number }).port;
}

/** Our own catalog as an ApiVersions answer, optionally capping ApiVersions itself. */
function apiVersionsAnswer(correlationId: number, version: number): Uint8Array {
  const apiKeys = apiCatalog.map((api) => ({ apiKey: api.apiKey, minVersion: api.versionMin, maxVersion: api.apiKey === ApiKey.ApiVersions ? 2 : api.versionMax }));
  return concatChunks(
    encodeResponseFrame(ApiKey.ApiVersions, version, correlationId, {
      errorCode: ErrorCode.NONE,
      apiKeys,
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    }),
  );
}

async function rejection(promise: Promise<unknown>): Promise<KafkaClientError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KafkaClientError);
  return error as KafkaClientError;
}

describe('KafkaConnection', () => {
  it('negotiates the highest common version and matches 200 pipelined answers by correlation id', async () => {
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port: server.port, clientId: 'pipeline-test' });
    try {
      const metadataMax = apiCatalog.find((api) => api.apiKey === ApiKey.Metadata)?.versionMax;
      expect(connection.version(ApiKey.Metadata)).toBe(metadataMax);
      // Alternate two kinds of request so a mix-up of answers would show in their shapes.
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          i % 2 === 0
            ? connection.send(ApiKey.Metadata, { topics: [{ topicId: new Uint8Array(16), topicName: 't' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }).then((m) => m.topics[0].partitions.length)
            : connection.send(ApiKey.ListOffsets, { replicaId: -1, isolationLevel: 0, topics: [{ topicName: 't', partitions: [{ partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -1 }] }], timeoutMs: 0 }).then((l) => `p${l.topics[0].partitions[0].partitionIndex}@${l.topics[0].partitions[0].offset}`),
        ),
      );
      expect(answers).toEqual(Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 2 : 'p1@0')));
      expect(connection.pendingCount).toBe(0);
    } finally {
      connection.close();
    }
  });

  it('retries ApiVersions at the version the broker names when it refuses v4', async () => {
    const seen: number[] = [];
    const port = await fakeBroker((header, socket) => {
      if (header.apiKey !== ApiKey.ApiVersions) return;
      seen.push(header.apiVersion);
      if (header.apiVersion > 2) socket.write(concatChunks(encodeApiVersionsV0ErrorFrame(header.correlationId, ErrorCode.UNSUPPORTED_VERSION, [{ apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 2 }])));
      else socket.write(apiVersionsAnswer(header.correlationId, header.apiVersion));
    });
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port });
    expect(seen).toEqual([4, 2]);
    expect(connection.brokerVersions(ApiKey.ApiVersions)).toEqual({ min: 0, max: 2 });
    connection.close();
  });

  it('times out a request the broker never answers, and drops the late answer', async () => {
    const held: { header: RequestHeader; socket: Socket }[] = [];
    const port = await fakeBroker((header, socket) => {
      if (header.apiKey === ApiKey.ApiVersions) socket.write(apiVersionsAnswer(header.correlationId, header.apiVersion));
      else held.push({ header, socket });
    });
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port, requestTimeoutMs: 150 });
    const error = await rejection(connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] }));
    expect(error.code).toBe('LANES_REQUEST_TIMEOUT');
    expect(error.message).toBe(`127.0.0.1:${port}: no answer to ListGroups within 150 ms`);
    // The late answer to the timed-out request is ignored; the next request gets its own.
    const late = held[0];
    late.socket.write(concatChunks(encodeResponseFrame(ApiKey.ListGroups, late.header.apiVersion, late.header.correlationId, { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'late', protocolType: 'consumer', groupState: '', groupType: '' }] })));
    const next = connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] }, { timeoutMs: timeoutMs(2_000) });
    await waitUntil('the second request to reach the broker', () => held.length >= 2);
    held[1].socket.write(concatChunks(encodeResponseFrame(ApiKey.ListGroups, held[1].header.apiVersion, held[1].header.correlationId, { throttleTimeMs: 0, errorCode: 0, groups: [] })));
    expect((await next).groups).toEqual([]);
    connection.close();
  });

  it('names the broker when it refuses the connection or drops it mid-request', async () => {
    const refusedPort = await fakeBroker(() => undefined);
    const closed = fakes[fakes.length - 1];
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await rejection(KafkaConnection.connect({ host: '127.0.0.1', port: refusedPort }));
    expect(refused).toMatchObject({ code: 'LANES_CONNECT_FAILED', message: `cannot connect to 127.0.0.1:${refusedPort}: connection refused` });

    const port = await fakeBroker((header, socket) => {
      if (header.apiKey === ApiKey.ApiVersions) socket.write(apiVersionsAnswer(header.correlationId, header.apiVersion));
      else socket.destroy();
    });
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port });
    const dropped = await rejection(connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] }));
    expect(dropped.code).toBe('LANES_CONNECTION_CLOSED');
    expect(dropped.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${port}: (the broker closed the connection|connection reset)$`));
    expect(connection.closed).toBe(true);
    expect((await rejection(connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] }))).code).toBe('LANES_CONNECTION_CLOSED');
  });

  it('fails a response it cannot decode instead of guessing', async () => {
    const port = await fakeBroker((header, socket) => {
      if (header.apiKey === ApiKey.ApiVersions) socket.write(apiVersionsAnswer(header.correlationId, header.apiVersion));
      else socket.write(Uint8Array.from([0, 0, 0, 6, ...[0, 0, 0, header.correlationId], 0, 0]));
    });
    const connection = await KafkaConnection.connect({ host: '127.0.0.1', port });
    const error = await rejection(connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] }));
    expect(error.code).toBe('LANES_BAD_RESPONSE');
    expect(error.message).toMatch(/cannot read the ListGroups v\d response/);
    expect(connection.closed).toBe(true);
  });
});
