// The request-error metrics read every errorCode a response carries, at any depth, and nothing else.
import { describe, expect, it } from 'vitest';
import { forEachResponseError } from '../../../core/protocol/response_errors.js';

function codes(body: unknown): number[] {
  const found: number[] = [];
  forEachResponseError(body, (code) => found.push(code));
  return found;
}

describe('forEachResponseError', () => {
  it('finds top-level, per-topic and per-partition codes, and skips zeros and record bytes', () => {
    const response = {
      throttleTimeMs: 0,
      errorCode: 0,
      responses: [
        { name: 'a', errorCode: 3, partitions: [{ index: 0, errorCode: 0, records: new Uint8Array([1, 2, 3]) }, { index: 1, errorCode: 6 }] },
        { name: 'b', partitions: [{ index: 0, errorCode: 56, recordErrors: [{ batchIndex: 0, errorCode: 87 }] }] },
      ],
    };
    expect(codes(response)).toEqual([3, 6, 56, 87]);
    expect(codes({ errorCode: 35, apiKeys: [] })).toEqual([35]);
    expect(codes({ topics: [], errorMessage: null })).toEqual([]);
  });
});
