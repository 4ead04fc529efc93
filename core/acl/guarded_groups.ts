// The group coordinator as a client with an authorizer sees it: every call on a group the
// connection may not touch answers GROUP_AUTHORIZATION_FAILED, as Kafka answers. Single-group
// calls throw the error, which each handler's askCoordinator answers in its API's own failed
// shape; calls over many groups answer the refused groups one by one and pass the others on;
// ListGroups lists only the groups the client may DESCRIBE (Kafka's rule).
import { ErrorCode, type LanesError } from '../errors.js';
import type { GroupFacade, GroupMethod } from '../group/group_calls.js';
import { AclOperation, ResourceType, type AclOperationCode } from './acl.js';
import { requireAccess, type MayOn } from './guarded_facades.js';

/** The operation each single-group call needs (Kafka's KafkaApis checks). */
const singleGroupOperation = {
  joinGroup: AclOperation.READ,
  syncGroup: AclOperation.READ,
  heartbeat: AclOperation.READ,
  leaveGroup: AclOperation.READ,
  offsetCommit: AclOperation.READ,
  txnOffsetsCommit: AclOperation.READ,
  validateTxnOffsetCommit: AclOperation.READ,
  consumerGroupHeartbeat: AclOperation.READ,
  offsetFetch: AclOperation.DESCRIBE,
  offsetDelete: AclOperation.DELETE,
} as const satisfies Partial<Record<GroupMethod, AclOperationCode>>;

/** The refusal as the error a call would throw. */
function refused(may: MayOn, operation: AclOperationCode, groupId: string): LanesError | null {
  try {
    requireAccess(may, operation, ResourceType.GROUP, groupId);
    return null;
  } catch (error) {
    return error as LanesError;
  }
}

export function guardedGroups(groups: GroupFacade, mayOn: MayOn): GroupFacade {
  const may = (operation: AclOperationCode, groupId: string) => mayOn(operation, ResourceType.GROUP, groupId);
  const single = <M extends keyof typeof singleGroupOperation>(method: M): GroupFacade[M] => {
    const operation = singleGroupOperation[method];
    const call = groups[method] as (request: { groupId: string }) => Promise<unknown>;
    return (async (request: { groupId: string }) => {
      requireAccess(mayOn, operation, ResourceType.GROUP, request.groupId);
      return call.call(groups, request);
    }) as GroupFacade[M];
  };
  return {
    joinGroup: single('joinGroup'),
    syncGroup: single('syncGroup'),
    heartbeat: single('heartbeat'),
    leaveGroup: single('leaveGroup'),
    offsetCommit: single('offsetCommit'),
    txnOffsetsCommit: single('txnOffsetsCommit'),
    validateTxnOffsetCommit: single('validateTxnOffsetCommit'),
    consumerGroupHeartbeat: single('consumerGroupHeartbeat'),
    offsetFetch: single('offsetFetch'),
    offsetDelete: single('offsetDelete'),
    async describeGroups(groupIds) {
      const allowed = groupIds.filter((groupId) => may(AclOperation.DESCRIBE, groupId));
      const described = allowed.length === 0 ? [] : await groups.describeGroups(allowed);
      const byId = new Map(described.map((group) => [group.groupId, group]));
      return groupIds.map(
        (groupId) =>
          byId.get(groupId) ?? { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] },
      );
    },
    async consumerGroupDescribe(groupIds) {
      const allowed = groupIds.filter((groupId) => may(AclOperation.DESCRIBE, groupId));
      const described = allowed.length === 0 ? [] : await groups.consumerGroupDescribe(allowed);
      const byId = new Map(described.map((group) => [group.groupId, group]));
      return groupIds.map(
        (groupId) =>
          byId.get(groupId) ?? {
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            errorMessage: refused(mayOn, AclOperation.DESCRIBE, groupId)?.message ?? null,
            groupId,
            groupState: '',
            groupEpoch: -1,
            assignmentEpoch: -1,
            assignorName: '',
            members: [],
          },
      );
    },
    async deleteGroups(groupIds) {
      const allowed = groupIds.filter((groupId) => may(AclOperation.DELETE, groupId));
      const deleted = allowed.length === 0 ? [] : await groups.deleteGroups(allowed);
      const byId = new Map(deleted.map((group) => [group.groupId, group]));
      return groupIds.map((groupId) => byId.get(groupId) ?? { groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
    },
    async listGroups(states) {
      const listed = await groups.listGroups(states);
      return listed.filter((group) => may(AclOperation.DESCRIBE, group.groupId));
    },
  };
}
