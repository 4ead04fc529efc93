// LeaveGroup. v0–v2 name one member and answer
// with one error code (a per-member error surfaces at the top, since those versions have no
// member list); v3 is a batch answered per member; v5 adds each member's reason (for logs).
import { leaveGroupErrorCodeV0 } from '../group/group_api.js';
import { leaveGroupApi } from '../protocol/messages/leave_group.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';

export const leaveGroup = defineHandler({
  api: leaveGroupApi,
  handle(ctx, request) {
    const batch = ctx.apiVersion >= 3;
    return askCoordinator(
      ctx,
      (errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }),
      (groups) =>
        groups.leaveGroup({
          groupId: request.groupId,
          members: batch
            ? request.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, reason: member.reason }))
            : [{ memberId: request.memberId, groupInstanceId: null }],
        }),
      (response) => {
        if (!batch) return { throttleTimeMs: 0, errorCode: leaveGroupErrorCodeV0(response), members: [] };
        return {
          throttleTimeMs: 0,
          errorCode: response.errorCode,
          members: response.members.map((member) => ({ memberId: member.memberId, groupInstanceId: member.groupInstanceId, errorCode: member.errorCode })),
        };
      },
    );
  },
});
