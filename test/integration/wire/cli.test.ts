// `lanes start` as a process: it prints where it listens, serves, and on SIGTERM answers the
// long poll in flight, stops the broker and exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startBroker, type BrokerRun } from '../../support/broker_process.js';
import { waitUntil } from '../../support/timeouts.js';
import { ErrorCode } from '../../../core/errors.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { concatChunks } from '../../../core/protocol/writer.js';
import { RawClient } from './raw_client.js';

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-cli-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('starts, serves, and exits 0 on SIGTERM after answering a long poll', async () => {
  const broker = await startBroker(['--storage', 'memory', '--shards', '1', '--data-dir', dataDir, '--log-level', 'warn'], { env: { LANES_PARTITIONS: '2' } });
  const port = broker.port;
  const raw = await RawClient.connect(port);
  // LANES_PARTITIONS reached the listener: the auto-created topic has 2 partitions.
  const metadata = { topics: [{ topicId: new Uint8Array(16), topicName: 'cli-topic' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false };
  expect((await raw.request(ApiKey.Metadata, 4, metadata)).topics[0].errorCode).toBe(ErrorCode.LEADER_NOT_AVAILABLE);
  expect((await raw.request(ApiKey.Metadata, 4, metadata)).topics[0].partitions).toHaveLength(2);
  const poll = raw.frame(ApiKey.Fetch, 11, {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 }, maxWaitMs: 60_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
    topics: [{ topicName: 'cli-topic', topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [], rackId: '',
  });
  // Metadata and Fetch in one write: once Metadata is answered, the server has read the Fetch
  // too (both frames arrive in one chunk on loopback), so the long poll is in flight.
  const ask = raw.frame(ApiKey.Metadata, 4, metadata);
  raw.write(concatChunks([ask.bytes, poll.bytes]));
  await raw.response(ApiKey.Metadata, 4, ask.correlationId);
  const stopped = broker.stop('SIGTERM');
  const fetched = await raw.response(ApiKey.Fetch, 11, poll.correlationId);
  expect(fetched.responses[0].partitions[0].records).toEqual([]);
  expect((await stopped).code).toBe(0);
  await raw.closedByServer();
});

it('takes the connection bounds from flags and LANES_* variables', async () => {
  // The built CLI: --max-connections-per-ip 1 as a flag, the idle timeout from the environment.
  const broker = await startBroker(['--storage', 'memory', '--shards', '1', '--max-connections-per-ip', '1', '--log-level', 'warn'], { env: { LANES_CONNECTIONS_MAX_IDLE_MS: '1000' } });
  let stopped: Promise<BrokerRun> | undefined;
  try {
    const port = broker.port;
    const first = await RawClient.connect(port);
    expect((await first.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'cli-test', clientSoftwareVersion: '1' })).errorCode).toBe(ErrorCode.NONE);
    const second = await RawClient.connect(port);
    await second.closedByServer();
    await waitUntil('the per-address cap logged', () => broker.output().stdout.includes('connections max per address'));
    // The first one, idle, is closed too.
    await first.closedByServer();
  } finally {
    stopped = broker.stop('SIGTERM');
  }
  expect((await stopped).code).toBe(0);
});
