// Unmodified @platformatic/kafka 2.12.1 negotiates its newest version of every API it sends:
// admin, producer and a consumer group run through a TCP proxy that notes each request's api key
// and version (the broker advertises the proxy's port, so every connection goes through it), and
// each version seen must be the newer of what the client implements and Lanes serves — the client
// walks down from the broker's maximum to the first version it has. Its ListOffsets v9 also asks
// for the record with the largest timestamp (−3).
// Node 20 needs the Promise.withResolvers polyfill first (see platformatic.test.ts).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPromiseWithResolvers } from '../../bench/support/promise_with_resolvers.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { apiByKey } from '../../core/protocol/messages/registry.js';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';

type Platformatic = typeof import('@platformatic/kafka');

/**
 * The newest version @platformatic/kafka 2.12.1 implements of each API Lanes serves (its
 * dist/apis/<kind>/<api>-v<N>.js modules), by api key.
 */
const platformaticNewest: Readonly<Record<number, number>> = {
  [ApiKey.Produce]: 11,
  [ApiKey.Fetch]: 17,
  [ApiKey.ListOffsets]: 9,
  [ApiKey.Metadata]: 12,
  [ApiKey.OffsetCommit]: 9,
  [ApiKey.OffsetFetch]: 9,
  [ApiKey.FindCoordinator]: 6,
  [ApiKey.JoinGroup]: 9,
  [ApiKey.Heartbeat]: 4,
  [ApiKey.LeaveGroup]: 5,
  [ApiKey.SyncGroup]: 5,
  [ApiKey.DescribeGroups]: 5,
  [ApiKey.ListGroups]: 5,
  [ApiKey.CreateTopics]: 7,
  [ApiKey.DeleteTopics]: 6,
  [ApiKey.DeleteRecords]: 2,
  [ApiKey.InitProducerId]: 5,
  [ApiKey.OffsetForLeaderEpoch]: 4,
  [ApiKey.AddPartitionsToTxn]: 5,
  [ApiKey.AddOffsetsToTxn]: 4,
  [ApiKey.EndTxn]: 4,
  [ApiKey.TxnOffsetCommit]: 4,
  [ApiKey.DescribeConfigs]: 4,
  [ApiKey.AlterConfigs]: 2,
  [ApiKey.DescribeLogDirs]: 4,
  [ApiKey.CreatePartitions]: 3,
  [ApiKey.DeleteGroups]: 2,
  [ApiKey.IncrementalAlterConfigs]: 1,
  [ApiKey.OffsetDelete]: 0,
  [ApiKey.DescribeCluster]: 1,
  [ApiKey.DescribeProducers]: 0,
  [ApiKey.DescribeTransactions]: 0,
  [ApiKey.ListTransactions]: 2,
  [ApiKey.ConsumerGroupHeartbeat]: 1,
  [ApiKey.ConsumerGroupDescribe]: 0,
};

/** What the client should send: its newest version within Lanes's range. */
function expectedVersion(apiKey: number): number {
  const served = apiByKey.get(apiKey)!;
  return Math.min(platformaticNewest[apiKey], served.versionMax);
}

/** api key → versions seen, from every request passing through the proxy. */
const seen = new Map<number, Set<number>>();
let proxy: Server;
let server: TestServer;
let kafka: Platformatic;
const sockets: Socket[] = [];
const closers: (() => Promise<unknown>)[] = [];

/** Notes each request frame's api key and version (bytes 4–7 of a frame) as it goes by. */
function noteRequests(): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const apiKey = buffered.readInt16BE(4);
      if (!seen.has(apiKey)) seen.set(apiKey, new Set());
      seen.get(apiKey)!.add(buffered.readInt16BE(6));
      buffered = buffered.subarray(4 + buffered.readInt32BE(0));
    }
  };
}

beforeAll(async () => {
  installPromiseWithResolvers();
  kafka = await import('@platformatic/kafka');
  let upstreamPort = 0;
  proxy = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.push(client, upstream);
    const note = noteRequests();
    client.on('data', (chunk: Buffer) => {
      note(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as { port: number }).port;
  server = await startTestServer({ advertisedHost: '127.0.0.1', advertisedPort: proxyPort });
  upstreamPort = server.port;
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
});

describe('@platformatic/kafka at its newest versions', () => {
  it('Lanes serves every version the client implements', () => {
    const short = Object.keys(platformaticNewest)
      .map(Number)
      .filter((apiKey) => apiByKey.get(apiKey)!.versionMax < platformaticNewest[apiKey])
      .map((apiKey) => apiByKey.get(apiKey)!.name);
    expect(short).toEqual([]);
  });

  it('admin, producer and consumer group each send the newest version both sides have', async () => {
    const options = (clientId: string) => ({ clientId, bootstrapBrokers: [`127.0.0.1:${(proxy.address() as { port: number }).port}`], retries: 5, retryDelay: 100 });
    const admin = new kafka.Admin(options('pf-versions-admin'));
    closers.push(() => admin.close());
    await admin.createTopics({ topics: ['pf-versions'], partitions: 2, replicas: 1 });
    await admin.createPartitions({ topics: [{ name: 'pf-versions', count: 3 }] });

    const producer = new kafka.Producer({ ...options('pf-versions-producer'), serializers: kafka.stringSerializers });
    closers.push(() => producer.close());
    // Record 4 of partition 0 carries the largest timestamp.
    const messages = Array.from({ length: 8 }, (_, i) => ({ topic: 'pf-versions', value: `v${i}`, partition: i % 2, timestamp: BigInt(1_700_000_000_000 + (i === 4 ? 500_000 : i)) }));
    await producer.send({ messages, acks: -1 });

    const consumer = new kafka.Consumer({ ...options('pf-versions-consumer'), groupId: 'pf-versions-group', deserializers: kafka.stringDeserializers, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTime: 200 });
    closers.push(() => consumer.close(true));
    const stream = await consumer.consume({ topics: ['pf-versions'], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: false });
    let received = 0;
    for await (const message of stream) {
      await message.commit();
      if (++received === messages.length) break;
    }
    await stream.close();
    // Leaving the group lets DeleteGroups delete it (a group with members is NON_EMPTY_GROUP).
    await consumer.close(true);

    const [listed] = await admin.listOffsets({ topics: [{ name: 'pf-versions', partitions: [{ partitionIndex: 0, timestamp: -3n }, { partitionIndex: 2, timestamp: -3n }] }] });
    expect(listed.partitions.map(({ partitionIndex, offset, timestamp }) => ({ partitionIndex, offset, timestamp }))).toEqual([
      { partitionIndex: 0, offset: 2n, timestamp: 1_700_000_500_000n },
      { partitionIndex: 2, offset: -1n, timestamp: -1n },
    ]);
    await admin.listGroups();
    await admin.describeGroups({ groups: ['pf-versions-group'] });
    await admin.listConsumerGroupOffsets({ groups: ['pf-versions-group'] });
    await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-versions', configurationKeys: ['retention.ms'] }] });
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-versions', configs: [{ name: 'retention.ms', configOperation: 0, value: '-1' }] }] });
    await admin.alterConfigs({ resources: [{ resourceType: 2, resourceName: 'pf-versions', configs: [{ name: 'retention.ms', value: '-1' }] }], validateOnly: true });
    await admin.deleteRecords({ topics: [{ name: 'pf-versions', partitions: [{ partition: 1, offset: 1n }] }] });
    await admin.describeLogDirs({ topics: [{ name: 'pf-versions', partitions: [0] }] });
    await admin.deleteGroups({ groups: ['pf-versions-group'] });
    await admin.deleteTopics({ topics: ['pf-versions'] });

    const versions = Object.fromEntries([...seen].filter(([apiKey]) => apiKey !== ApiKey.ApiVersions).map(([apiKey, each]) => [apiByKey.get(apiKey)?.name ?? apiKey, [...each]]));
    const expected = Object.fromEntries([...seen].filter(([apiKey]) => apiKey !== ApiKey.ApiVersions).map(([apiKey]) => [apiByKey.get(apiKey)?.name ?? apiKey, [expectedVersion(apiKey)]]));
    expect(versions).toEqual(expected);
    // The workload reached the APIs this test is for (a Heartbeat only if the group lived long enough).
    expect(Object.keys(versions)).toEqual(
      expect.arrayContaining(['CreatePartitions', 'CreateTopics', 'DeleteGroups', 'DeleteRecords', 'DeleteTopics', 'DescribeConfigs', 'AlterConfigs', 'DescribeGroups', 'DescribeLogDirs', 'Fetch', 'FindCoordinator', 'IncrementalAlterConfigs', 'JoinGroup', 'LeaveGroup', 'ListGroups', 'ListOffsets', 'Metadata', 'OffsetCommit', 'OffsetFetch', 'Produce', 'SyncGroup']),
    );
    expect(versions.ListOffsets).toEqual([9]);
  });
});
