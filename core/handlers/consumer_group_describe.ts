// ConsumerGroupDescribe (KIP-848): each group from the coordinator of its shard; topics carry
// both id and name. Unknown and classic group ids answer GROUP_ID_NOT_FOUND (the coordinator's).
import type { ConsumerTopicPartitions } from '../group/group_api.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { consumerGroupDescribeApi } from '../protocol/messages/consumer_group_describe.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler, type RequestContext } from './handler.js';
import { topicIdOf } from './topic_id_lookup.js';
import { zeroTopicId } from './topic_ids.js';

/** ConsumerGroupDescribe v1's member type (KIP-1099): 1 for a consumer-protocol member. */
const consumerMemberType = 1;

function wireAssignment(ctx: RequestContext, assignment: readonly ConsumerTopicPartitions[]) {
  return {
    topicPartitions: assignment.map(({ topic, partitions }) => ({ topicId: topicIdOf(ctx, topic) ?? zeroTopicId(), topicName: topic, partitions: [...partitions] })),
  };
}

export const consumerGroupDescribe = defineHandler({
  api: consumerGroupDescribeApi,
  handle(ctx, request) {
    return askCoordinator(
      ctx,
      (errorCode) => ({
        throttleTimeMs: 0,
        groups: request.groupIds.map((groupId) => ({
          errorCode, errorMessage: null, groupId, groupState: '', groupEpoch: -1, assignmentEpoch: -1, assignorName: '', members: [], authorizedOperations: authorizedOperationsOmitted,
        })),
      }),
      (groups) => groups.consumerGroupDescribe(request.groupIds),
      (described) => ({
        throttleTimeMs: 0,
        groups: described.map((group) => ({
          errorCode: group.errorCode,
          errorMessage: group.errorMessage,
          groupId: group.groupId,
          groupState: group.groupState,
          groupEpoch: group.groupEpoch,
          assignmentEpoch: group.assignmentEpoch,
          assignorName: group.assignorName,
          members: group.members.map((member) => ({
            memberId: member.memberId,
            instanceId: member.instanceId,
            rackId: member.rackId,
            memberEpoch: member.memberEpoch,
            clientId: member.clientId,
            clientHost: member.clientHost,
            subscribedTopicNames: [...member.subscribedTopicNames],
            subscribedTopicRegex: member.subscribedTopicRegex,
            assignment: wireAssignment(ctx, member.assignment),
            targetAssignment: wireAssignment(ctx, member.targetAssignment),
            memberType: consumerMemberType,
          })),
          authorizedOperations: authorizedOperationsOmitted,
        })),
      }),
    );
  },
});
