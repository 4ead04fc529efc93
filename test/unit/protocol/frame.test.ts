// Goal: the frame splitter returns exactly the frames sent, however the stream is chunked, with
// no copy for frames inside one chunk, and refuses sizes that would let a client make us
// allocate. Method: hand-built streams.

import { describe, expect, it } from 'vitest';
import { FrameSizeError, ProtocolError } from '../../../core/protocol/errors.js';
import { FrameSplitter } from '../../../core/protocol/frame.js';

function frameOf(...bytes: number[]): Uint8Array {
  const out = new Uint8Array(4 + bytes.length);
  new DataView(out.buffer).setInt32(0, bytes.length);
  out.set(bytes, 4);
  return out;
}

describe('FrameSplitter', () => {
  it('returns frames inside one chunk as views of that chunk', () => {
    const stream = new Uint8Array([...frameOf(1, 2, 3), ...frameOf(4)]);
    const frames = new FrameSplitter().push(stream);
    expect(frames.map((frame) => [...frame])).toEqual([[1, 2, 3], [4]]);
    expect(frames[0].buffer).toBe(stream.buffer);
    expect(frames[1].byteOffset).toBe(11);
  });

  it('joins a frame split inside its size field and inside its body', () => {
    const splitter = new FrameSplitter();
    const stream = frameOf(9, 8, 7, 6, 5);
    expect(splitter.push(stream.subarray(0, 2))).toEqual([]);
    expect(splitter.push(stream.subarray(2, 5))).toEqual([]);
    expect(splitter.bufferedBytes).toBe(1);
    const frames = splitter.push(stream.subarray(5));
    expect(frames.map((frame) => [...frame])).toEqual([[9, 8, 7, 6, 5]]);
    expect(splitter.bufferedBytes).toBe(0);
  });

  it('returns empty frames', () => {
    const splitter = new FrameSplitter();
    expect(splitter.push(new Uint8Array([0, 0])).length).toBe(0);
    expect(splitter.push(new Uint8Array([0, 0])).map((frame) => frame.length)).toEqual([0]);
  });

  it('holds only the bytes received for a large announced frame', () => {
    const splitter = new FrameSplitter(1 << 20);
    const header = new Uint8Array(14);
    new DataView(header.buffer).setInt32(0, 1 << 20);
    expect(splitter.push(header)).toEqual([]);
    expect(splitter.bufferedBytes).toBe(10);
  });

  it('throws FrameSizeError (a ProtocolError) for negative sizes and sizes over the cap', () => {
    expect(() => new FrameSplitter().push(new Uint8Array([0xff, 0xff, 0xff, 0xff]))).toThrow(FrameSizeError);
    expect(() => new FrameSplitter(100).push(frameOf(...new Array(101).fill(0)))).toThrow(FrameSizeError);
    expect(() => new FrameSplitter(100).push(new Uint8Array([0, 0, 0, 101]))).toThrow(ProtocolError);
    expect(new FrameSplitter(100).push(frameOf(...new Array(100).fill(0)))).toHaveLength(1);
  });
});
