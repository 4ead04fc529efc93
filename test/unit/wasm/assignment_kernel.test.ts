import { describe, expect, it } from 'vitest';
import type { AssignmentSpec } from '../../../core/assignors/assignor.js';
import type { AssignmentKernel } from '../../../core/assignors/assignment_kernel.js';
import { withAssignmentKernel } from '../../../core/assignors/kernel_choice.js';
import { assignorFor as coreAssignorFor } from '../../../core/assignors/registry.js';
import { assignCooperativeSticky } from '../../../core/assignors/cooperative_sticky.js';
import { assignSticky } from '../../../core/assignors/sticky.js';
import { createWasmAssignmentKernel } from '../../../wasm/assignment_kernel.js';
import { assignorFor, defaultAssignmentKernel } from '../../../wasm/assignors.js';
import { plain, specOf } from '../assignors/support.js';

function groupOf(memberCount: number, topicCount: number, perTopic: number, mixed = false): AssignmentSpec {
  const topics = Array.from({ length: topicCount }, (_, t) => `t${t}`);
  const members = Array.from({ length: memberCount }, (_, i) => ({
    memberId: `m${String(i).padStart(4, '0')}`,
    topics: mixed && i % 2 === 1 ? topics.slice(0, Math.ceil(topicCount / 2)) : topics,
  }));
  return specOf(members, Object.fromEntries(topics.map((topic) => [topic, perTopic])));
}

const ints = (...values: number[]) => Int32Array.from(values);

describe('the WASM assignment kernel wrapper', () => {
  const kernel = createWasmAssignmentKernel({ debug: true });

  it('refuses inputs that would send the kernel outside its arrays, before calling in', () => {
    expect(() => kernel.stickyEqual(ints(0, 2), 2, ints(0, 1))).toThrow(/previousOwner\[1\] = 2/);
    expect(() => kernel.stickyEqual(ints(0, 1), 2, ints(1, 0))).toThrow(/eligible is not ascending/);
    const lists = { subscriberStart: ints(0, 1, 1), subscribers: ints(0) };
    expect(() =>
      kernel.stickyDifferent({ previousOwner: ints(-1, -1), memberCount: 1, topicBase: ints(0, 1, 2), ...lists, topicsByChoice: ints(0, 1) }),
    ).toThrow(/topic 1 has no subscriber/);
    expect(() => kernel.rangeOwners(ints(1, 2), lists)).toThrow(/topicBase must start at 0/);
    expect(() => kernel.roundRobinOwners(ints(0, 1), 1, ints(0b01), 1)).toThrow(/partition 1's topic has no subscriber/);
  });

  it('grows its private memory for a call larger than the last, and still agrees with TS', () => {
    const small = groupOf(3, 2, 5);
    expect(plain(assignSticky(small, kernel))).toEqual(plain(assignSticky(small)));
    const large = groupOf(50, 20, 5_000); // 100,000 partitions need ~1.2 MB: past the first 1 MiB
    expect(plain(assignSticky(large, kernel))).toEqual(plain(assignSticky(large)));
  });
});

describe('the WASM assignment kernel at the benchmark size', () => {
  const kernel = createWasmAssignmentKernel();

  it('equals the TS sticky pair at 10,000 partitions × 1,000 members, shared and mixed subscriptions, fresh and after a join', () => {
    for (const mixed of [false, true]) {
      const fresh = groupOf(1_000, 10, 1_000, mixed);
      const first = assignSticky(fresh);
      const join: AssignmentSpec = {
        ...fresh,
        members: [
          ...fresh.members.map((member) => ({
            ...member,
            generationId: 1,
            ownedPartitions: [...first.get(member.memberId)!].map(([topic, partitions]) => ({ topic, partitions })),
          })),
          { memberId: 'newcomer', topics: fresh.members[0].topics },
        ],
      };
      for (const spec of [fresh, join]) {
        expect(plain(assignSticky(spec, kernel))).toEqual(plain(assignSticky(spec)));
        expect(plain(assignCooperativeSticky(spec, kernel))).toEqual(plain(assignCooperativeSticky(spec)));
      }
    }
  });
});

describe('wasm/assignors: the registry the embedded client uses', () => {
  it('has every protocol name, with the same shape as the TS registry', () => {
    for (const name of ['range', 'roundrobin', 'RoundRobinAssigner', 'sticky', 'cooperative-sticky']) {
      const { assign: _ts, ...ts } = coreAssignorFor(name)!;
      const { assign: _chosen, ...chosen } = assignorFor(name)!;
      expect(chosen).toEqual(ts);
    }
    expect(assignorFor('no-such-assignor')).toBeUndefined();
  });

  it('runs a large sticky assignment through the kernel and a small one in TS, with the same result', () => {
    const release = defaultAssignmentKernel();
    expect(release?.name).toBe('wasm');
    const calls: string[] = [];
    const spy: AssignmentKernel = {
      name: 'spy',
      stickyEqual: (...args) => (calls.push('stickyEqual'), release!.stickyEqual(...args)),
      stickyDifferent: (input) => (calls.push('stickyDifferent'), release!.stickyDifferent(input)),
      rangeOwners: (...args) => (calls.push('rangeOwners'), release!.rangeOwners(...args)),
      roundRobinOwners: (...args) => (calls.push('roundRobinOwners'), release!.roundRobinOwners(...args)),
    };
    const ts = coreAssignorFor('cooperative-sticky')!;
    const chosen = withAssignmentKernel(ts, () => spy);
    const small = groupOf(10, 10, 10, true);
    const large = groupOf(200, 10, 100, true);
    expect(plain(chosen.assign(small))).toEqual(plain(ts.assign(small)));
    expect(calls).toEqual([]);
    expect(plain(chosen.assign(large))).toEqual(plain(ts.assign(large)));
    expect(calls).toEqual(['stickyDifferent']);
    expect(plain(assignorFor('cooperative-sticky')!.assign(large))).toEqual(plain(ts.assign(large)));
  });
});
