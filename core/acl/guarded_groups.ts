// The group coordinator as a client with an authorizer sees it: every call on a group the
// connection may not touch answers GROUP_AUTHORIZATION_FAILED, as Kafka answers. Single-group
// calls throw the error, which each handler's askCoordinator answers in its API's own failed
// shape; calls over many groups answer the refused groups one by one and pass the others on;
// ListGroups lists only the groups the client may DESCRIBE (Kafka's rule).
import { ErrorCode } from '../errors.js';
import type { GroupFacade, GroupMethod } from '../group/group_calls.js';
import { AclOperation, ResourceType, type AclOperationCode } from './acl.js';
import { accessError, answerAllowed, requireAccess, type MayOn } from './guarded_facades.js';

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
    describeGroups: (groupIds) =>
      answerAllowed(
        groupIds,
        (groupId) => may(AclOperation.DESCRIBE, groupId),
        (ids) => groups.describeGroups(ids),
        (group) => group.groupId,
        (groupId) => ({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] }),
      ),
    consumerGroupDescribe: (groupIds) =>
      answerAllowed(
        groupIds,
        (groupId) => may(AclOperation.DESCRIBE, groupId),
        (ids) => groups.consumerGroupDescribe(ids),
        (group) => group.groupId,
        (groupId) => ({
          errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
          errorMessage: accessError(mayOn, AclOperation.DESCRIBE, ResourceType.GROUP, groupId)?.message ?? null,
          groupId,
          groupState: '',
          groupEpoch: -1,
          assignmentEpoch: -1,
          assignorName: '',
          members: [],
        }),
      ),
    deleteGroups: (groupIds) =>
      answerAllowed(
        groupIds,
        (groupId) => may(AclOperation.DELETE, groupId),
        (ids) => groups.deleteGroups(ids),
        (group) => group.groupId,
        (groupId) => ({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED }),
      ),
    async listGroups(states) {
      const listed = await groups.listGroups(states);
      return listed.filter((group) => may(AclOperation.DESCRIBE, group.groupId));
    },
  };
}
