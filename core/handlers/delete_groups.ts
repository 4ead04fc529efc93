// DeleteGroups: only Empty groups can go (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND).
import { ErrorCode } from '../errors.js';
import { deleteGroupsApi } from '../protocol/messages/delete_groups.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const deleteGroups = defineHandler({
  api: deleteGroupsApi,
  async handle(ctx, request) {
    const failed = (errorCode: number) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) });
    if (ctx.groups === null) return failed(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    let results;
    try {
      results = await ctx.groups.deleteGroups(request.groupsNames);
    } catch (error) {
      return failed(groupErrorCodeOf(error));
    }
    return { throttleTimeMs: 0, results: results.map((result) => ({ groupId: result.groupId, errorCode: result.errorCode })) };
  },
});
