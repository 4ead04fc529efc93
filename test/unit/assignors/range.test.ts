import { describe, expect, it } from 'vitest';
import { assignRange } from '../../../core/assignors/range.js';
import { plain, specOf } from './support.js';

describe('range assignor', () => {
  it("reproduces Kafka's javadoc example: two members, two topics of three partitions", () => {
    const spec = specOf(
      [
        { memberId: 'C1', topics: ['t0', 't1'] },
        { memberId: 'C0', topics: ['t0', 't1'] },
      ],
      { t0: 3, t1: 3 },
    );
    expect(plain(assignRange(spec))).toEqual({
      C1: { t0: [2], t1: [2] },
      C0: { t0: [0, 1], t1: [0, 1] },
    });
  });

  it('orders static members by instance id, ahead of dynamic members', () => {
    const spec = specOf(
      [
        { memberId: 'a-dynamic', topics: ['t'] },
        { memberId: 'z-static', groupInstanceId: 'I0', topics: ['t'] },
        { memberId: 'b-static', groupInstanceId: 'I1', topics: ['t'] },
      ],
      { t: 5 },
    );
    // 5 over 3: the first two in member order (I0, I1) take 2, the dynamic member the last one.
    expect(plain(assignRange(spec))).toEqual({
      'a-dynamic': { t: [4] },
      'z-static': { t: [0, 1] },
      'b-static': { t: [2, 3] },
    });
  });

  it('a static member keeps its range when it restarts with a new member id', () => {
    const before = assignRange(specOf([{ memberId: 'm-1', groupInstanceId: 'host-b', topics: ['t'] }, { memberId: 'm-2', groupInstanceId: 'host-a', topics: ['t'] }], { t: 4 }));
    const after = assignRange(specOf([{ memberId: 'm-9', groupInstanceId: 'host-b', topics: ['t'] }, { memberId: 'm-2', groupInstanceId: 'host-a', topics: ['t'] }], { t: 4 }));
    expect(after.get('m-9')).toEqual(before.get('m-1'));
  });

  it('splits each topic only among its own subscribers', () => {
    const spec = specOf(
      [
        { memberId: 'A', topics: ['t0'] },
        { memberId: 'B', topics: ['t0', 't1'] },
        { memberId: 'C', topics: ['t1'] },
      ],
      { t0: 3, t1: 2 },
    );
    expect(plain(assignRange(spec))).toEqual({ A: { t0: [0, 1] }, B: { t0: [2], t1: [0] }, C: { t1: [1] } });
  });

  it('leaves a member empty when a topic has fewer partitions than members, and skips unknown topics', () => {
    const spec = specOf(
      [
        { memberId: 'A', topics: ['t', 'not-created-yet'] },
        { memberId: 'B', topics: ['t'] },
        { memberId: 'C', topics: ['t'] },
      ],
      { t: 2 },
    );
    expect(plain(assignRange(spec))).toEqual({ A: { t: [0] }, B: { t: [1] }, C: {} });
  });

  it('gives co-partitioned topics the same partition numbers on each member', () => {
    const members = ['m0', 'm1', 'm2'].map((memberId) => ({ memberId, topics: ['clicks', 'views'] }));
    const assignment = assignRange(specOf(members, { clicks: 7, views: 7 }));
    for (const topics of assignment.values()) expect(topics.get('clicks')).toEqual(topics.get('views'));
  });

  it('does not depend on the order members are listed in', () => {
    const members = ['m3', 'm1', 'm2', 'm0'].map((memberId) => ({ memberId, topics: ['t'] }));
    const forward = assignRange(specOf(members, { t: 10 }));
    const backward = assignRange(specOf([...members].reverse(), { t: 10 }));
    expect(plain(forward)).toEqual(plain(backward));
  });
});
