// Compaction of the offsets log on disk: many commits leave a log of about one record per live
// key, a restart reads back the same committed offsets, every state a crash can leave around the
// switch (old segments with or without the snapshot's log-start checkpoint, a leftover temporary
// file) replays to the same offsets, and kill -9 during commits and compactions loses no
// acknowledged commit.
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { logStartOffsetFile } from '../../actors/storage/segment_files.js';
import { Prng, seedForRun } from '../support/prng.js';
import { killAfterAcks } from '../support/kill_after_acks.js';
import { timeoutMs } from '../support/timeouts.js';
import { offsetsLogDirName } from '../../actors/data_dir_layout.js';

const groups = ['group-0', 'group-1'];
const partitions = [0, 1, 2, 3, 4, 5, 6, 7];
const offsetsDir = (dataDir: string) => join(dataDir, offsetsLogDirName(0));
const directories: string[] = [];

afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanes-compaction-'));
  directories.push(dir);
  return dir;
}

function startBroker(dataDir: string, offsetsCompactionBytesMin?: number): Promise<Broker> {
  const groups = offsetsCompactionBytesMin === undefined ? { initialRebalanceDelayMs: 0 } : { initialRebalanceDelayMs: 0, offsetsCompactionBytesMin };
  return Broker.start({ storage: 'disk', dataDir, shards: 1, groups });
}

/** Bytes of the offsets log's segment files, and the base offsets of its segments. */
function offsetsLogOnDisk(dataDir: string): { bytes: number; bases: number[] } {
  const names = readdirSync(offsetsDir(dataDir)).filter((name) => name.endsWith('.log'));
  return {
    bytes: names.reduce((sum, name) => sum + statSync(join(offsetsDir(dataDir), name)).size, 0),
    bases: names.map((name) => Number(name.slice(0, -'.log'.length))).sort((a, b) => a - b),
  };
}

/** `count` simple commits spread over 2 groups × 8 partitions, 32 in flight; returns the last per key. */
async function commitMany(broker: Broker, count: number, first = 1): Promise<Map<string, number>> {
  const expected = new Map<string, number>();
  for (let start = first; start < first + count; start += 32) {
    const requests = [];
    for (let sequence = start; sequence < Math.min(start + 32, first + count); sequence++) {
      const groupId = groups[sequence % 2];
      const partition = Math.floor(sequence / 2) % 8;
      expected.set(`${groupId}/${partition}`, sequence);
      requests.push(broker.offsetCommit({
        groupId,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: partition, committedOffset: sequence, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
      }));
    }
    for (const response of await Promise.all(requests)) expect(response.topics[0].partitions[0].errorCode).toBe(0);
  }
  return expected;
}

async function committed(broker: Broker): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const groupId of groups) {
    const response = await broker.offsetFetch({ groupId, topics: [{ name: 'orders', partitionIndexes: partitions }] });
    for (const partition of response.topics[0].partitions) {
      if (partition.committedOffset >= 0) found.set(`${groupId}/${partition.partitionIndex}`, partition.committedOffset);
    }
  }
  return found;
}

async function committedAfterRestart(dataDir: string): Promise<Map<string, number>> {
  const broker = await startBroker(dataDir);
  try {
    return await committed(broker);
  } finally {
    await broker.stop();
  }
}

describe('offsets log compaction', () => {
  it('many commits then a restart: the same committed offsets from a log of about one record per key', async () => {
    const dataDir = tempDir();
    const broker = await startBroker(dataDir, 8 * 1024);
    await broker.createTopic('orders', { partitions: 8 });
    const expected = await commitMany(broker, 2000);
    expect(await committed(broker)).toEqual(expected);
    await broker.stop();

    // Each commit is a record of about 50 bytes (group commit shares the batch headers among the
    // 32 in flight): 2000 of them without compaction would be ~100 KB. Compacted, the log holds the last snapshot (16 records) and what came after it,
    // which stays under the 8 KiB threshold plus the snapshot.
    const onDisk = offsetsLogOnDisk(dataDir);
    expect(onDisk.bytes).toBeLessThan(16 * 1024);
    expect(onDisk.bases[0]).toBeGreaterThan(0);
    expect(await committedAfterRestart(dataDir)).toEqual(expected);
  });

  it('every state a crash can leave around the switch replays to the same offsets', async () => {
    // The old log: 1500 commits, never compacted (the threshold is far away).
    const oldDir = tempDir();
    let broker = await startBroker(oldDir);
    await broker.createTopic('orders', { partitions: 8 });
    const expected = await commitMany(broker, 1500);
    await broker.stop();
    const oldLog = offsetsLogOnDisk(oldDir);
    expect(oldLog.bases).toEqual([0]);

    // The new log: a start with a low threshold compacts what is mostly superseded.
    const newDir = tempDir();
    cpSync(oldDir, newDir, { recursive: true });
    broker = await startBroker(newDir, 16 * 1024);
    await broker.stop();
    const newLog = offsetsLogOnDisk(newDir);
    expect(newLog.bases).toEqual([1500]);
    expect(newLog.bytes).toBeLessThan(oldLog.bytes / 10);
    expect(await committedAfterRestart(newDir)).toEqual(expected);

    const snapshotFiles = readdirSync(offsetsDir(newDir)).filter((name) => name.startsWith('00000000000000001500'));
    const crashState = (withCheckpoint: boolean, leftoverTemp: boolean) => {
      const dir = tempDir();
      cpSync(oldDir, dir, { recursive: true });
      for (const name of snapshotFiles) cpSync(join(offsetsDir(newDir), name), join(offsetsDir(dir), name));
      if (withCheckpoint) cpSync(join(offsetsDir(newDir), logStartOffsetFile), join(offsetsDir(dir), logStartOffsetFile));
      if (leftoverTemp) writeFileSync(join(offsetsDir(dir), `${logStartOffsetFile}.tmp`), '30');
      return dir;
    };
    // Killed after the snapshot was flushed, before the log start moved (a torn checkpoint write
    // leaves only its temporary file).
    expect(await committedAfterRestart(crashState(false, false))).toEqual(expected);
    expect(await committedAfterRestart(crashState(false, true))).toEqual(expected);
    // Killed after the log start moved, before the old segment was deleted.
    expect(await committedAfterRestart(crashState(true, false))).toEqual(expected);
  });

  it('kill -9 during commits and compactions loses no acknowledged commit', async () => {
    const seed = seedForRun('offsets compaction under kill -9');
    const random = new Prng(seed);
    const dataDir = tempDir();
    const lastAcked = new Map<string, number>();
    for (let cycle = 0; cycle < 3; cycle++) {
      for (const [key, offset] of await runAndKill(dataDir, cycle === 0, random.int(100, 700))) lastAcked.set(key, offset);
      const found = await committedAfterRestart(dataDir);
      for (const [key, offset] of lastAcked) {
        expect(found.get(key), `LANES_SEED=${seed} cycle ${cycle} ${key}`).toBeGreaterThanOrEqual(offset);
        lastAcked.set(key, found.get(key)!);
      }
    }
    // The loop wrote far more than the 8 KiB threshold: the log was compacted along the way.
    expect(offsetsLogOnDisk(dataDir).bases[0]).toBeGreaterThan(0);
  }, timeoutMs(90_000));
});

const child = fileURLToPath(new URL('./fixtures/offsets_compaction_child.mjs', import.meta.url));

async function runAndKill(dataDir: string, create: boolean, killAfter: number): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  for (const [groupId, partition, offset] of await killAfterAcks(child, [dataDir, create ? 'create' : 'reuse'], killAfter)) {
    acked.set(`${groupId}/${partition}`, Number(offset));
  }
  return acked;
}
