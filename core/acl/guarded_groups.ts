// The group coordinator as a client with an authorizer sees it: every call on a group the
// connection may not touch answers GROUP_AUTHORIZATION_FAILED, as Kafka answers. Single-group
// calls throw the error, which each handler's askCoordinator answers in its API's own failed
// shape; calls over many groups answer the refused groups one by one and pass the others on;
// ListGroups lists only the groups the client may DESCRIBE (Kafka's rule). The offset calls check
// each topic as well (READ to commit or delete a topic's offsets, DESCRIBE to fetch them): a refused
// topic is answered TOPIC_AUTHORIZATION_FAILED per partition, and only the allowed topics reach the
// coordinator (Kafka's KafkaApis does the same, so a client cannot learn or move another team's
// offsets through a group it shares).
import { ErrorCode } from '../errors.js';
import type { OffsetCommitTopicResponse, OffsetFetchTopicResponse } from '../group/group_api.js';
import type { GroupFacade, GroupMethod } from '../group/group_calls.js';
import { AclOperation, ResourceType, type AclOperationCode } from './acl.js';
import { accessError, answerAllowed, requireAccess, type MayOn } from './guarded_facades.js';

/** The operation each single-group call needs (Kafka's KafkaApis checks). */
const singleGroupOperation = {
  joinGroup: AclOperation.READ,
  syncGroup: AclOperation.READ,
  heartbeat: AclOperation.READ,
  leaveGroup: AclOperation.READ,
  txnOffsetsCommit: AclOperation.READ,
  validateTxnOffsetCommit: AclOperation.READ,
  consumerGroupHeartbeat: AclOperation.READ,
} as const satisfies Partial<Record<GroupMethod, AclOperationCode>>;

/**
 * The topics of a request split by `allowed`; the allowed ones are asked of `call` (not at all when
 * none is), and the answer lists every requested topic in request order, a refused one by
 * `refused(topic)`.
 */
async function topicsInRequestOrder<Topic extends { readonly name: string }, Answer extends { readonly name: string }>(
  topics: readonly Topic[],
  allowed: (name: string) => boolean,
  call: (allowedTopics: Topic[]) => Promise<readonly Answer[]>,
  refused: (topic: Topic) => Answer,
): Promise<Answer[]> {
  const asked = topics.filter((topic) => allowed(topic.name));
  const byName = new Map((asked.length === 0 ? [] : await call(asked)).map((answer) => [answer.name, answer]));
  return topics.map((topic) => byName.get(topic.name) ?? refused(topic));
}

const topicRefused = ErrorCode.TOPIC_AUTHORIZATION_FAILED;

export function guardedGroups(groups: GroupFacade, mayOn: MayOn): GroupFacade {
  const may = (operation: AclOperationCode, groupId: string) => mayOn(operation, ResourceType.GROUP, groupId);
  const mayTopic = (operation: AclOperationCode) => (name: string) => mayOn(operation, ResourceType.TOPIC, name);
  const refusedCommit = (topic: { name: string; partitions: readonly { partitionIndex: number }[] }): OffsetCommitTopicResponse => ({
    name: topic.name,
    partitions: topic.partitions.map((partition) => ({ partitionIndex: partition.partitionIndex, errorCode: topicRefused })),
  });
  const refusedPartitions = (topic: { name: string; partitionIndexes: readonly number[] }) => ({
    name: topic.name,
    partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: topicRefused })),
  });
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
    async offsetCommit(request) {
      requireAccess(mayOn, AclOperation.READ, ResourceType.GROUP, request.groupId);
      const topics = await topicsInRequestOrder(
        request.topics,
        mayTopic(AclOperation.READ),
        async (allowed) => (await groups.offsetCommit({ ...request, topics: allowed })).topics,
        refusedCommit,
      );
      return { topics };
    },
    txnOffsetsCommit: single('txnOffsetsCommit'),
    validateTxnOffsetCommit: single('validateTxnOffsetCommit'),
    consumerGroupHeartbeat: single('consumerGroupHeartbeat'),
    async offsetFetch(request) {
      requireAccess(mayOn, AclOperation.DESCRIBE, ResourceType.GROUP, request.groupId);
      const describable = mayTopic(AclOperation.DESCRIBE);
      if (request.topics === null) {
        // Every committed topic: those the client may not describe are left out, as Kafka does.
        const fetched = await groups.offsetFetch(request);
        return { ...fetched, topics: fetched.topics.filter((topic) => describable(topic.name)) };
      }
      let errorCode: number = ErrorCode.NONE;
      const topics = await topicsInRequestOrder(
        request.topics,
        describable,
        async (allowed) => {
          const fetched = await groups.offsetFetch({ ...request, topics: allowed });
          errorCode = fetched.errorCode;
          return fetched.topics;
        },
        (topic): OffsetFetchTopicResponse => ({
          name: topic.name,
          partitions: topic.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: null, errorCode: topicRefused })),
        }),
      );
      return { errorCode, topics };
    },
    async offsetDelete(request) {
      requireAccess(mayOn, AclOperation.DELETE, ResourceType.GROUP, request.groupId);
      let errorCode: number = ErrorCode.NONE;
      const topics = await topicsInRequestOrder(
        request.topics,
        mayTopic(AclOperation.READ),
        async (allowed) => {
          const deleted = await groups.offsetDelete({ ...request, topics: allowed });
          errorCode = deleted.errorCode;
          return deleted.topics;
        },
        refusedPartitions,
      );
      return { errorCode, topics };
    },
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
