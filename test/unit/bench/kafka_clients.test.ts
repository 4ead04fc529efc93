// The client rows' small rules: a group member counts as ready once it holds its share of the
// partitions (every member has joined), and each producer call goes to the next partition.
import { describe, expect, it } from 'vitest';
import { holdsItsShare, rotatingPartition } from '../../../bench/e2e/kafka_clients.js';

describe('holdsItsShare', () => {
  it('is true once the member holds no more than its share, and never with no partitions', () => {
    expect(holdsItsShare(0, 8, 2)).toBe(false);
    expect(holdsItsShare(8, 8, 2)).toBe(false); // alone in the group: the other member has not joined
    expect(holdsItsShare(4, 8, 2)).toBe(true);
    expect(holdsItsShare(3, 8, 3)).toBe(true);
    expect(holdsItsShare(8, 8, 1)).toBe(true);
  });
});

describe('rotatingPartition', () => {
  it('gives every partition in turn', () => {
    const next = rotatingPartition(3);
    expect(Array.from({ length: 7 }, next)).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });
});
