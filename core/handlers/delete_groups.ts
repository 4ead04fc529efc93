// DeleteGroups (42), v0–v1: only Empty groups can go (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND).
import { ErrorCode } from '../errors.js';
import { ApiKey } from '../protocol/api_keys.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const deleteGroups = defineHandler({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  versionMin: 0,
  versionMax: 1,
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
