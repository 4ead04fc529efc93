// An acknowledged offset commit survives kill -9: a child process commits offsets for group
// `order-processor` on a disk broker (flush 'always') and prints each acknowledged one; the test
// kills it with SIGKILL at random moments, restarts a broker on the same data directory, and
// checks that every partition's committed offset is at least the last one acknowledged (a commit
// in flight at the kill may or may not have landed, but nothing acknowledged may be lost).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { Prng, seedFromEnv } from '../support/prng.js';

const child = fileURLToPath(new URL('./fixtures/group_commit_child.ts', import.meta.url));

async function runAndKill(dataDir: string, create: boolean, killAfterAcks: number): Promise<Map<number, number>> {
  const acked = new Map<number, number>();
  const process_ = spawn(process.execPath, ['--import', 'tsx', child, dataDir, create ? 'create' : 'reuse'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LANES_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<void>((resolve) => process_.once('exit', () => resolve()));
  let count = 0;
  for await (const line of createInterface({ input: process_.stdout! })) {
    const [word, partition, offset] = line.split(' ');
    if (word !== 'acked') continue;
    acked.set(Number(partition), Number(offset));
    if (++count >= killAfterAcks) {
      process_.kill('SIGKILL');
      break;
    }
  }
  await exited;
  return acked;
}

describe('group offsets under kill -9', () => {
  it('never loses an acknowledged commit', async () => {
    const seed = seedFromEnv(Date.now() % 100_000);
    const random = new Prng(seed);
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-groups-'));
    try {
      const lastAcked = new Map<number, number>();
      for (let cycle = 0; cycle < 3; cycle++) {
        const acked = await runAndKill(dataDir, cycle === 0, random.int(20, 220));
        for (const [partition, offset] of acked) lastAcked.set(partition, offset);
        const broker = await Broker.start({ storage: 'disk', dataDir, shards: 2 });
        try {
          const fetched = await broker.offsetFetch({ groupId: 'order-processor', topics: [{ name: 'orders', partitionIndexes: [0, 1, 2, 3] }] });
          for (const partition of fetched.topics[0].partitions) {
            const expected = lastAcked.get(partition.partitionIndex) ?? -1;
            expect(partition.committedOffset, `LANES_SEED=${seed} cycle ${cycle} partition ${partition.partitionIndex}`).toBeGreaterThanOrEqual(expected);
            lastAcked.set(partition.partitionIndex, partition.committedOffset);
          }
        } finally {
          await broker.stop();
        }
      }
      expect(lastAcked.size).toBe(4);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
