// Ring stress across real threads: random record sizes and batch sizes, a small ring so that
// wrap-around, full and empty edges are hit thousands of times; every record must arrive exactly
// once, in order, with its bytes intact.
import { describe, expect, it } from 'vitest';
import { initRing, ringRegionBytes } from '../../actors/ring/ring_layout.js';
import { RingReader, RingWriter } from '../../actors/ring/spsc_ring.js';
import { Doorbell } from '../../actors/ring/doorbell.js';
import { spawnWorker } from '../../actors/spawn.js';
import { checkPayload, fillPayload, payloadLength } from '../support/ring_payload.js';

const capacity = 16 * 1024;
const maxBytes = capacity / 2 - 8;
const doorbellOffset = 0;
const ringOffset = 64;

function sharedRing() {
  const buffer = new SharedArrayBuffer(ringOffset + ringRegionBytes(capacity));
  const region = { buffer, byteOffset: ringOffset, capacity };
  initRing(region);
  return { buffer, region, doorbell: new Doorbell(buffer, doorbellOffset) };
}

function peer(role: 'writer' | 'reader', buffer: SharedArrayBuffer, count: number, seed: number) {
  const worker = spawnWorker(new URL('./fixtures/ring_peer.ts', import.meta.url), {
    workerData: { role, buffer, byteOffset: ringOffset, capacity, doorbellOffset, count, seed, maxBytes },
  });
  const done = new Promise<Record<string, unknown>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, done };
}

describe('SPSC ring across threads', () => {
  it('delivers every record from a worker to the main thread once, in order, intact', async () => {
    const { buffer, region, doorbell } = sharedRing();
    const count = 200_000;
    const seed = 7;
    const writer = peer('writer', buffer, count, seed);
    const reader = new RingReader(region);
    let index = 0;
    while (index < count) {
      let view = reader.read();
      if (view === null) {
        doorbell.prepareSleep();
        if (reader.hasData()) doorbell.cancelSleep();
        else await doorbell.waitAsync(50);
        continue;
      }
      while (view !== null) {
        const mismatch = checkPayload(view, seed, index, maxBytes);
        if (mismatch !== null) throw new Error(mismatch);
        index++;
        view = reader.read();
      }
      reader.release();
    }
    reader.release();
    expect(await writer.done).toEqual({ written: count });
    expect(index).toBe(count);
    expect(reader.read()).toBeNull();
    await writer.worker.terminate();
  });

  it('delivers every record from the main thread to a worker, waiting when the ring is full', async () => {
    const { buffer, region, doorbell } = sharedRing();
    const count = 200_000;
    const seed = 11;
    const reader = peer('reader', buffer, count, seed);
    const writer = new RingWriter(region, doorbell);
    let waits = 0;
    for (let i = 0; i < count; i++) {
      const length = payloadLength(seed, i, maxBytes);
      let view = writer.reserve(length);
      if (view === null) {
        waits++;
        await writer.waitForRoomAsync(length);
        view = writer.reserve(length);
      }
      fillPayload(view!, seed, i);
      if (i % 300 === 299) writer.publish();
    }
    writer.publish();
    expect(await reader.done).toEqual({ read: count, error: null });
    // The ring is far smaller than the data: the full edge was reached and waited on.
    expect(waits).toBeGreaterThan(0);
    await reader.worker.terminate();
  });
});

describe('SPSC ring on one thread', () => {
  it('reports full instead of dropping, and frees room only on release', () => {
    const { region } = sharedRing();
    const writer = new RingWriter(region);
    const reader = new RingReader(region);
    const payload = new Uint8Array(1000).fill(9);
    let written = 0;
    while (writer.tryWrite(payload)) written++;
    expect(written).toBe(Math.floor(capacity / 1008));
    expect(reader.read()).toBeNull(); // nothing published yet
    writer.publish();
    expect(reader.read()).toEqual(payload);
    expect(writer.tryWrite(payload)).toBe(false); // read but not released: still no room
    reader.release();
    expect(writer.tryWrite(payload)).toBe(true);
  });

  it('wraps a record that does not fit at the end to the start, in one piece', () => {
    const { region } = sharedRing();
    const writer = new RingWriter(region);
    const reader = new RingReader(region);
    const sizes = [5000, 5000, 5000, 3000, 6000, 7000, 100];
    sizes.forEach((size, i) => {
      expect(writer.tryWrite(new Uint8Array(size).fill(i + 1))).toBe(true);
      writer.publish();
      const view = reader.read();
      expect(view?.length).toBe(size);
      expect(view!.every((b) => b === i + 1)).toBe(true);
      reader.release();
    });
  });

  it('refuses a record larger than half the ring as a programming error', () => {
    const { region } = sharedRing();
    const writer = new RingWriter(region);
    expect(() => writer.reserve(capacity)).toThrow(/exceeds/);
  });
});
