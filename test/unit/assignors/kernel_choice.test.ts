import { describe, expect, it } from 'vitest';
import type { AssignmentSpec, PartitionAssignor } from '../../../core/assignors/assignor.js';
import { assignmentWork, kernelStrategyOf, kernelThresholds, useKernel, withAssignmentKernel } from '../../../core/assignors/kernel_choice.js';
import { assignorFor, assignorNames } from '../../../core/assignors/registry.js';
import { plain, specOf } from './support.js';

/** `memberCount` members over `topicCount` topics of `perTopic` partitions each. */
function groupOf(memberCount: number, topicCount: number, perTopic: number): AssignmentSpec {
  const topics = Array.from({ length: topicCount }, (_, t) => `t${t}`);
  const members = Array.from({ length: memberCount }, (_, i) => ({ memberId: `m${String(i).padStart(4, '0')}`, topics }));
  return specOf(members, Object.fromEntries(topics.map((topic) => [topic, perTopic])));
}

describe('choosing TS or the assignment kernel by size', () => {
  it('counts partitions × members, over the existing topics someone subscribes to', () => {
    const spec = specOf(
      [
        { memberId: 'a', topics: ['t0', 'missing'] },
        { memberId: 'b', topics: ['t1'] },
        { memberId: 'c', topics: [] },
      ],
      { t0: 4, t1: 6, unsubscribed: 100 },
    );
    expect(assignmentWork(spec)).toBe(10 * 3);
  });

  it('sends the sticky pair to the kernel from 1,000 partitions × 100 members, range and round-robin never', () => {
    for (const strategy of ['sticky', 'cooperative-sticky'] as const) {
      expect(useKernel(strategy, 1_000 * 100)).toBe(true);
      expect(useKernel(strategy, 1_000 * 100 - 1)).toBe(false);
    }
    for (const strategy of ['range', 'roundrobin'] as const) expect(useKernel(strategy, 10_000 * 1_000)).toBe(false);
    expect(kernelThresholds.range).toBe(Infinity);
  });

  it('recognises the built-in assignors, kafkajs\'s name for round-robin included, and no one else\'s', () => {
    expect(assignorNames.map((name) => kernelStrategyOf(assignorFor(name)!))).toEqual(
      assignorNames.map((name) => (name === 'RoundRobinAssigner' ? 'roundrobin' : name)),
    );
    const own: PartitionAssignor = { ...assignorFor('sticky')!, assign: () => new Map() };
    expect(kernelStrategyOf(own)).toBeUndefined();
    expect(withAssignmentKernel(own, () => null)).toBe(own);
  });

  it('asks for the kernel only when a call is large enough, and assigns in TS when there is none', () => {
    let asked = 0;
    const source = () => {
      asked += 1;
      return null;
    };
    const sticky = assignorFor('sticky')!;
    const chosen = withAssignmentKernel(sticky, source);
    expect(chosen).toMatchObject({ name: 'sticky', supportedProtocols: ['EAGER'], cooperative: false });

    const small = groupOf(10, 10, 10); // 100 × 10
    expect(plain(chosen.assign(small))).toEqual(plain(sticky.assign(small)));
    expect(asked).toBe(0);

    const large = groupOf(100, 10, 100); // 1,000 × 100
    expect(plain(chosen.assign(large))).toEqual(plain(sticky.assign(large)));
    expect(asked).toBe(1);
  });

  it('the registry wraps only when given a kernel source', () => {
    expect(assignorFor('range')).toBe(assignorFor('range'));
    expect(assignorFor('range', () => null)).not.toBe(assignorFor('range'));
    expect(assignorFor('no-such-assignor', () => null)).toBeUndefined();
  });
});
