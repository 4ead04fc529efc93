// Goal: the broker's side of frame splitting. However a client's byte stream is cut into socket
// chunks, RequestFrames returns exactly the frames sent, in order (spread Produce frames assembled
// in pooled buffers, others joined), every returned frame holds its size in the request budget
// until the connection gives it back, and a connection closing mid-frame leaves nothing held.
// Method: random frames (Produce ones large enough to be pooled among them), random cut points,
// random budgets, random close points.

import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { FrameSizeError } from '../../../core/protocol/errors.js';
import { ByteBudget } from '../../../actors/net/byte_budget.js';
import { FramePool, RequestFrames, type RequestFrame } from '../../../actors/net/request_frames.js';
import { cutAt, streamOf } from '../../support/frame_stream.js';

/** A frame body starting with an api key (int16), the rest filled from `seed`. */
const frameBody = fc
  .record({ produce: fc.boolean(), length: fc.oneof(fc.nat({ max: 40 }), fc.integer({ min: 16 * 1024, max: 40 * 1024 })), seed: fc.nat({ max: 255 }) })
  .map(({ produce, length, seed }) => {
    const body = new Uint8Array(length);
    for (let i = 0; i < length; i++) body[i] = (seed + i * 7) & 0xff;
    if (length >= 2) {
      body[0] = 0;
      body[1] = produce ? ApiKey.Produce : ApiKey.Fetch;
    }
    return body;
  });

/** Which received frames differ from the ones sent (compared as bytes, not element by element). */
function mismatches(received: readonly RequestFrame[], sent: readonly Uint8Array[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.max(received.length, sent.length); i++) {
    if (received[i] === undefined || sent[i] === undefined || Buffer.compare(received[i].bytes, sent[i]) !== 0) out.push(i);
  }
  return out;
}

/** The stream cut as socket chunks: Buffers over one copy of the stream, as Node delivers them. */
function chunksOf(stream: Uint8Array, cutSeeds: readonly number[]): Buffer[] {
  const copy = stream.slice();
  return cutAt(copy, cutSeeds).map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
}

it('returns the frames sent, in order, however the stream is chunked, each holding its size in the budget until given back', () => {
  fc.assert(
    fc.property(fc.array(frameBody, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 30 }), fc.integer({ min: 1, max: 200 * 1024 }), (frames, cutSeeds, budgetBytes) => {
      const budget = new ByteBudget(budgetBytes);
      const pool = new FramePool();
      const splitter = new RequestFrames(1 << 20, budget, pool);
      const received: RequestFrame[] = [];
      for (const chunk of chunksOf(streamOf(frames), cutSeeds)) {
        received.push(...splitter.push(chunk));
        // The connection retries a frame waiting for the budget before reading on.
        splitter.admit();
      }
      expect(mismatches(received, frames)).toEqual([]);
      expect(splitter.frameStarted).toBe(false);
      expect(budget.used).toBe(frames.reduce((sum, frame) => sum + frame.length, 0));
      for (const frame of received) {
        frame.release();
        frame.release();
        budget.give(frame.bytes.length);
      }
      expect(budget.used).toBe(0);
    }),
    { numRuns: 300 },
  );
});

it('gives back the budget and the pooled buffer of a frame cut off by the connection closing', () => {
  fc.assert(
    fc.property(fc.array(frameBody, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), fc.nat(), (frames, cutSeeds, closeSeed) => {
      const budget = new ByteBudget(1 << 20);
      const splitter = new RequestFrames(1 << 20, budget, new FramePool());
      const stream = streamOf(frames);
      const closeAt = closeSeed % (stream.length + 1);
      const received: RequestFrame[] = [];
      for (const chunk of chunksOf(stream.subarray(0, closeAt), cutSeeds)) received.push(...splitter.push(chunk));
      splitter.discard();
      expect(splitter.frameStarted).toBe(false);
      // Only the complete frames still hold budget; the connection gives those back with them.
      expect(budget.used).toBe(received.reduce((sum, frame) => sum + frame.bytes.length, 0));
      expect(mismatches(received, frames.slice(0, received.length))).toEqual([]);
    }),
    { numRuns: 300 },
  );
});

it('refuses a negative or oversized size wherever the chunks split it, after returning the frames before it; nothing else stays in the budget', () => {
  fc.assert(
    fc.property(fc.array(frameBody, { maxLength: 4 }), fc.oneof(fc.integer({ min: -0x8000_0000, max: -1 }), fc.integer({ min: (1 << 20) + 1, max: 0x7fff_ffff })), fc.array(fc.nat(), { maxLength: 10 }), (frames, size, cutSeeds) => {
      const budget = new ByteBudget(1 << 20);
      const splitter = new RequestFrames(1 << 20, budget, new FramePool());
      const bad = new Uint8Array(8);
      new DataView(bad.buffer).setInt32(0, size);
      const good = streamOf(frames);
      const stream = new Uint8Array(good.length + bad.length);
      stream.set(good);
      stream.set(bad, good.length);
      const received: RequestFrame[] = [];
      let refused: unknown = null;
      try {
        for (const chunk of chunksOf(stream, cutSeeds)) received.push(...splitter.push(chunk));
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(FrameSizeError);
      // Frames completed by earlier chunks came out; the chunk holding the bad size threw.
      expect(received.length).toBeLessThanOrEqual(frames.length);
      expect(mismatches(received, frames.slice(0, received.length))).toEqual([]);
      // The connection closes: it gives back what it received; the budget is then empty.
      splitter.discard();
      for (const frame of received) budget.give(frame.bytes.length);
      expect(budget.used).toBe(0);
    }),
    { numRuns: 200 },
  );
});
