// Group commit of the offsets log: many OffsetCommit requests in flight at once are all
// acknowledged, all survive a restart, and share RecordBatches — the shard appends the records
// of one turn (and of the turns that ran during a flush) as one batch. The batches are counted
// by walking the offsets log's segment files, so nothing here depends on timing.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { offsetsLogDirName } from '../../actors/data_dir_layout.js';
import { ErrorCode } from '../../core/errors.js';

const directories: string[] = [];

afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startBroker(dataDir: string): Promise<Broker> {
  return Broker.start({ storage: 'disk', dataDir, shards: 1, flush: 'always', groups: { initialRebalanceDelayMs: 0 } });
}

/** Batches and records in shard 0's offsets log, read from its segment files (v2 batch headers). */
function offsetsLogBatches(dataDir: string): { batches: number; records: number } {
  const dir = join(dataDir, offsetsLogDirName(0));
  let batches = 0;
  let records = 0;
  for (const name of readdirSync(dir).filter((entry) => entry.endsWith('.log'))) {
    const bytes = readFileSync(join(dir, name));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // baseOffset int64 | batchLength int32 | … | lastOffsetDelta int32 at byte 23 | …
    for (let position = 0; position + 12 <= bytes.length; ) {
      const batchLength = view.getInt32(position + 8);
      if (batchLength <= 0) break;
      batches++;
      records += view.getInt32(position + 23) + 1;
      position += 12 + batchLength;
    }
  }
  return { batches, records };
}

const commitCount = 200;

function commit(broker: Broker, index: number) {
  return broker.offsetCommit({
    groupId: `group-${index}`,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: index % 8, committedOffset: 1000 + index, committedLeaderEpoch: -1, committedMetadata: `m${index}` }] }],
  });
}

async function committedOffsets(broker: Broker): Promise<number[]> {
  const offsets: number[] = [];
  for (let index = 0; index < commitCount; index++) {
    const response = await broker.offsetFetch({ groupId: `group-${index}`, topics: [{ name: 'orders', partitionIndexes: [index % 8] }] });
    offsets.push(response.topics[0].partitions[0].committedOffset);
  }
  return offsets;
}

describe('offset commit group commit', () => {
  it('200 concurrent commits all succeed, all survive a restart, and share far fewer batches', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-group-commit-'));
    directories.push(dataDir);
    let broker = await startBroker(dataDir);
    await broker.createTopic('orders', { partitions: 8 });
    const before = offsetsLogBatches(dataDir);

    // Issued without awaiting in between: all 200 are in flight together.
    const requests = Array.from({ length: commitCount }, (_, index) => commit(broker, index));
    for (const response of await Promise.all(requests)) expect(response.topics[0].partitions[0].errorCode).toBe(0);
    const expected = Array.from({ length: commitCount }, (_, index) => 1000 + index);
    expect(await committedOffsets(broker)).toEqual(expected);
    await broker.stop();

    const after = offsetsLogBatches(dataDir);
    const written = { batches: after.batches - before.batches, records: after.records - before.records };
    expect(written.records).toBeGreaterThanOrEqual(commitCount);
    // One batch per request before group commit; now one per shard turn or flush, a handful.
    expect(written.batches).toBeLessThanOrEqual(commitCount / 10);

    broker = await startBroker(dataDir);
    try {
      expect(await committedOffsets(broker)).toEqual(expected);
    } finally {
      await broker.stop();
    }
  });

  it('a commit too large for one offsets-log batch is refused whole, and changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-group-commit-'));
    directories.push(dataDir);
    const broker = await startBroker(dataDir);
    try {
      await broker.createTopic('wide', { partitions: 300 });
      // 300 partitions with 4,000 bytes of metadata each: within offset.metadata.max.bytes per
      // partition and within the ring, but 1.2 MB of records: more than one batch may hold.
      const response = await broker.offsetCommit({
        groupId: 'huge',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{
          name: 'wide',
          partitions: Array.from({ length: 300 }, (_, index) => ({ partitionIndex: index, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: 'm'.repeat(4000) })),
        }],
      });
      expect(new Set(response.topics[0].partitions.map((partition) => partition.errorCode))).toEqual(new Set([ErrorCode.INVALID_COMMIT_OFFSET_SIZE]));
      const fetched = await broker.offsetFetch({ groupId: 'huge', topics: [{ name: 'wide', partitionIndexes: [0, 299] }] });
      expect(fetched.topics[0].partitions.map((partition) => partition.committedOffset)).toEqual([-1, -1]);
    } finally {
      await broker.stop();
    }
  });

  it('a result too large for the log fails alone; the commits that shared its group commit are stored', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-group-commit-'));
    directories.push(dataDir);
    let broker = await startBroker(dataDir);
    await broker.createTopic('orders', { partitions: 8 });
    // A lone member with 700 KiB of protocol metadata and a 700 KiB assignment (each within its
    // limit): the group's metadata record at SyncGroup is more than one offsets-log batch may
    // hold. A fuzz run's good consumer saw its small commit fail beside such a result.
    const protocols = [{ name: 'range', metadata: new Uint8Array(700 * 1024) }];
    const member = { groupId: 'big', groupInstanceId: null, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, protocolType: 'consumer', protocols, clientId: 'test', clientHost: '/127.0.0.1', requireKnownMemberId: false };
    const joined = await broker.joinGroup({ ...member, memberId: '' });
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    const sync = broker.syncGroup({
      groupId: 'big', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
      assignments: [{ memberId: joined.memberId, assignment: new Uint8Array(700 * 1024) }],
    });
    // Issued in the same tick: the shard takes them in one turn, one group commit.
    const small = Array.from({ length: 10 }, (_, index) => commit(broker, index));
    await expect(sync).rejects.toThrow(/MESSAGE_TOO_LARGE/);
    for (const response of await Promise.all(small)) expect(response.topics[0].partitions[0].errorCode).toBe(ErrorCode.NONE);
    await broker.stop();
    broker = await startBroker(dataDir);
    try {
      for (let index = 0; index < 10; index++) {
        const response = await broker.offsetFetch({ groupId: `group-${index}`, topics: [{ name: 'orders', partitionIndexes: [index % 8] }] });
        expect(response.topics[0].partitions[0].committedOffset).toBe(1000 + index);
      }
    } finally {
      await broker.stop();
    }
  });
});
