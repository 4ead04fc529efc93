// Hostile clients against a real listener over raw sockets: a request whose answer would not fit
// the protocol, clients that never read their answers, frames announced and never finished,
// idle and trickling connections, too many connections. Each bound is checked on the broker's own
// accounting (KafkaListener.bytesHeld: bytes held now and the most ever held), never on time or
// RSS; limits are configured small so the tests are quick. After each, other clients are served.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { quotedValueCharsMax } from '../../../core/limits.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import type { FetchRequest } from '../../../core/protocol/messages/fetch.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import type { Broker } from '../../../actors/host/broker.js';
import { expectHealthy } from './healthy_client.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const servers: TestServer[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.stop();
});

async function serve(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

async function client(server: TestServer): Promise<RawClient> {
  const raw = await RawClient.connect(server.port);
  clients.push(raw);
  return raw;
}

const metadataAll = { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };

function fetchBody(topicName: string, maxBytes: number): FetchRequest {
  return {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicName, topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value);
  return bytes;
}

describe('answers that would not fit the protocol', () => {
  it('refuses a 32,767-byte topic name with a bounded message and keeps the connection', async () => {
    const server = await serve();
    const raw = await client(server);
    const name = 'x'.repeat(0x7fff);
    const created = await raw.request(ApiKey.CreateTopics, 4, {
      topics: [{ topicName: name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    });
    const topic = created.topics[0];
    expect(topic.topicName).toBe(name);
    expect(topic.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(topic.errorMessage!.length).toBeLessThan(quotedValueCharsMax + 200);
    expect(topic.errorMessage).toContain(`${0x7fff} characters`);
    // The same connection is still served.
    const versions = await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    expect(versions.errorCode).toBe(ErrorCode.NONE);
    await expectHealthy(server);
  });

  it('closes only the connection whose answer cannot be encoded, and keeps serving', async () => {
    // A broker view listing a topic whose name cannot be a protocol string: the Metadata answer
    // and its error form both fail to encode (a bug's shape), so that connection is closed.
    const server = await serve();
    const broker = server.broker;
    const badTopic = { name: 'y'.repeat(40_000), partitions: [{ partition: 0 }] };
    const facade = new Proxy(broker, {
      get(target, key) {
        if (key === 'listTopics') return () => [...target.listTopics(), badTopic];
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as Broker;
    const { KafkaListener } = await import('../../../actors/net/listener.js');
    const listener = await KafkaListener.listen({ broker: facade, host: '127.0.0.1', port: 0 });
    try {
      const raw = await RawClient.connect(listener.port);
      clients.push(raw);
      raw.write(raw.frame(ApiKey.Metadata, 4, metadataAll).bytes);
      await raw.closedByServer();
      const other = await RawClient.connect(listener.port);
      clients.push(other);
      const versions = await other.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
      expect(versions.errorCode).toBe(ErrorCode.NONE);
    } finally {
      await listener.stop(0);
    }
  });
});

describe('clients that never read their answers', () => {
  it('bound the response bytes queued per connection; others are served; the bytes return when they leave', async () => {
    const high = 512 * KiB;
    const server = await serve({ connectionResponseBytesHigh: high, connectionResponseBytesLow: 128 * KiB });
    await server.broker.createTopic('big');
    for (let index = 0; index < 4; index++) {
      const batch = encodeRecordBatch([{ key: null, value: new Uint8Array(250 * KiB).fill(index) }], { baseTimestamp: 1_700_000_000_000 });
      await server.broker.produce('big', 0, batch, { acks: -1 });
    }
    const fetchBytes = 1 * MiB;
    const hostile: RawClient[] = [];
    for (let index = 0; index < 4; index++) {
      const raw = await client(server);
      raw.socket.pause();
      // 64 pipelined Fetches of ~1 MiB each: 64 MiB of answers per connection if nothing bounds them.
      const frames = Array.from({ length: 64 }, () => raw.frame(ApiKey.Fetch, 11, fetchBody('big', fetchBytes)).bytes);
      raw.write(concatChunks(frames));
      hostile.push(raw);
    }
    // Each connection queues answers until it reaches its high mark, then stops starting requests.
    await vi.waitFor(() => expect(server.listener.bytesHeld.responses).toBeGreaterThanOrEqual(4 * high), { timeout: 60_000, interval: 20 });
    await expectHealthy(server);
    // At most the high mark plus the one Fetch answer being built, per connection.
    const answerMax = fetchBytes + 4 * KiB;
    expect(server.listener.bytesHeld.responsesPeak).toBeLessThanOrEqual(4 * (high + answerMax));
    for (const raw of hostile) raw.close();
    await vi.waitFor(() => expect(server.listener.bytesHeld.responses).toBe(0), { timeout: 30_000, interval: 20 });
    await expectHealthy(server);
  });
});

describe('partial frames', () => {
  it('hold request bytes within the budget, and give them back when the client leaves', async () => {
    const budget = 1 * MiB;
    const server = await serve({ queuedMaxRequestBytes: budget });
    const announced = 900 * KiB;
    const sent = 800 * KiB;
    const trickling: RawClient[] = [];
    for (let index = 0; index < 6; index++) {
      const raw = await client(server);
      // A Produce frame (api key 0 first) announced at 900 KiB, of which 800 KiB arrive.
      const body = new Uint8Array(sent);
      body.set([0, ApiKey.Produce, 0, 7]);
      raw.write(concatChunks([int32(announced), body]));
      trickling.push(raw);
    }
    // One frame is admitted and received; the others wait for the budget, unread.
    await vi.waitFor(() => expect(server.listener.bytesHeld.requests).toBeGreaterThanOrEqual(announced), { timeout: 30_000, interval: 20 });
    // Frames announced beyond the budget are not admitted: the one received is all that is held.
    expect(server.listener.bytesHeld.requestsPeak).toBeLessThanOrEqual(budget);
    for (const raw of trickling) raw.close();
    await vi.waitFor(() => expect(server.listener.bytesHeld.requests).toBe(0), { timeout: 30_000, interval: 20 });
    await expectHealthy(server);
  });
});

describe('a bad frame size after good frames', () => {
  it('closes the connection and gives the good frames\' bytes back', async () => {
    const server = await serve();
    const raw = await client(server);
    // Sixteen ApiVersions frames and a size of -1, in one write: one socket chunk.
    const good = Array.from({ length: 16 }, () => raw.frame(ApiKey.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }).bytes);
    raw.write(concatChunks([...good, int32(-1)]));
    await raw.closedByServer();
    await vi.waitFor(() => expect(server.listener.bytesHeld.requests).toBe(0), { timeout: 30_000, interval: 20 });
    await expectHealthy(server);
  });
});

describe('requests that wait on other clients', () => {
  // A fuzz run's broker stopped reading from everyone once JoinGroups parked for a rebalance (their
  // connections long gone) had filled the request budget: parked requests must not hold it.
  it('leave the request budget while they wait: a parked JoinGroup and a long-polling Fetch', async () => {
    const server = await serve({ queuedMaxRequestBytes: 1 * MiB });
    await server.broker.createTopic('quiet');
    const join = (raw: RawClient, memberId: string, metadataBytes: number) =>
      raw.frame(ApiKey.JoinGroup, 5, {
        groupId: 'parked', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 600_000, memberId, groupInstanceId: null,
        protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array(metadataBytes) }], reason: null,
      });
    const request = async (raw: RawClient, frame: { bytes: Uint8Array; correlationId: number }) => {
      raw.write(frame.bytes);
      return raw.response(ApiKey.JoinGroup, 5, frame.correlationId);
    };
    // A joins alone (generation 1) and then says nothing more.
    const a = await client(server);
    const aId = (await request(a, join(a, '', 16))).memberId;
    expect((await request(a, join(a, aId, 16))).errorCode).toBe(ErrorCode.NONE);
    // C's Fetch of an empty partition (named 4,000 times: a 100+ KiB frame) long-polls for 10 minutes.
    const c = await client(server);
    const quiet = fetchBody('quiet', 1 * MiB);
    const partitions = Array.from({ length: 4000 }, () => quiet.topics[0].partitions[0]);
    c.write(c.frame(ApiKey.Fetch, 11, { ...quiet, maxWaitMs: 600_000, minBytes: 1, topics: [{ ...quiet.topics[0], partitions }] }).bytes);
    await vi.waitFor(() => {
      expect(server.listener.bytesHeld.requestsPeak).toBeGreaterThanOrEqual(100 * KiB);
      expect(server.listener.bytesHeld.requests).toBe(0);
    }, { timeout: 30_000, interval: 20 });
    // B's JoinGroup (300 KiB of metadata) waits for A to rejoin, up to A's 10-minute rebalance timeout.
    const b = await client(server);
    const bId = (await request(b, join(b, '', 16))).memberId;
    const parkedJoin = join(b, bId, 300 * KiB);
    b.write(parkedJoin.bytes);
    await vi.waitFor(async () => expect((await server.broker.describeGroups(['parked']))[0].members).toHaveLength(2), { timeout: 30_000, interval: 20 });
    await vi.waitFor(() => {
      expect(server.listener.bytesHeld.requestsPeak).toBeGreaterThanOrEqual(300 * KiB);
      expect(server.listener.bytesHeld.requests).toBe(0);
    }, { timeout: 30_000, interval: 20 });
    await expectHealthy(server);
    // The join was parked, not refused: A's rejoin completes both.
    expect((await request(a, join(a, aId, 16))).errorCode).toBe(ErrorCode.NONE);
    const joined = await b.response(ApiKey.JoinGroup, 5, parkedJoin.correlationId);
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(joined.generationId).toBe(2);
  });
});

describe('timeouts', () => {
  it('closes a connection idle for connectionsMaxIdleMs', async () => {
    const server = await serve({ connectionsMaxIdleMs: 200 });
    const raw = await client(server);
    await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    await raw.closedByServer();
    await expectHealthy(server);
  });

  it('closes a connection that trickles a frame (slowloris) even though bytes keep arriving', async () => {
    const server = await serve({ requestFrameTimeoutMs: 300, connectionsMaxIdleMs: 600_000 });
    const raw = await client(server);
    const { bytes } = raw.frame(ApiKey.Metadata, 4, metadataAll);
    let sentBytes = 0;
    const trickle = setInterval(() => {
      if (sentBytes < bytes.length - 1) raw.write(bytes.subarray(sentBytes, ++sentBytes));
    }, 20);
    try {
      await raw.closedByServer();
    } finally {
      clearInterval(trickle);
    }
    expect(sentBytes).toBeLessThan(bytes.length);
    await expectHealthy(server);
  });
});

describe('connection counts', () => {
  it('closes connections beyond the per-address maximum and accepts again once one leaves', async () => {
    const server = await serve({ connectionsPerAddressMax: 3 });
    const open = [await client(server), await client(server), await client(server)];
    for (const raw of open) expect((await raw.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' })).errorCode).toBe(ErrorCode.NONE);
    const refused = await client(server);
    await refused.closedByServer();
    open[0].close();
    await vi.waitFor(() => expect(server.listener.connectionCount).toBe(2), { timeout: 10_000, interval: 10 });
    await expectHealthy(server);
  });
});
