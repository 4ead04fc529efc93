// Byte-for-byte assertions that stay cheap on a test's thousands of batches: vitest's deep
// equality (toEqual) walks a typed array element by element, about 16 ms per 2.7 KB batch, which
// made seconds of a file's CPU. Equal bytes are confirmed by Buffer.equals; different ones still go
// through toEqual, so a failure shows the same diff as before.
import { expect } from 'vitest';

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** expect(actual).toEqual(expected) for bytes: fails, with toEqual's diff, unless they are the same bytes. */
export function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array, message?: string): void {
  if (actual !== undefined && bufferOf(actual).equals(bufferOf(expected))) return;
  expect(actual, message).toEqual(expected);
}
