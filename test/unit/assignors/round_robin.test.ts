import { describe, expect, it } from 'vitest';
import { assignRoundRobin } from '../../../core/assignors/round_robin.js';
import { counts, plain, specOf } from './support.js';

describe('round-robin assignor', () => {
  it("reproduces Kafka's javadoc example with equal subscriptions", () => {
    const spec = specOf(
      [
        { memberId: 'C0', topics: ['t0', 't1'] },
        { memberId: 'C1', topics: ['t1', 't0'] },
      ],
      { t0: 3, t1: 3 },
    );
    expect(plain(assignRoundRobin(spec))).toEqual({
      C0: { t0: [0, 2], t1: [1] },
      C1: { t0: [1], t1: [0, 2] },
    });
  });

  it("reproduces Kafka's javadoc example with different subscriptions, skipping non-subscribers", () => {
    const spec = specOf(
      [
        { memberId: 'C2', topics: ['t0', 't1', 't2'] },
        { memberId: 'C0', topics: ['t0'] },
        { memberId: 'C1', topics: ['t0', 't1'] },
      ],
      { t0: 1, t1: 2, t2: 3 },
    );
    expect(plain(assignRoundRobin(spec))).toEqual({
      C2: { t1: [1], t2: [0, 1, 2] },
      C0: { t0: [0] },
      C1: { t1: [0] },
    });
  });

  it('deals the same as kafkajs RoundRobinAssigner when subscriptions are equal', () => {
    // kafkajs: members sorted by id, partitions of the topics in order, partition i to member i mod m.
    const memberIds = ['consumer-b', 'consumer-a', 'consumer-c'];
    const spec = specOf(memberIds.map((memberId) => ({ memberId, topics: ['topic-A', 'topic-B'] })), { 'topic-A': 4, 'topic-B': 3 });
    const sorted = [...memberIds].sort();
    const expected: Record<string, Record<string, number[]>> = Object.fromEntries(memberIds.map((id) => [id, {}]));
    let i = 0;
    for (const [topic, count] of [['topic-A', 4], ['topic-B', 3]] as const) {
      for (let partition = 0; partition < count; partition++) (expected[sorted[i++ % 3]][topic] ??= []).push(partition);
    }
    expect(plain(assignRoundRobin(spec))).toEqual(expected);
  });

  it('orders static members by instance id ahead of dynamic ones', () => {
    const spec = specOf(
      [
        { memberId: 'aaa', topics: ['t'] },
        { memberId: 'zzz', groupInstanceId: 'static-1', topics: ['t'] },
      ],
      { t: 3 },
    );
    expect(plain(assignRoundRobin(spec))).toEqual({ aaa: { t: [1] }, zzz: { t: [0, 2] } });
  });

  it('balances within one when subscriptions are equal', () => {
    const members = Array.from({ length: 7 }, (_, i) => ({ memberId: `m${i}`, topics: ['a', 'b', 'c'] }));
    const perMember = [...counts(assignRoundRobin(specOf(members, { a: 5, b: 11, c: 3 }))).values()];
    expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
  });
});
