// Builders shared by the assignor tests (unit and property).
import type { AssignmentSpec, AssignorMember, GroupAssignment } from '../../../core/assignors/assignor.js';

export function specOf(members: readonly AssignorMember[], partitionsPerTopic: Record<string, number>): AssignmentSpec {
  return { members, partitionsPerTopic: new Map(Object.entries(partitionsPerTopic)) };
}

/** A GroupAssignment as nested plain objects, so expectations read like Kafka's javadoc. */
export function plain(assignment: GroupAssignment): Record<string, Record<string, number[]>> {
  const result: Record<string, Record<string, number[]>> = {};
  for (const [memberId, topics] of assignment) result[memberId] = Object.fromEntries(topics);
  return result;
}

/** Partitions per member. */
export function counts(assignment: GroupAssignment): Map<string, number> {
  const result = new Map<string, number>();
  for (const [memberId, topics] of assignment) {
    let count = 0;
    for (const partitions of topics.values()) count += partitions.length;
    result.set(memberId, count);
  }
  return result;
}

/** "topic/partition" → owner. */
export function ownerByPartition(assignment: GroupAssignment): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [memberId, topics] of assignment) {
    for (const [topic, partitions] of topics) for (const partition of partitions) owners.set(`${topic}/${partition}`, memberId);
  }
  return owners;
}

/** The members of `spec` with their ownedPartitions (and generation) replaced by `assignment`. */
export function afterAssignment(spec: AssignmentSpec, assignment: GroupAssignment, generationId: number): AssignorMember[] {
  return spec.members.map((member) => ({
    ...member,
    generationId,
    ownedPartitions: [...(assignment.get(member.memberId) ?? new Map<string, number[]>())].map(([topic, partitions]) => ({ topic, partitions })),
  }));
}
