// DescribeGroups: group state by Kafka's state names, members with their metadata
// and assignment bytes.
import { describeGroupsApi } from '../protocol/messages/describe_groups.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const describeGroups = defineHandler({
  api: describeGroupsApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({
        throttleTimeMs: 0,
        groups: request.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: authorizedOperationsOmitted })),
      }),
      (groups) => groups.describeGroups(request.groups),
      (described) => ({
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
      }),
    );
  },
});
