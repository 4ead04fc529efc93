// Goal: however a TCP stream is cut into chunks, the splitter returns exactly the frames that were
// sent, in order, and keeps nothing afterwards. Method: random frames, random cut points.

import fc from 'fast-check';
import { expect, it } from 'vitest';
import { FrameSplitter } from '../../../core/protocol/frame.js';
import { cutAt, streamOf } from '../../support/frame_stream.js';

it('reassembles frames split at arbitrary points', () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (frames, cutSeeds) => {
        const splitter = new FrameSplitter(1024);
        const received: Uint8Array[] = [];
        for (const chunk of cutAt(streamOf(frames), cutSeeds)) received.push(...splitter.push(chunk));
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
