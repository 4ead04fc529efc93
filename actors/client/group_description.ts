// A coordinator's DescribeGroups answer in KafkaJS's shape: what `admin.describeGroups()` lists and
// `consumer.describeGroup()` returns. Metadata and assignment bytes are copied into Buffers so the
// caller owns them.
import type { DescribedGroup } from '../../core/group/group_api.js';
import type { GroupDescription } from './types.js';

export function toGroupDescription(group: DescribedGroup): GroupDescription {
  return {
    groupId: group.groupId,
    errorCode: group.errorCode,
    state: group.groupState,
    protocolType: group.protocolType,
    protocol: group.protocolData,
    members: group.members.map((member) => ({
      memberId: member.memberId,
      clientId: member.clientId,
      clientHost: member.clientHost,
      memberMetadata: Buffer.from(member.memberMetadata),
      memberAssignment: Buffer.from(member.memberAssignment),
    })),
  };
}
