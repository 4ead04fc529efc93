// Goal: however a TCP stream is cut into chunks, the splitter returns exactly the frames that were
// sent, in order, and keeps nothing afterwards. Method: random frames, random cut points.

import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FrameSplitter } from '../../../core/protocol/frame.js';

function streamOf(frames: readonly Uint8Array[]): Uint8Array {
  const total = frames.reduce((sum, frame) => sum + 4 + frame.length, 0);
  const stream = new Uint8Array(total);
  const view = new DataView(stream.buffer);
  let position = 0;
  for (const frame of frames) {
    view.setInt32(position, frame.length);
    stream.set(frame, position + 4);
    position += 4 + frame.length;
  }
  return stream;
}

it('reassembles frames split at arbitrary points', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (frames, cutSeeds) => {
        const stream = streamOf(frames);
        const cuts = [...new Set(cutSeeds.map((seed) => (stream.length === 0 ? 0 : seed % stream.length)))].sort((a, b) => a - b);
        const splitter = new FrameSplitter(1024);
        const received: Uint8Array[] = [];
        let start = 0;
        for (const cut of [...cuts, stream.length]) {
          received.push(...splitter.push(stream.subarray(start, cut)));
          start = cut;
        }
        expect(received.map((frame) => [...frame])).toEqual(frames.map((frame) => [...frame]));
        expect(splitter.bufferedBytes).toBe(0);
      },
    ),
    { numRuns: 500 },
  );
});

it('delivers byte-at-a-time streams', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 }), (frames) => {
      const stream = streamOf(frames);
      const splitter = new FrameSplitter();
      const received: Uint8Array[] = [];
      for (let index = 0; index < stream.length; index++) received.push(...splitter.push(stream.subarray(index, index + 1)));
      expect(received.map((frame) => [...frame])).toEqual(frames.map((frame) => [...frame]));
    }),
    { numRuns: 100 },
  );
});
