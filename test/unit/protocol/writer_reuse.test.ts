// Writer.finishFrameCopied / reuse: what the broker's one response writer relies on
// (core/protocol/codec.ts encodeResponseFrame). The frame comes out as exact-size copies of the
// scratch bytes plus the caller's views by reference, and reusing the writer never changes a
// frame already handed out.
import { describe, expect, it } from 'vitest';
import { Writer, concatChunks, copyBytesMax } from '../../../core/protocol/writer.js';

const fresh = (bytes: number) => new Uint8Array(bytes);

describe('Writer.finishFrameCopied', () => {
  it('gives the same frame bytes as finishFrame, in one exact-size copy per run of scratch', () => {
    const view = new Uint8Array(copyBytesMax + 1).fill(7);
    const build = (writer: Writer) => {
      writer.writeInt32(42);
      writer.writeString('topic');
      writer.writeBytes(view);
      writer.writeInt16(-1);
    };
    const plain = new Writer(16);
    build(plain);
    const copied = new Writer(16);
    build(copied);
    const chunks = copied.finishFrameCopied(fresh);
    expect(concatChunks(chunks)).toEqual(concatChunks(plain.finishFrame()));
    // [size + int32 + string + bytes length] [view by reference] [int16]
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(view);
  });

  it('leaves handed-out frames untouched when the writer is reused', () => {
    const writer = new Writer(8);
    const frames: Uint8Array[][] = [];
    const expected: Uint8Array[] = [];
    for (let round = 0; round < 20; round++) {
      writer.reuse();
      for (let index = 0; index <= round; index++) writer.writeInt32(round * 1000 + index);
      frames.push(writer.finishFrameCopied(fresh));
      expected.push(concatChunks(frames[round]).slice());
    }
    frames.forEach((frame, round) => expect(concatChunks(frame)).toEqual(expected[round]));
    expect(new Reader4(expected[3]).int32s()).toEqual([16, 3000, 3001, 3002, 3003]);
  });

  it('refuses to reuse a writer whose chunks alias its segment', () => {
    const writer = new Writer();
    writer.writeInt8(1);
    writer.finishFrame();
    expect(() => writer.reuse()).toThrow();
  });
});

/** Reads a frame as int32s (size first). */
class Reader4 {
  constructor(readonly bytes: Uint8Array) {}
  int32s(): number[] {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const out: number[] = [];
    for (let at = 0; at < this.bytes.length; at += 4) out.push(view.getInt32(at));
    return out;
  }
}
