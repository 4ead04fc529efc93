// In-process produce → partition actor → fetch through Broker, 100 B records in 1,000-record
// batches, for 1 and 2 shards and 1 … 64 partitions.
//
//   npx tsx bench/broker.bench.ts [--seconds 3] [--records-per-batch 1000] [--record-bytes 100]
//                                 [--shards 1,2] [--partitions 1,4,16,64] [--storage memory]
//
// Producers keep a bounded number of batches in flight per partition; a reader per partition
// fetches behind them. Records/s counts records both produced and fetched back (end to end).
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from '../actors/host/broker.js';
import { encodeRecordBatch } from '../core/records/batch_builder.js';
import { readBatchHeader } from '../core/records/record_batch.js';
import { printMachineFacts } from './support/machine.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    'records-per-batch': { type: 'string', default: '1000' },
    'record-bytes': { type: 'string', default: '100' },
    shards: { type: 'string', default: '1,2' },
    partitions: { type: 'string', default: '1,4,16,64' },
    storage: { type: 'string', default: 'memory' },
    'in-flight': { type: 'string', default: '8' },
  },
});
const seconds = Number(values.seconds);
const recordsPerBatch = Number(values['records-per-batch']);
const recordBytes = Number(values['record-bytes']);
const inFlight = Number(values['in-flight']);
const storage = values.storage as 'memory' | 'disk';

const batch = encodeRecordBatch(
  Array.from({ length: recordsPerBatch }, (_, i) => ({ key: null, value: new Uint8Array(recordBytes).fill(i & 0xff) })),
  { baseTimestamp: Date.now() },
);

async function run(shards: number, partitions: number): Promise<{ produced: number; fetched: number; seconds: number }> {
  const dataDir = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'lanes-bench-')) : undefined;
  const broker = await Broker.start({
    shards,
    storage,
    dataDir,
    memoryBytes: 3 * 1024 * 1024 * 1024,
    flush: 'never',
    // Keep memory bounded during long runs: old segments are retained away.
    topicDefaults: { retentionBytes: 64 * 1024 * 1024 },
  });
  await broker.createTopic('bench', { partitions });
  let produced = 0;
  let fetched = 0;
  let running = true;
  const deadline = performance.now() + seconds * 1000;
  const producer = async (partition: number) => {
    const window = new Set<Promise<unknown>>();
    while (performance.now() < deadline) {
      const p: Promise<unknown> = broker.produce('bench', partition, batch, { acks: 1 }).then(() => {
        produced += recordsPerBatch;
        window.delete(p);
      });
      window.add(p);
      if (window.size >= inFlight) await Promise.race(window);
    }
    await Promise.all(window);
  };
  const reader = async (partition: number) => {
    let offset = 0;
    while (running || offset < partitions) {
      const result = await broker.fetch('bench', partition, offset, 1024 * 1024).catch(() => null);
      if (result === null) {
        offset = broker.describeTopic('bench')!.partitions[partition].logStartOffset;
        continue;
      }
      for (const fetchedBatch of result.batches) {
        const header = readBatchHeader(fetchedBatch);
        fetched += header.lastOffsetDelta + 1;
        offset = header.baseOffset + header.lastOffsetDelta + 1;
      }
      result.release();
      if (result.batches.length === 0) {
        if (!running) break;
        await broker.waitForData('bench', partition, offset, 50);
      }
    }
  };
  const started = performance.now();
  const readers = Array.from({ length: partitions }, (_, p) => reader(p));
  await Promise.all(Array.from({ length: partitions }, (_, p) => producer(p)));
  running = false;
  await Promise.all(readers);
  const elapsed = (performance.now() - started) / 1000;
  await broker.stop();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  return { produced, fetched, seconds: elapsed };
}

printMachineFacts(
  `Broker in-process: produce + fetch, ${recordsPerBatch} × ${recordBytes} B records per batch, ${storage} storage, ${seconds} s per cell`,
  `node dist/bench/broker.bench.js ${process.argv.slice(2).join(' ')}`,
);
console.log('| shards | partitions | produced (M records/s) | fetched (M records/s) | MB/s produced |');
console.log('|---:|---:|---:|---:|---:|');
for (const shards of values.shards!.split(',').map(Number)) {
  for (const partitions of values.partitions!.split(',').map(Number)) {
    const { produced, fetched, seconds: elapsed } = await run(shards, partitions);
    const mbPerSecond = (produced / recordsPerBatch) * batch.length / elapsed / 1e6;
    console.log(`| ${shards} | ${partitions} | ${(produced / elapsed / 1e6).toFixed(2)} | ${(fetched / elapsed / 1e6).toFixed(2)} | ${mbPerSecond.toFixed(0)} |`);
  }
}
