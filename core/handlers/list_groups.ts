// ListGroups: every group with its protocol type; v4 filters by state (case-insensitively) and
// answers each group's state, v5 filters by type ("classic", "consumer") and answers it.
import { ErrorCode } from '../errors.js';
import { listGroupsApi } from '../protocol/messages/list_groups.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const listGroups = defineHandler({
  api: listGroupsApi,
  handle(ctx, request) {
    const types = new Set(request.typesFilter.map((type) => type.toLowerCase()));
    return askCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
      (groups) => groups.listGroups(request.statesFilter),
      (listed) => ({
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        groups: listed
          .filter((group) => types.size === 0 || types.has(group.groupType))
          .map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.groupState, groupType: group.groupType })),
      }),
    );
  },
});
