// Responses are encoded by one reused writer and copied out into exact-size buffers
// (core/protocol/codec.ts encodeResponseFrame), and written without a write callback unless the
// slot has views to release (actors/net/connection.ts). Invariant under test: a response still
// queued in the socket is never overwritten by the encoding of a later one.
//
// Method: one connection pipelines hundreds of requests of mixed sizes in one write — Metadata
// answers over 8 KiB (beyond Node's Buffer pool), ApiVersions answers of a few hundred bytes
// (pooled), Fetch answers carrying log views (released after their write) — while the client
// does not read, so the server's write queue fills and it keeps encoding behind it. Then the
// client reads everything: every answer of a kind must be byte-identical to the first one
// (after the correlation id, which must follow the request order).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey, type ApiKeyNumber } from '../../../core/protocol/api_keys.js';
import { decodeResponse } from '../../../core/protocol/codec.js';
import { Reader } from '../../../core/protocol/reader.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

const text = new TextEncoder();
const topicCount = 16;
const rounds = 150;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
  // Long names make each Metadata answer ~4.5 KiB: above 4 KiB, Buffer.allocUnsafe leaves Node's pool.
  for (let index = 0; index < topicCount; index++) await server.broker.createTopic(`pipelined-${String(index).padStart(3, '0')}-${'x'.repeat(230)}`, { partitions: 1 });
  await server.broker.createTopic('pipelined-data', { partitions: 1 });
  const batch = encodeRecordBatch([{ key: null, value: text.encode('v'.repeat(3000)) }], { baseTimestamp: 1_700_000_000_000 });
  await server.broker.produce('pipelined-data', 0, batch, { acks: -1 });
});

afterAll(async () => {
  await server?.stop();
});

it('answers hundreds of pipelined requests to a reader that falls behind with uncorrupted bytes, in order', async () => {
  const raw = await RawClient.connect(server.port);
  try {
    raw.socket.pause();
    const kinds: { apiKey: ApiKeyNumber; version: number; body: never }[] = [
      { apiKey: ApiKey.Metadata, version: 4, body: { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false } as never },
      { apiKey: ApiKey.ApiVersions, version: 3, body: { clientSoftwareName: 'pipelined', clientSoftwareVersion: '1' } as never },
      {
        apiKey: ApiKey.Fetch,
        version: 11,
        body: {
          replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
          topics: [{ topicName: 'pipelined-data', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [], rackId: '',
        } as never,
      },
    ];
    const sent: { kind: number; correlationId: number }[] = [];
    const frames: Uint8Array[] = [];
    for (let round = 0; round < rounds; round++) {
      for (let kind = 0; kind < kinds.length; kind++) {
        const frame = raw.frame(kinds[kind].apiKey, kinds[kind].version, kinds[kind].body);
        sent.push({ kind, correlationId: frame.correlationId });
        frames.push(frame.bytes);
      }
    }
    await new Promise<void>((resolve, reject) => raw.socket.write(concatChunks(frames), (error) => (error ? reject(error) : resolve())));
    // Let the server answer into a full socket for a while (correctness does not depend on how
    // long: a shorter wait only makes the test less demanding).
    await new Promise((resolve) => setTimeout(resolve, 300));
    raw.socket.resume();

    const firstBody: (Uint8Array | null)[] = kinds.map(() => null);
    for (const request of sent) {
      const frame = await raw.nextFrame();
      expect(frame).not.toBeNull();
      const reader = new Reader(frame!);
      expect(reader.readInt32()).toBe(request.correlationId);
      const kind = kinds[request.kind];
      // Metadata v4 and ApiVersions use response header v0; Fetch v11 too (not flexible).
      const body = frame!.subarray(4);
      const first = firstBody[request.kind];
      if (first === null) {
        firstBody[request.kind] = body.slice();
        const decoded = decodeResponse(kind.apiKey, kind.version, reader) as { errorCode?: number; topics?: unknown[] };
        if (kind.apiKey === ApiKey.Metadata) expect(decoded.topics).toHaveLength(topicCount + 1);
        else expect(decoded.errorCode).toBe(ErrorCode.NONE);
      } else {
        expect(Buffer.from(body).equals(Buffer.from(first))).toBe(true);
      }
    }
    expect(firstBody[0]!.length).toBeGreaterThan(4 * 1024);
    expect(firstBody[2]!.length).toBeGreaterThan(3000);
  } finally {
    raw.close();
  }
});
