// DescribeGroups: group state by Kafka's state names, members with their metadata
// and assignment bytes. The coordinator describes a group it has no classic group by as Dead
// (what Kafka answers up to v5); from v6 that is GROUP_ID_NOT_FOUND with Kafka's message, which
// says whether the id names a consumer-protocol group (asked of ConsumerGroupDescribe's call).
import { ErrorCode, quoted } from '../errors.js';
import { describeGroupsApi, type DescribeGroupsResponse } from '../protocol/messages/describe_groups.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import type { DescribedGroup } from '../group/group_api.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler, type RequestContext } from './handler.js';

/** From this version a group that is not a classic group is GROUP_ID_NOT_FOUND, not Dead (KIP-1043). */
const notFoundFromVersion = 6;

export const describeGroups = defineHandler({
  api: describeGroupsApi,
  async handle(ctx, request) {
    const response = await askCoordinator<readonly DescribedGroup[], DescribeGroupsResponse>(
      ctx,
      (errorCode) => ({
        throttleTimeMs: 0,
        groups: request.groups.map((groupId) => ({ errorCode, errorMessage: null, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: authorizedOperationsOmitted })),
      }),
      (groups) => groups.describeGroups(request.groups),
      (described) => ({
        throttleTimeMs: 0,
        groups: described.map((group) => ({
          errorCode: group.errorCode,
          errorMessage: null,
          groupId: group.groupId,
          groupState: group.groupState,
          protocolType: group.protocolType,
          protocolData: group.protocolData,
          members: group.members.map((member) => ({ ...member })),
          authorizedOperations: authorizedOperationsOmitted,
        })),
      }),
    );
    return ctx.apiVersion >= notFoundFromVersion ? notFoundFromV6(ctx, response) : response;
  },
});

/** Every group described as Dead without an error: none the coordinator has as a classic group. */
async function notFoundFromV6(ctx: RequestContext, response: DescribeGroupsResponse): Promise<DescribeGroupsResponse> {
  const missing = response.groups.filter((group) => group.errorCode === ErrorCode.NONE && group.groupState === 'Dead' && group.members.length === 0);
  if (missing.length === 0 || ctx.groups === null) return response;
  // A consumer-protocol group is there, just not classic; Kafka's message says which.
  const consumerGroups = new Set<string>();
  try {
    for (const group of await ctx.groups.consumerGroupDescribe(missing.map((group) => group.groupId))) {
      if (group.errorCode === ErrorCode.NONE) consumerGroups.add(group.groupId);
    }
  } catch {
    // The message only loses its detail; the code is the same either way.
  }
  return {
    ...response,
    groups: response.groups.map((group) =>
      missing.includes(group)
        ? {
            ...group,
            errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
            errorMessage: consumerGroups.has(group.groupId) ? `Group ${quoted(group.groupId)} is not a classic group.` : `Group ${quoted(group.groupId)} not found.`,
            groupState: '',
          }
        : group,
    ),
  };
}
