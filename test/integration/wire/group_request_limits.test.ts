// Group requests too large for the broker, over raw frames: a JoinGroup with 16 MiB of protocol
// metadata once exceeded the ring to the coordinator's shard and closed the connection. Now
// JoinGroup metadata and SyncGroup assignments past their limit (core/limits.ts) are answered
// INVALID_REQUEST, an OffsetCommit too large to reach the coordinator INVALID_COMMIT_OFFSET_SIZE
// per partition (Kafka's code for a commit it cannot store), and the same connection keeps being
// served.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/errors.js';
import { groupAssignmentBytesMax, groupMetadataBytesMax } from '../../../core/limits.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { RawClient } from './raw_client.js';
import { startTestServer, type TestServer } from './server_fixture.js';

const MiB = 1024 * 1024;
let server: TestServer;
let raw: RawClient;

beforeAll(async () => {
  server = await startTestServer();
  raw = await RawClient.connect(server.port);
});

afterAll(async () => {
  raw?.close();
  await server?.stop();
});

function joinGroup(groupId: string, metadataBytes: number) {
  return raw.request(ApiKey.JoinGroup, 5, {
    groupId,
    sessionTimeoutMs: 30_000,
    rebalanceTimeoutMs: 30_000,
    memberId: '',
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: new Uint8Array(metadataBytes) }],
    reason: null,
  });
}

async function expectServed(): Promise<void> {
  // A small JoinGroup v5 from a new member: MEMBER_ID_REQUIRED with its id, on the same connection.
  const response = await joinGroup('small', 16);
  expect(response.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(response.memberId).not.toBe('');
}

it('answers a JoinGroup with 16 MiB of protocol metadata INVALID_REQUEST and keeps the connection', async () => {
  expect((await joinGroup('huge', 16 * MiB)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  await expectServed();
});

it('answers a JoinGroup just past the metadata limit INVALID_REQUEST (it would fit the ring)', async () => {
  expect((await joinGroup('over', groupMetadataBytesMax + 1)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
  await expectServed();
});

it('answers a SyncGroup with assignments past the limit INVALID_REQUEST and keeps the connection', async () => {
  const half = Math.ceil((groupAssignmentBytesMax + 1) / 2);
  const response = await raw.request(ApiKey.SyncGroup, 3, {
    groupId: 'sync',
    generationId: 1,
    memberId: 'leader',
    groupInstanceId: null,
    protocolType: null,
    protocolName: null,
    assignments: [
      { memberId: 'leader', assignment: new Uint8Array(half) },
      { memberId: 'other', assignment: new Uint8Array(half) },
    ],
  });
  expect(response.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  await expectServed();
});

it('answers an OffsetCommit too large to reach the coordinator per partition and keeps the connection', async () => {
  // 1,000 partitions with 4,000 characters of metadata each (under offset.metadata.max.bytes):
  // about 4 MB, more than one record of the test server's 4 MiB ring.
  const partitions = Array.from({ length: 1000 }, (_, partitionIndex) => ({ partitionIndex, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: 'm'.repeat(4000) }));
  const response = await raw.request(ApiKey.OffsetCommit, 7, { groupId: 'commits', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1, topics: [{ topicName: 'committed', partitions }] });
  const codes = new Set(response.topics.flatMap((topic) => topic.partitions.map((partition) => partition.errorCode)));
  expect([...codes]).toEqual([ErrorCode.INVALID_COMMIT_OFFSET_SIZE]);
  await expectServed();
});
