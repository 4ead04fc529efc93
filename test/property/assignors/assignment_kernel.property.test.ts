// The WASM assignment kernel against its oracle, the TS assignors: on random groups, every
// assignor run through the kernel gives exactly the TS assignment (same owners, same tie-breaks),
// on the debug build (AssemblyScript asserts on: a failed one throws InvariantError) and on the
// release build; the size-choosing wrapper gives it too. Then the invariant properties
// (assignor_properties.ts) run against the kernel path of the release build, as shipped.
//
// Groups here are larger than assignor_properties.ts's (up to 40 members, 8 topics of up to 60
// partitions) with random subscriptions and random, possibly conflicting claims, so both sticky
// paths (shared and different subscriptions) and the balancing loop are reached.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssignmentSpec, AssignorMember, GroupAssignment } from '../../../core/assignors/assignor.js';
import type { AssignmentKernel } from '../../../core/assignors/assignment_kernel.js';
import { assignCooperativeSticky } from '../../../core/assignors/cooperative_sticky.js';
import { withAssignmentKernel } from '../../../core/assignors/kernel_choice.js';
import { assignRange, assignRangeWithKernel } from '../../../core/assignors/range.js';
import { assignorFor } from '../../../core/assignors/registry.js';
import { assignRoundRobin, assignRoundRobinWithKernel } from '../../../core/assignors/round_robin.js';
import { assignSticky } from '../../../core/assignors/sticky.js';
import { createWasmAssignmentKernel } from '../../../wasm/assignment_kernel.js';
import { describeAssignorProperties, groupShape, specFrom } from './assignor_properties.js';

const builds = ['debug', 'release'] as const;
const kernels: Record<(typeof builds)[number], AssignmentKernel> = {
  debug: createWasmAssignmentKernel({ debug: true }),
  release: createWasmAssignmentKernel(),
};

type Assign = (spec: AssignmentSpec) => GroupAssignment;
const strategies: [string, Assign, (spec: AssignmentSpec, kernel: AssignmentKernel) => GroupAssignment][] = [
  ['range', assignRange, assignRangeWithKernel],
  ['roundrobin', assignRoundRobin, assignRoundRobinWithKernel],
  ['sticky', (spec) => assignSticky(spec), (spec, kernel) => assignSticky(spec, kernel)],
  ['cooperative-sticky', (spec) => assignCooperativeSticky(spec), (spec, kernel) => assignCooperativeSticky(spec, kernel)],
];

/** Members, topics and partitions in the order the assignment lists them, so equal means identical. */
const ordered = (assignment: GroupAssignment) => [...assignment].map(([memberId, topics]) => [memberId, [...topics]]);

/** Up to 40 members over up to 8 topics; claims drawn per partition, some of them contested. */
const largerGroup: fc.Arbitrary<AssignmentSpec> = fc
  .record({
    partitionCounts: fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }),
    memberCount: fc.integer({ min: 1, max: 40 }),
    shared: fc.boolean(),
    masks: fc.array(fc.integer({ min: 0, max: 0x1ff }), { minLength: 40, maxLength: 40 }), // bit 8: an unknown topic
    staticMembers: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
    claims: fc.array(fc.tuple(fc.nat(39), fc.nat(7), fc.nat(60)), { maxLength: 200 }),
    generations: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 40, maxLength: 40 }),
  })
  .map(({ partitionCounts, memberCount, shared, masks, staticMembers, claims, generations }) => {
    const topics = partitionCounts.map((_, t) => `topic-${t}`);
    const members: AssignorMember[] = Array.from({ length: memberCount }, (_, i) => {
      const mask = shared ? masks[0] : masks[i];
      const owned = claims.filter(([m]) => m % memberCount === i).map(([, t, partition]) => ({ topic: `topic-${t}`, partitions: [partition] }));
      return {
        memberId: `member-${(i * 7919) % 101}-${i}`,
        groupInstanceId: staticMembers[i] ? `instance-${(i * 31) % 17}-${i}` : null,
        topics: [...topics, 'not-created'].filter((_, t) => (mask >> (t === topics.length ? 8 : t)) & 1),
        ownedPartitions: owned,
        generationId: generations[i],
      };
    });
    return { members, partitionsPerTopic: new Map(topics.map((topic, t) => [topic, partitionCounts[t]])) };
  });

const anyGroup = fc.oneof(largerGroup, groupShape(false).map(specFrom), groupShape(true).map(specFrom));

describe.each(builds)('the WASM assignment kernel (%s build)', (build) => {
  const kernel = kernels[build];

  it.each(strategies)('%s through the kernel equals the TS assignor on random groups', (_, tsAssign, kernelAssign) => {
    fc.assert(
      fc.property(anyGroup, (spec) => {
        expect(ordered(kernelAssign(spec, kernel))).toEqual(ordered(tsAssign(spec)));
      }),
      { numRuns: 150 },
    );
  });

  it('the size-choosing registry assignors equal the TS ones, with the kernel forced on', () => {
    const forced = { range: 0, roundrobin: 0, sticky: 0, 'cooperative-sticky': 0 };
    const names = ['range', 'roundrobin', 'RoundRobinAssigner', 'sticky', 'cooperative-sticky'];
    fc.assert(
      fc.property(anyGroup, (spec) => {
        for (const name of names) {
          const plain = assignorFor(name)!;
          const chosen = withAssignmentKernel(plain, () => kernel, forced);
          expect(ordered(chosen.assign(spec))).toEqual(ordered(plain.assign(spec)));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('the assignor properties, through the release kernel', () => {
  const kernel = kernels.release;
  describeAssignorProperties({
    range: (spec) => assignRangeWithKernel(spec, kernel),
    roundrobin: (spec) => assignRoundRobinWithKernel(spec, kernel),
    sticky: (spec) => assignSticky(spec, kernel),
    cooperativeSticky: (spec) => assignCooperativeSticky(spec, kernel),
  });
});
