// The suite's typed-array equality (support/byte_equality.ts, a setup file of every test file):
// it makes toEqual on bytes fast, and must never make two different arrays equal.
import { expect, it } from 'vitest';

const batch = Uint8Array.from({ length: 2700 }, (_, i) => (i * 31) & 255);

it('finds the same bytes equal, inside objects too, and any differing byte unequal', () => {
  expect(batch.slice()).toEqual(batch);
  expect({ records: [{ value: batch.subarray(61) }] }).toStrictEqual({ records: [{ value: batch.slice(61) }] });
  for (const index of [0, 1350, 2699]) {
    const changed = batch.slice();
    changed[index] ^= 1;
    expect(changed).not.toEqual(batch);
  }
  expect(batch.subarray(1)).not.toEqual(batch);
  expect(new Uint8Array(0)).toEqual(new Uint8Array(0));
});

it('keeps vitest\'s rules on classes: a Buffer is not strictly a Uint8Array, and other views compare by value', () => {
  expect(Buffer.from(batch)).not.toStrictEqual(batch);
  expect(new Int8Array(batch.buffer)).not.toEqual(batch);
  expect(new Float64Array([0])).not.toEqual(new Float64Array([-0]));
  expect(new Float64Array([NaN, 1.5])).toEqual(new Float64Array([NaN, 1.5]));
  expect(new DataView(batch.buffer)).toEqual(new DataView(batch.slice().buffer));
});
