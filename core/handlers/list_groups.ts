// ListGroups: every group with its protocol type (no state filter before v4).
import { ErrorCode } from '../errors.js';
import { listGroupsApi } from '../protocol/messages/list_groups.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const listGroups = defineHandler({
  api: listGroupsApi,
  handle(ctx) {
    return askCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }),
      (groups) => groups.listGroups([]),
      (listed) => ({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, groups: listed.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType })) }),
    );
  },
});
