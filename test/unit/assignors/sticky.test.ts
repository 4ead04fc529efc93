import { describe, expect, it } from 'vitest';
import { assignSticky } from '../../../core/assignors/sticky.js';
import { afterAssignment, counts, ownerByPartition, plain, specOf } from './support.js';

const owned = (topic: string, ...partitions: number[]) => [{ topic, partitions }];

describe('sticky assignor', () => {
  it('moves only what balance requires when a member joins (the worked example in sticky.ts)', () => {
    const spec = specOf(
      [
        { memberId: 'C0', topics: ['t0'], ownedPartitions: owned('t0', 0, 1, 2), generationId: 3 },
        { memberId: 'C1', topics: ['t0'], ownedPartitions: owned('t0', 3), generationId: 3 },
        { memberId: 'C2', topics: ['t0'] },
      ],
      { t0: 4 },
    );
    expect(plain(assignSticky(spec))).toEqual({ C0: { t0: [0, 1] }, C1: { t0: [3] }, C2: { t0: [2] } });
  });

  it('hands out only the partitions of a member that left', () => {
    const first = assignSticky(specOf(['a', 'b', 'c', 'd'].map((memberId) => ({ memberId, topics: ['x', 'y'] })), { x: 6, y: 6 }));
    const remaining = afterAssignment(specOf(['a', 'b', 'c', 'd'].map((memberId) => ({ memberId, topics: ['x', 'y'] })), { x: 6, y: 6 }), first, 1)
      .filter((member) => member.memberId !== 'c');
    const second = assignSticky(specOf(remaining, { x: 6, y: 6 }));
    const before = ownerByPartition(first);
    const after = ownerByPartition(second);
    for (const [partition, owner] of before) if (owner !== 'c') expect(after.get(partition)).toBe(owner);
    expect([...counts(second).values()]).toEqual([4, 4, 4]);
  });

  it('changes nothing when the group is already balanced', () => {
    const spec = specOf(['m0', 'm1', 'm2'].map((memberId) => ({ memberId, topics: ['t'] })), { t: 8 });
    const first = assignSticky(spec);
    const again = assignSticky(specOf(afterAssignment(spec, first, 1), { t: 8 }));
    expect(plain(again)).toEqual(plain(first));
  });

  it('resolves two claims on a partition in favour of the higher generation', () => {
    const spec = specOf(
      [
        { memberId: 'zombie', topics: ['t'], ownedPartitions: owned('t', 0, 1), generationId: 4 },
        { memberId: 'current', topics: ['t'], ownedPartitions: owned('t', 1), generationId: 5 },
      ],
      { t: 2 },
    );
    expect(plain(assignSticky(spec))).toEqual({ zombie: { t: [0] }, current: { t: [1] } });
  });

  it('keeps neither of two claims made in the same generation', () => {
    // x and y both claim t-0 in generation 2: one of them is wrong and we cannot tell which, so
    // t-0 is dealt afresh, and the deal (in member order c, x, y) gives it to c.
    const spec = specOf(
      [
        { memberId: 'x', topics: ['t'], ownedPartitions: owned('t', 0), generationId: 2 },
        { memberId: 'y', topics: ['t'], ownedPartitions: owned('t', 0), generationId: 2 },
        { memberId: 'c', topics: ['t'] },
      ],
      { t: 3 },
    );
    expect(plain(assignSticky(spec))).toEqual({ x: { t: [1] }, y: { t: [2] }, c: { t: [0] } });
  });

  it('drops claims on topics the member no longer subscribes to, and on partitions that no longer exist', () => {
    const spec = specOf(
      [
        { memberId: 'a', topics: ['keep'], ownedPartitions: [...owned('gone', 0), ...owned('keep', 0, 7)], generationId: 1 },
        { memberId: 'b', topics: ['keep', 'gone'] },
      ],
      { keep: 2, gone: 1 },
    );
    // a keeps keep-0 only; keep-7 does not exist and gone-0 goes to b, its only subscriber.
    expect(plain(assignSticky(spec))).toEqual({ a: { keep: [0, 1] }, b: { gone: [0] } });
  });

  it("balances by Kafka's definition when subscriptions differ", () => {
    // A wants only t0, B wants t0 and t1, C only t1. Counts may differ by more than one only when
    // the heavier member holds nothing the lighter one could take.
    const spec = specOf(
      [
        { memberId: 'A', topics: ['t0'], ownedPartitions: owned('t0', 0, 1, 2, 3, 4, 5), generationId: 1 },
        { memberId: 'B', topics: ['t0', 't1'] },
        { memberId: 'C', topics: ['t1'] },
      ],
      { t0: 6, t1: 2 },
    );
    const result = counts(assignSticky(spec));
    expect(result.get('A')).toBe(3);
    expect(result.get('B')! + result.get('C')!).toBe(5);
    expect(Math.abs(result.get('B')! - result.get('C')!)).toBeLessThanOrEqual(1);
  });

  it('gives every partition to the only subscriber of a topic, however many that is', () => {
    const spec = specOf([{ memberId: 'solo', topics: ['big'] }, { memberId: 'other', topics: ['small'] }], { big: 9, small: 1 });
    expect(counts(assignSticky(spec))).toEqual(new Map([['solo', 9], ['other', 1]]));
  });
});
