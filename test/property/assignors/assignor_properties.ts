// Assignor properties over random groups, for any implementation of the four assignors (the TS
// ones in assignors.property.test.ts, the WASM kernel path in assignment_kernel.property.test.ts):
// validity for all four, balance where each promises it, minimal movement for the sticky pair
// (against bounds computed here, independently of the assignor), and cooperative safety over
// simulated rebalance rounds. Groups are small (≤ 7 members, ≤ 4 topics of ≤ 10 partitions) so
// each property runs in milliseconds; the checks are written from the definitions, not from the
// assignors' code.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AssignmentSpec, AssignorMember, GroupAssignment } from '../../../core/assignors/assignor.js';
import { afterAssignment, counts, ownerByPartition } from '../../unit/assignors/support.js';

type Assign = (spec: AssignmentSpec) => GroupAssignment;

/** The four assignors under test; each must behave as Kafka's of the same name. */
export interface AssignorSet {
  readonly range: Assign;
  readonly roundrobin: Assign;
  readonly sticky: Assign;
  readonly cooperativeSticky: Assign;
}

export const topicNames = ['alpha', 'beta', 'gamma', 'delta'];

export interface GroupShape {
  partitionCounts: number[];
  members: { memberId: string; instanceId: string | null; topicMask: number; claims: [number, number][]; generationId: number }[];
}

export const groupShape = (sharedSubscription: boolean): fc.Arbitrary<GroupShape> =>
  fc.record({
    partitionCounts: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
    sharedMask: fc.integer({ min: 1, max: 15 }),
    members: fc.uniqueArray(
      fc.record({
        memberId: fc.string({ minLength: 1, maxLength: 3 }),
        instanceId: fc.option(fc.string({ minLength: 1, maxLength: 3 }), { nil: null }),
        topicMask: fc.integer({ min: 0, max: 31 }), // bit 4: an unknown topic too
        claims: fc.array(fc.tuple(fc.nat(4), fc.nat(11)), { maxLength: 6 }),
        generationId: fc.integer({ min: -1, max: 3 }),
      }),
      { minLength: 1, maxLength: 7, selector: (member) => member.memberId },
    ),
  }).map(({ partitionCounts, sharedMask, members }) => {
    // Instance ids must be unique too (the coordinator guarantees it); drop repeats.
    const instanceIds = new Set<string>();
    for (const member of members) {
      if (member.instanceId !== null && instanceIds.has(member.instanceId)) member.instanceId = null;
      if (member.instanceId !== null) instanceIds.add(member.instanceId);
      if (sharedSubscription) member.topicMask = sharedMask;
    }
    return { partitionCounts, members };
  });

export function specFrom(shape: GroupShape): AssignmentSpec {
  const partitionsPerTopic = new Map(shape.partitionCounts.map((count, t) => [topicNames[t], count]));
  const members: AssignorMember[] = shape.members.map((member) => ({
    memberId: member.memberId,
    groupInstanceId: member.instanceId,
    topics: [...topicNames, 'not-created'].filter((_, t) => (member.topicMask >> t) & 1),
    ownedPartitions: member.claims.map(([t, partition]) => ({ topic: topicNames[t] ?? 'not-created', partitions: [partition] })),
    generationId: member.generationId,
  }));
  return { members, partitionsPerTopic };
}

const subscribes = (member: AssignorMember, topic: string) => member.topics.includes(topic);

/** Every partition of every subscribed topic at most (or exactly) once, only to a subscriber. */
function expectValid(spec: AssignmentSpec, assignment: GroupAssignment, complete = true): void {
  expect([...assignment.keys()].sort()).toEqual(spec.members.map((member) => member.memberId).sort());
  const seen = new Set<string>();
  for (const member of spec.members) {
    for (const [topic, partitions] of assignment.get(member.memberId)!) {
      expect(subscribes(member, topic)).toBe(true);
      expect(partitions).toEqual([...partitions].sort((a, b) => a - b));
      for (const partition of partitions) {
        expect(partition).toBeGreaterThanOrEqual(0);
        expect(partition).toBeLessThan(spec.partitionsPerTopic.get(topic)!);
        const key = `${topic}/${partition}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
    }
  }
  if (!complete) return;
  for (const [topic, count] of spec.partitionsPerTopic) {
    if (!spec.members.some((member) => subscribes(member, topic))) continue;
    for (let partition = 0; partition < count; partition++) expect(seen.has(`${topic}/${partition}`)).toBe(true);
  }
}

/** Kafka's definition: a member two or more ahead of another holds nothing the other could take. */
function expectKafkaBalanced(spec: AssignmentSpec, assignment: GroupAssignment): void {
  const perMember = counts(assignment);
  for (const heavy of spec.members) {
    for (const light of spec.members) {
      if (perMember.get(heavy.memberId)! <= perMember.get(light.memberId)! + 1) continue;
      for (const topic of assignment.get(heavy.memberId)!.keys()) {
        expect(subscribes(light, topic), `${heavy.memberId} could give ${topic} to ${light.memberId}`).toBe(false);
      }
    }
  }
}

function expectWithinOne(assignment: GroupAssignment, memberIds: readonly string[]): void {
  const perMember = memberIds.map((memberId) => counts(assignment).get(memberId)!);
  if (perMember.length > 0) expect(Math.max(...perMember) - Math.min(...perMember)).toBeLessThanOrEqual(1);
}

const subscribingMembers = (spec: AssignmentSpec) =>
  spec.members.filter((member) => member.topics.some((topic) => spec.partitionsPerTopic.has(topic))).map((member) => member.memberId);

/** Partitions that had an owner before and have a different one (or none) now. */
function movedCount(before: GroupAssignment, after: GroupAssignment): number {
  const afterOwners = ownerByPartition(after);
  let moved = 0;
  for (const [partition, owner] of ownerByPartition(before)) if (afterOwners.get(partition) !== owner) moved += 1;
  return moved;
}

/** Registers every property (vitest describe blocks) against `impl`. */
export function describeAssignorProperties(impl: AssignorSet): void {
  const assignors = { range: impl.range, roundrobin: impl.roundrobin, sticky: impl.sticky, 'cooperative-sticky': impl.cooperativeSticky };

  describe('every assignor', () => {
    it.each(Object.entries(assignors))('%s assigns each partition at most once, only to subscribers (exactly once unless cooperative)', (name, assign) => {
      fc.assert(
        fc.property(groupShape(false), (shape) => {
          const spec = specFrom(shape);
          expectValid(spec, assign(spec), name !== 'cooperative-sticky');
        }),
      );
    });

    it.each(Object.entries(assignors))('%s does not depend on the order members are listed in', (_, assign) => {
      fc.assert(
        fc.property(groupShape(false), (shape) => {
          const spec = specFrom(shape);
          const reversed = { ...spec, members: [...spec.members].reverse() };
          const canonical = (a: GroupAssignment) => [...a].sort(([x], [y]) => (x < y ? -1 : 1)).map(([id, t]) => [id, [...t]]);
          expect(canonical(assign(reversed))).toEqual(canonical(assign(spec)));
        }),
      );
    });
  });

  describe('balance', () => {
    it('range balances each topic within one over its subscribers', () => {
      fc.assert(
        fc.property(groupShape(false), (shape) => {
          const spec = specFrom(shape);
          const assignment = impl.range(spec);
          for (const topic of spec.partitionsPerTopic.keys()) {
            const sizes = spec.members.filter((member) => subscribes(member, topic)).map((member) => assignment.get(member.memberId)!.get(topic)?.length ?? 0);
            if (sizes.length > 0) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          }
        }),
      );
    });

    it.each([['roundrobin', impl.roundrobin], ['sticky', impl.sticky]] as const)('%s balances within one when subscriptions are shared', (_, assign) => {
      fc.assert(
        fc.property(groupShape(true), (shape) => {
          const spec = specFrom(shape);
          expectWithinOne(assign(spec), subscribingMembers(spec));
        }),
      );
    });

    it("sticky is balanced by Kafka's definition whatever the subscriptions and claims", () => {
      fc.assert(
        fc.property(groupShape(false), (shape) => {
          const spec = specFrom(shape);
          expectKafkaBalanced(spec, impl.sticky(spec));
        }),
      );
    });
  });

  describe('stickiness', () => {
    /** A balanced group with shared subscriptions, then the same group one member larger or smaller. */
    const membershipChange = fc.record({
      memberCount: fc.integer({ min: 1, max: 7 }),
      partitionCounts: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
      join: fc.boolean(),
      leaver: fc.nat(),
    });

    function before(memberCount: number, partitionCounts: number[]): AssignmentSpec {
      const topics = topicNames.slice(0, partitionCounts.length);
      return {
        members: Array.from({ length: memberCount }, (_, i) => ({ memberId: `m${i}`, topics })),
        partitionsPerTopic: new Map(topics.map((topic, t) => [topic, partitionCounts[t]])),
      };
    }

    it.each([['sticky', impl.sticky], ['cooperative-sticky', impl.cooperativeSticky]] as const)(
      '%s moves only the partitions a joining or leaving member forces to move',
      (_, assign) => {
        fc.assert(
          fc.property(membershipChange, ({ memberCount, partitionCounts, join, leaver }) => {
            const initial = before(memberCount, partitionCounts);
            const first = assign(initial);
            const total = partitionCounts.reduce((a, b) => a + b, 0);
            let members = afterAssignment(initial, first, 1);
            let lowerBound: number;
            if (join || memberCount === 1) {
              members = [...members, { memberId: 'newcomer', topics: members[0].topics }];
              lowerBound = Math.floor(total / members.length); // the newcomer owns nothing and needs that many
            } else {
              const gone = members[leaver % members.length].memberId;
              members = members.filter((member) => member.memberId !== gone);
              lowerBound = counts(first).get(gone)!; // the leaver's partitions must all move
            }
            // Cooperative-sticky takes two rounds to finish the move; count moves over both.
            const spec: AssignmentSpec = { ...initial, members };
            let next = assign(spec);
            if (assign === impl.cooperativeSticky) next = assign({ ...spec, members: afterAssignment(spec, next, 2) });
            expectValid(spec, next);
            expect(movedCount(first, next)).toBe(lowerBound);
          }),
        );
      },
    );

    it('sticky keeps the most owned partitions possible from any disjoint previous ownership', () => {
      // With N partitions over M members sharing a subscription, quotas are q = ⌊N/M⌋ and r = N mod M
      // members get q + 1. Member i can keep at most min(owned_i, q), plus one more for at most r of
      // those owning more than q.
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 7 }),
          fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 4 }),
          fc.array(fc.integer({ min: -1, max: 7 }), { maxLength: 40 }),
          (memberCount, partitionCounts, ownerChoices) => {
            const topics = topicNames.slice(0, partitionCounts.length);
            const owned: { topic: string; partitions: number[] }[][] = Array.from({ length: memberCount }, () => []);
            let choice = 0;
            topics.forEach((topic, t) => {
              for (let partition = 0; partition < partitionCounts[t]; partition++) {
                const owner = ownerChoices[choice++ % Math.max(ownerChoices.length, 1)] ?? -1;
                if (owner >= 0 && owner < memberCount) owned[owner].push({ topic, partitions: [partition] });
              }
            });
            const spec: AssignmentSpec = {
              members: owned.map((ownedPartitions, i) => ({ memberId: `m${i}`, topics, ownedPartitions, generationId: 4 })),
              partitionsPerTopic: new Map(topics.map((topic, t) => [topic, partitionCounts[t]])),
            };
            const total = partitionCounts.reduce((a, b) => a + b, 0);
            const quota = Math.floor(total / memberCount);
            const extra = total % memberCount;
            const ownedCounts = owned.map((list) => list.length);
            const keptMax = ownedCounts.reduce((sum, o) => sum + Math.min(o, quota), 0) + Math.min(extra, ownedCounts.filter((o) => o > quota).length);

            const result = impl.sticky(spec);
            let kept = 0;
            owned.forEach((list, i) => {
              for (const { topic, partitions } of list) if (result.get(`m${i}`)!.get(topic)?.includes(partitions[0])) kept += 1;
            });
            expect(kept).toBe(keptMax);
          },
        ),
      );
    });

    it('sticky changes nothing when asked again about the assignment it just made', () => {
      fc.assert(
        fc.property(groupShape(false), (shape) => {
          const spec = specFrom(shape);
          const first = impl.sticky(spec);
          const again = impl.sticky({ ...spec, members: afterAssignment(spec, first, 9) });
          expect(movedCount(first, again)).toBe(0);
        }),
      );
    });
  });

  describe('cooperative rebalancing', () => {
    // Simulation: members hold what they claim. Each round the leader assigns; members then revoke
    // what they lost and take up what they got. The checks: a partition is never assigned to a
    // member while another member still holds it, and the rounds end, with every partition assigned
    // and the result balanced, in two rounds when subscriptions are shared.
    function simulate(spec: AssignmentSpec, roundsMax: number): { rounds: number; final: GroupAssignment; spec: AssignmentSpec } {
      let current = spec;
      for (let round = 1; round <= roundsMax; round++) {
        const assignment = impl.cooperativeSticky(current);
        for (const member of current.members) {
          for (const [topic, partitions] of assignment.get(member.memberId)!) {
            for (const partition of partitions) {
              const heldElsewhere = current.members.some(
                (other) => other.memberId !== member.memberId && (other.ownedPartitions ?? []).some((owned) => owned.topic === topic && owned.partitions.includes(partition)),
              );
              expect(heldElsewhere, `${topic}/${partition} handed to ${member.memberId} while still held`).toBe(false);
            }
          }
        }
        const complete = impl.sticky(current);
        if (movedCount(complete, assignment) === 0) return { rounds: round, final: assignment, spec: current };
        current = { ...current, members: afterAssignment(current, assignment, round) };
      }
      throw new Error(`cooperative rebalancing did not settle in ${roundsMax} rounds`);
    }

    it('never hands over a partition still held elsewhere, and settles in two rounds with shared subscriptions', () => {
      fc.assert(
        fc.property(groupShape(true), (shape) => {
          const spec = specFrom(shape);
          const { rounds, final, spec: last } = simulate(spec, 2);
          expect(rounds).toBeLessThanOrEqual(2);
          expectValid(last, final);
          expectWithinOne(final, subscribingMembers(last));
        }),
      );
    });

    it('never hands over a partition still held elsewhere, and settles balanced with different subscriptions', () => {
      fc.assert(
        fc.property(groupShape(false), (shape) => {
          const { final, spec: last } = simulate(specFrom(shape), 4);
          expectValid(last, final);
          expectKafkaBalanced(last, final);
        }),
      );
    });
  });
}
