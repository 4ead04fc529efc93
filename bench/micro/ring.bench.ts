// Ring throughput, main thread → worker, 100 B records, at batch sizes 1 … 1,024 records per
// publish, beside postMessage of the same batches in the same run.
//
//   npx tsx bench/micro/ring.bench.ts [--records 2000000] [--size 100]
//
// Cross-thread throughput is a wall-clock measurement of one long transfer, not a per-op micro
// benchmark, so this uses a plain timed loop rather than tinybench.
import { parseArgs } from 'node:util';
import { initRing, ringRegionBytes } from '../../actors/ring/ring_layout.js';
import { RingWriter } from '../../actors/ring/spsc_ring.js';
import { Doorbell } from '../../actors/ring/doorbell.js';
import { spawnWorker } from '../../actors/spawn.js';
import { printMachineFacts } from '../support/machine.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '2000000' }, size: { type: 'string', default: '100' } } });
const records = Number(values.records);
const size = Number(values.size);
const capacity = 4 * 1024 * 1024;
const batchSizes = [1, 16, 64, 256, 1024];

async function runRing(batch: number): Promise<number> {
  const buffer = new SharedArrayBuffer(64 + ringRegionBytes(capacity));
  const region = { buffer, byteOffset: 64, capacity };
  initRing(region);
  const doorbell = new Doorbell(buffer, 0);
  const worker = spawnWorker(new URL('../workers/ring_sink.ts', import.meta.url), {
    workerData: { mode: 'ring', buffer, byteOffset: 64, capacity, doorbellOffset: 0, count: records },
  });
  const done = new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => worker.once('online', resolve));
  const writer = new RingWriter(region, doorbell);
  const payload = new Uint8Array(size).fill(7);
  const started = performance.now();
  for (let i = 0; i < records; i++) {
    while (!writer.tryWrite(payload)) await writer.waitForRoomAsync(size, 10);
    if ((i + 1) % batch === 0) writer.publish();
  }
  writer.publish();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.terminate();
  return records / seconds;
}

async function runPostMessage(batch: number): Promise<number> {
  const count = Math.min(records, batch === 1 ? 200_000 : records);
  const worker = spawnWorker(new URL('../workers/ring_sink.ts', import.meta.url), {
    workerData: { mode: 'postMessage', count },
  });
  const done = new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => worker.once('online', resolve));
  // Distinct objects: structured clone copies each one, as it would distinct records.
  const pool = Array.from({ length: batch }, () => new Uint8Array(size).fill(7));
  const started = performance.now();
  for (let i = 0; i < count; i += batch) {
    const messages: Uint8Array[] = [];
    for (let j = 0; j < batch && i + j < count; j++) messages.push(pool[j]);
    worker.postMessage(messages);
    // Let the port flush now and then, as a real producer would between socket reads.
    if ((i / batch) % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.terminate();
  return count / seconds;
}

printMachineFacts(`ring vs postMessage — ${records} records of ${size} B, main → worker`, `npx tsx bench/micro/ring.bench.ts --records ${records} --size ${size}`);
console.log('| records per publish | ring (M records/s) | ring (GB/s payload) | postMessage (M records/s) | ring / postMessage |');
console.log('|---:|---:|---:|---:|---:|');
for (const batch of batchSizes) {
  const ring = await runRing(batch);
  const post = await runPostMessage(batch);
  console.log(`| ${batch} | ${(ring / 1e6).toFixed(2)} | ${((ring * size) / 1e9).toFixed(2)} | ${(post / 1e6).toFixed(2)} | ${(ring / post).toFixed(1)}× |`);
}
