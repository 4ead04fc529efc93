// A full disk takes no broker down: the built CLI runs on a 2 MiB tmpfs; acks=1 produces fill it
// until the broker answers KAFKA_STORAGE_ERROR (56); fetches, group reads keep working and an
// offset commit fails with an error code; freeing space lets appends and commits resume with no
// operator action; after kill -9 and a restart every acknowledged record is there at its offset
// and the log holds only whole batches (a failed write left no torn one).
//
// Needs `mount -t tmpfs` (root; the test runs as root here and in CI). Where mount is not
// permitted it is skipped with a warning, except under CI, where it fails.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { concatChunks } from '../../core/protocol/writer.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readBatchHeader } from '../../core/records/record_batch.js';
import { readRecords } from '../../core/records/record_reader.js';
import { startCliBroker } from '../../bench/support/cli_broker.js';
import { RawClient } from './wire/raw_client.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

const text = new TextEncoder();

/** Record `index`'s value: `bytes` long, recognisable. */
function valueFor(index: number, bytes: number): Uint8Array {
  const value = new Uint8Array(bytes).fill(97 + (index % 26));
  value.set(text.encode(`record-${index}:`).subarray(0, bytes));
  return value;
}

async function produce(raw: RawClient, index: number, bytes: number): Promise<{ errorCode: number; baseOffset: number }> {
  const records = encodeRecordBatch([{ key: null, value: valueFor(index, bytes) }]);
  const response = await raw.request(ApiKey.Produce, 7, { transactionalId: null, acks: 1, timeoutMs: 5000, topics: [{ topicName: 'fill', topicId: zeroTopicId(), partitions: [{ partitionIndex: 0, records }] }] });
  return response.responses[0].partitions[0];
}

async function fetchFrom(raw: RawClient, fetchOffset: number): Promise<{ errorCode: number; firstOffset: number | null }> {
  const response = await raw.request(ApiKey.Fetch, 11, {
    clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1 },
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 256 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topicName: 'fill', topicId: new Uint8Array(16), partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 256 * 1024, replicaDirectoryId: new Uint8Array(16) }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  const partition = response.responses[0].partitions[0];
  const records = partition.records === null ? [] : [...readRecords(concatChunks(partition.records))];
  return { errorCode: partition.errorCode, firstOffset: records[0]?.offset ?? null };
}

async function commit(raw: RawClient, committedOffset: number): Promise<number> {
  const response = await raw.request(ApiKey.OffsetCommit, 7, {
    groupId: 'readers',
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1,
    topics: [{ topicName: 'fill', partitions: [{ partitionIndex: 0, committedOffset, committedLeaderEpoch: -1, committedMetadata: null }] }],
  });
  return response.topics[0].partitions[0].errorCode;
}

/** Mounts a 2 MiB tmpfs at `dir`; false (with a warning) where mounting is not permitted. */
function mountTmpfs(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (process.env.CI !== undefined) throw new Error(`disk-full test: cannot mount a tmpfs under CI: ${reason}`);
    console.warn(`disk-full test SKIPPED: cannot mount a tmpfs (${reason}); run as root to exercise a full disk`);
    return false;
  }
}

describe('a full disk', () => {
  it('refuses appends with KAFKA_STORAGE_ERROR, keeps serving, resumes when space is freed, and loses nothing acknowledged', async (context) => {
    const mountDir = mkdtempSync(join(tmpdir(), 'lanes-disk-full-'));
    if (!mountTmpfs(mountDir)) {
      rmSync(mountDir, { recursive: true, force: true });
      context.skip();
      return;
    }
    const dataDir = join(mountDir, 'data');
    const ballast = join(mountDir, 'ballast');
    /** Acknowledged offset → the record's [index, bytes]. */
    const acked = new Map<number, [number, number]>();
    try {
      // Room to free later, without touching the broker's files.
      writeFileSync(ballast, new Uint8Array(384 * 1024));
      const server = await startCliBroker({ dataDir, shards: 1, onStderr: (text) => process.stderr.write(text) });
      let raw: RawClient | null = null;
      const kafka = new Kafka({ clientId: 'disk-full', brokers: [server.address], logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 50 } });
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.createTopics({ topics: [{ topic: 'fill', numPartitions: 1 }] });
        await admin.setOffsets({ groupId: 'readers', topic: 'fill', partitions: [{ partition: 0, offset: '0' }] });
        raw = await RawClient.connect(Number(server.address.split(':')[1]));

        // Fill the disk: 2 MiB hold fewer than 50 records of 48 KiB; smaller ones then take the
        // last pages, so that little room is left anywhere.
        let index = 0;
        for (const bytes of [48 * 1024, 4096, 256]) {
          let refused: { errorCode: number; baseOffset: number } | null = null;
          for (let tries = 0; tries < 60 && refused === null; tries++, index++) {
            const result = await produce(raw, index, bytes);
            if (result.errorCode === ErrorCode.NONE) acked.set(result.baseOffset, [index, bytes]);
            else refused = result;
          }
          expect(refused?.errorCode, `a produce of ${bytes} bytes onto a full disk`).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
        }
        expect((await produce(raw, 1000, 4096)).errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);

        // Still serving: fetches, group reads; a commit fails with an error code.
        expect(await fetchFrom(raw, 0)).toEqual({ errorCode: ErrorCode.NONE, firstOffset: 0 });
        expect((await admin.listGroups()).groups.map((group) => group.groupId)).toContain('readers');
        expect(await admin.fetchOffsets({ groupId: 'readers', topics: ['fill'] })).toEqual([{ topic: 'fill', partitions: [{ partition: 0, offset: '0', metadata: null }] }]);
        // The offsets log's last page may take a few more small records: commit until one fails.
        let commitCode: number = ErrorCode.NONE;
        for (let offset = 1; offset <= 200 && commitCode === ErrorCode.NONE; offset++) commitCode = await commit(raw, offset);
        expect(commitCode, 'an offset commit onto a full disk').toBe(ErrorCode.KAFKA_STORAGE_ERROR);
        expect(await fetchFrom(raw, 0)).toEqual({ errorCode: ErrorCode.NONE, firstOffset: 0 });

        // Space comes back: appends and commits resume by themselves, at the next offset.
        unlinkSync(ballast);
        const resumed = await produce(raw, 2000, 4096);
        expect(resumed.errorCode).toBe(ErrorCode.NONE);
        expect(resumed.baseOffset).toBe(acked.size);
        acked.set(resumed.baseOffset, [2000, 4096]);
        expect(await commit(raw, acked.size)).toBe(ErrorCode.NONE);
      } finally {
        raw?.close();
        await admin.disconnect().catch(() => undefined);
        await server.kill();
      }

      // After kill -9: every acknowledged record at its offset, only whole batches, the commit.
      const broker = await Broker.start({ storage: 'disk', dataDir, shards: 1 });
      try {
        let offset = 0;
        for (;;) {
          const result = await broker.fetch('fill', 0, offset, 1024 * 1024);
          if (result.batches.length === 0) break;
          for (const batch of result.batches) {
            const header = readBatchHeader(batch);
            expect(header.baseOffset).toBe(offset);
            expect(12 + header.batchLength).toBe(batch.length);
            for (const record of readRecords(batch)) {
              const [index, bytes] = acked.get(record.offset)!;
              expect(Buffer.from(record.value!).equals(Buffer.from(valueFor(index, bytes))), `record ${record.offset}`).toBe(true);
            }
            offset = header.baseOffset + header.lastOffsetDelta + 1;
          }
          result.release();
        }
        expect(offset).toBe(acked.size);
        const fetched = await broker.offsetFetch({ groupId: 'readers', topics: [{ name: 'fill', partitionIndexes: [0] }] });
        expect(fetched.topics[0].partitions[0].committedOffset).toBe(acked.size);
      } finally {
        await broker.stop();
      }
    } finally {
      execFileSync('umount', [mountDir]);
      rmSync(mountDir, { recursive: true, force: true });
    }
  });
});
