// DescribeGroups: group state by Kafka's state names, members with their metadata
// and assignment bytes.
import { ErrorCode } from '../errors.js';
import { describeGroupsApi } from '../protocol/messages/describe_groups.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const describeGroups = defineHandler({
  api: describeGroupsApi,
  async handle(ctx, request) {
    const failed = (errorCode: number) => ({
      throttleTimeMs: 0,
      groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: authorizedOperationsOmitted })),
    });
    if (ctx.groups === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    let described;
    try {
      described = await ctx.groups.describeGroups(request.groups);
    } catch (error) {
      return failed(groupErrorCodeOf(error));
    }
    return {
      throttleTimeMs: 0,
      groups: described.map((group) => ({
        errorCode: group.errorCode,
        groupId: group.groupId,
        groupState: group.groupState,
        protocolType: group.protocolType,
        protocolData: group.protocolData,
        members: group.members.map((member) => ({ ...member })),
        authorizedOperations: authorizedOperationsOmitted,
      })),
    };
  },
});
