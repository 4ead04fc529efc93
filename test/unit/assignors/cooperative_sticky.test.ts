import { describe, expect, it } from 'vitest';
import { assignCooperativeSticky } from '../../../core/assignors/cooperative_sticky.js';
import { afterAssignment, plain, specOf } from './support.js';

const owned = (topic: string, ...partitions: number[]) => [{ topic, partitions }];

describe('cooperative-sticky assignor', () => {
  it('withholds moving partitions for one rebalance (the worked example in cooperative_sticky.ts)', () => {
    const generation6 = specOf(
      [
        { memberId: 'C0', topics: ['t0'], ownedPartitions: owned('t0', 0, 1, 2, 3), generationId: 5 },
        { memberId: 'C1', topics: ['t0'] },
      ],
      { t0: 4 },
    );
    const first = assignCooperativeSticky(generation6);
    expect(plain(first)).toEqual({ C0: { t0: [0, 1] }, C1: {} });

    // C0 revokes t0p2 and t0p3 and rejoins at once; C1 rejoins owning nothing.
    const generation7 = specOf(afterAssignment(generation6, first, 6), { t0: 4 });
    expect(plain(assignCooperativeSticky(generation7))).toEqual({ C0: { t0: [0, 1] }, C1: { t0: [2, 3] } });
  });

  it('assigns the partitions of a member that left at once: nobody holds them', () => {
    const spec = specOf(
      [
        { memberId: 'a', topics: ['t'], ownedPartitions: owned('t', 0, 1), generationId: 3 },
        { memberId: 'b', topics: ['t'], ownedPartitions: owned('t', 2, 3), generationId: 3 },
      ],
      { t: 6 }, // t-4 and t-5 belonged to a member that is gone
    );
    expect(plain(assignCooperativeSticky(spec))).toEqual({ a: { t: [0, 1, 4] }, b: { t: [2, 3, 5] } });
  });

  it('withholds a partition that a stale member still claims, even though it lost the claim', () => {
    const spec = specOf(
      [
        { memberId: 'stale', topics: ['t'], ownedPartitions: owned('t', 0, 1), generationId: 1 },
        { memberId: 'fresh', topics: ['t'], ownedPartitions: owned('t', 1), generationId: 2 },
        { memberId: 'new', topics: ['t'] },
      ],
      { t: 3 },
    );
    const result = plain(assignCooperativeSticky(spec));
    // 'fresh' wins t-1 but 'stale' still claims it: nobody gets t-1 this generation.
    expect(Object.values(result).flatMap((topics) => topics.t ?? [])).not.toContain(1);
    expect(result.stale.t).toEqual([0]);
  });

  it('withholds a partition claimed twice in one generation until both claimants have let go', () => {
    const spec = specOf(
      [
        { memberId: 'x', topics: ['t'], ownedPartitions: owned('t', 0), generationId: 2 },
        { memberId: 'y', topics: ['t'], ownedPartitions: owned('t', 0), generationId: 2 },
        { memberId: 'c', topics: ['t'] },
      ],
      { t: 3 },
    );
    expect(plain(assignCooperativeSticky(spec))).toEqual({ x: { t: [1] }, y: { t: [2] }, c: {} });
  });

  it('withholds from a member that stops subscribing until it has revoked', () => {
    const spec = specOf(
      [
        { memberId: 'leaving-topic', topics: ['other'], ownedPartitions: owned('t', 0), generationId: 4 },
        { memberId: 'taker', topics: ['t'], generationId: 4 },
      ],
      { t: 1, other: 1 },
    );
    expect(plain(assignCooperativeSticky(spec))).toEqual({ 'leaving-topic': { other: [0] }, taker: {} });
  });

  it('acts like sticky in an eager group, where nobody reports owned partitions', () => {
    const spec = specOf(['a', 'b'].map((memberId) => ({ memberId, topics: ['t'] })), { t: 4 });
    expect(plain(assignCooperativeSticky(spec))).toEqual({ a: { t: [0, 2] }, b: { t: [1, 3] } });
  });
});
