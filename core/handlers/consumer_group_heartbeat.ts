// ConsumerGroupHeartbeat (KIP-848): the coordinator's answer, topics mapped between the wire's
// ids and the coordinator's names. From v1 the member makes its own member id (KIP-1082), so an
// empty one is INVALID_REQUEST there; v0 members get one from the coordinator.
import { ErrorCode } from '../errors.js';
import type { ConsumerTopicPartitions } from '../group/group_api.js';
import { consumerGroupHeartbeatApi, type ConsumerGroupHeartbeatResponse } from '../protocol/messages/consumer_group_heartbeat.js';
import { askCoordinator } from './ask_coordinator.js';
import { defineHandler } from './handler.js';
import { topicIdOf, topicNameOf } from './topic_id_lookup.js';

function failed(errorCode: number, errorMessage: string | null = null): ConsumerGroupHeartbeatResponse {
  return { throttleTimeMs: 0, errorCode, errorMessage, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null };
}

export const consumerGroupHeartbeat = defineHandler({
  api: consumerGroupHeartbeatApi,
  handle(ctx, request) {
    if (ctx.apiVersion >= 1 && request.memberId === '') return Promise.resolve(failed(ErrorCode.INVALID_REQUEST, "MemberId can't be empty."));
    let ownedPartitions: ConsumerTopicPartitions[] | null = null;
    if (request.topicPartitions !== null) {
      ownedPartitions = [];
      for (const owned of request.topicPartitions) {
        const topic = topicNameOf(ctx, owned.topicId);
        if (topic !== undefined) ownedPartitions.push({ topic, partitions: owned.partitions });
      }
    }
    return askCoordinator(
      ctx,
      (errorCode) => failed(errorCode),
      (groups) =>
        groups.consumerGroupHeartbeat({
          groupId: request.groupId,
          memberId: request.memberId,
          memberEpoch: request.memberEpoch,
          instanceId: request.instanceId,
          rackId: request.rackId,
          rebalanceTimeoutMs: request.rebalanceTimeoutMs,
          subscribedTopicNames: request.subscribedTopicNames,
          subscribedTopicRegex: request.subscribedTopicRegex,
          serverAssignor: request.serverAssignor,
          ownedPartitions,
          clientId: ctx.clientId ?? '',
          clientHost: ctx.clientHost,
        }),
      (response) => ({
        throttleTimeMs: 0,
        errorCode: response.errorCode,
        errorMessage: response.errorMessage,
        memberId: response.memberId,
        memberEpoch: response.memberEpoch,
        heartbeatIntervalMs: response.heartbeatIntervalMs,
        assignment:
          response.assignment === null
            ? null
            : {
                topicPartitions: response.assignment.flatMap(({ topic, partitions }) => {
                  const topicId = topicIdOf(ctx, topic);
                  return topicId === undefined ? [] : [{ topicId, partitions: [...partitions] }];
                }),
              },
      }),
    );
  },
});
