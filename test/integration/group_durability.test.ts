// An acknowledged offset commit survives kill -9: a child process commits offsets for group
// `order-processor` on a disk broker (flush 'always') and prints each acknowledged one; the test
// kills it with SIGKILL at random moments, restarts a broker on the same data directory, and
// checks that every partition's committed offset is at least the last one acknowledged (a commit
// in flight at the kill may or may not have landed, but nothing acknowledged may be lost).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { Prng, seedForRun } from '../support/prng.js';
import { killAfterAcks } from '../support/kill_after_acks.js';

const child = fileURLToPath(new URL('./fixtures/group_commit_child.mjs', import.meta.url));

async function runAndKill(dataDir: string, create: boolean, killAfter: number): Promise<Map<number, number>> {
  const acked = new Map<number, number>();
  for (const [partition, offset] of await killAfterAcks(child, [dataDir, create ? 'create' : 'reuse'], killAfter)) {
    acked.set(Number(partition), Number(offset));
  }
  return acked;
}

describe('group offsets under kill -9', () => {
  it('never loses an acknowledged commit', async () => {
    const seed = seedForRun('group offsets under kill -9');
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
