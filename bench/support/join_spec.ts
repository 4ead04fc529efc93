// The assignor benchmarks' "join" case: a group that was given `assignment` in generation 1 (each
// member now owns its partitions) and one newcomer subscribed like the first member, the
// rebalance a sticky assignor is built for.
import type { AssignmentSpec, AssignorMember, GroupAssignment } from '../../core/assignors/assignor.js';

export function joinSpec(fresh: AssignmentSpec, assignment: GroupAssignment): AssignmentSpec {
  const members: AssignorMember[] = fresh.members.map((member) => ({
    ...member,
    generationId: 1,
    ownedPartitions: [...(assignment.get(member.memberId) ?? [])].map(([topic, partitions]) => ({ topic, partitions })),
  }));
  members.push({ memberId: 'consumer-newcomer', topics: fresh.members[0].topics });
  return { members, partitionsPerTopic: fresh.partitionsPerTopic };
}
