// A power loss can take records that were written but not fsynced (acks=1) while the group's
// commit past them was fsynced: the restarted broker must say so (one warning per partition),
// since the next records will reuse those offsets. Simulated by cutting the partition's segment
// file back to empty between a clean stop and the restart.
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../actors/host/broker.js';
import { committedPastLogEnd } from '../../actors/host/committed_past_log_end.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';

describe('committed offsets past the recovered log end', () => {
  it('are found after a restart, and only then', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-committed-past-'));
    try {
      let broker = await Broker.start({ storage: 'disk', dataDir, shards: 1 });
      await broker.createTopic('orders', { partitions: 2 });
      for (const partition of [0, 1]) {
        const batch = encodeRecordBatch(Array.from({ length: 5 }, (_, i) => ({ key: null, value: new TextEncoder().encode(`r${i}`) })));
        await broker.produce('orders', partition, batch, { acks: 1 });
      }
      await broker.offsetCommit({
        groupId: 'billing',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [0, 1].map((partitionIndex) => ({ partitionIndex, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null })) }],
      });
      expect(await committedPastLogEnd(broker)).toEqual([]);
      await broker.stop();

      // The power loss: partition 0's records never reached the disk.
      const dir = join(dataDir, 'orders-0');
      for (const name of readdirSync(dir)) if (name.endsWith('.log')) truncateSync(join(dir, name), 0);
      broker = await Broker.start({ storage: 'disk', dataDir, shards: 1 });
      try {
        expect(await committedPastLogEnd(broker)).toEqual([{ groupId: 'billing', topic: 'orders', partition: 0, committedOffset: 5, logEndOffset: 0 }]);
      } finally {
        await broker.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
