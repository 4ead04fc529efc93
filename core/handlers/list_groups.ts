// ListGroups: every group with its protocol type (no state filter before v4).
import { ErrorCode } from '../errors.js';
import { listGroupsApi } from '../protocol/messages/list_groups.js';
import { groupErrorCodeOf } from './errors.js';
import { defineHandler } from './handler.js';

export const listGroups = defineHandler({
  api: listGroupsApi,
  async handle(ctx) {
    if (ctx.groups === null) return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    let listed;
    try {
      listed = await ctx.groups.listGroups([]);
    } catch (error) {
      return { throttleTimeMs: 0, errorCode: groupErrorCodeOf(error), groups: [] };
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: listed.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType })),
    };
  },
});
