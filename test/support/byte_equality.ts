// A vitest setup file (vitest.config.ts `setupFiles`), run in each test process before its test
// file: deep equality (toEqual, toStrictEqual, toMatchObject, toContainEqual…) compares two typed
// arrays of the same class by their bytes at once. vitest's own equality walks a typed array
// element by element, twice, through the whole matcher machinery: about 16 ms for a 2.7 KB record
// batch, seconds of CPU in a file that checks a thousand batches read back.
//
// Same bytes in arrays of the same class are equal under vitest's rules too (for floats, the same
// bits are the same value), so this tester only ever says "equal"; anything else (different bytes,
// different classes) goes on to vitest's own comparison, which decides and prints its usual diff.
import { expect } from 'vitest';

function sameBytes(a: unknown, b: unknown): boolean | undefined {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a instanceof DataView || b instanceof DataView) return undefined;
  if (a.constructor !== b.constructor || a.byteLength !== b.byteLength) return undefined;
  const bytesOf = (view: ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return bytesOf(a).equals(bytesOf(b)) ? true : undefined;
}

expect.addEqualityTesters([sameBytes]);
