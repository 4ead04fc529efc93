// Benchmark peer: drains records from a ring (or from postMessage) and reports counts.
import { parentPort, workerData } from 'node:worker_threads';
import { Doorbell } from '../../actors/ring/doorbell.js';
import { RingReader } from '../../actors/ring/spsc_ring.js';

interface SinkData {
  mode: 'ring' | 'postMessage';
  buffer: SharedArrayBuffer;
  byteOffset: number;
  capacity: number;
  doorbellOffset: number;
  count: number;
}

const data = workerData as SinkData;

if (data.mode === 'ring') {
  const reader = new RingReader({ buffer: data.buffer, byteOffset: data.byteOffset, capacity: data.capacity });
  const doorbell = new Doorbell(data.buffer, data.doorbellOffset);
  let records = 0;
  let bytes = 0;
  let spins = 0;
  while (records < data.count) {
    const start = reader.readAt();
    if (start < 0) {
      reader.release();
      // Spin briefly, then sleep: long spinning steals the producer's core on a 2-vCPU machine.
      if (++spins < 200) continue;
      spins = 0;
      doorbell.prepareSleep();
      if (reader.hasData()) doorbell.cancelSleep();
      else doorbell.wait(100);
      continue;
    }
    records++;
    bytes += reader.data[start] + reader.lastLength;
  }
  reader.release();
  parentPort!.postMessage({ records, bytes });
} else {
  let records = 0;
  parentPort!.on('message', (batch: Uint8Array[]) => {
    records += batch.length;
    if (records >= data.count) {
      parentPort!.postMessage({ records });
      parentPort!.close();
    }
  });
}
