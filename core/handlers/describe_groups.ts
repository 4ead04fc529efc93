// DescribeGroups (15), v0–v4: group state by Kafka's state names, members with their metadata
// and assignment bytes.
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { defineHandler } from './handler.js';

export const describeGroups = defineHandler({
  apiKey: ApiKey.DescribeGroups,
  name: 'DescribeGroups',
  versionMin: 0,
  versionMax: 4,
  async handle(ctx, request) {
    if (ctx.groups === null) {
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((groupId) => ({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: authorizedOperationsOmitted })),
      };
    }
    const described = await ctx.groups.describeGroups(request.groups);
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
