// DeleteGroups: only Empty groups can go (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND).
import { deleteGroupsApi } from '../protocol/messages/delete_groups.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const deleteGroups = defineHandler({
  api: deleteGroupsApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, results: request.groupsNames.map((groupId) => ({ groupId, errorCode })) }),
      (groups) => groups.deleteGroups(request.groupsNames),
      (results) => ({ throttleTimeMs: 0, results: results.map((result) => ({ groupId: result.groupId, errorCode: result.errorCode })) }),
    );
  },
});
