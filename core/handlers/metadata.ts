// Metadata. One node (ours) leads every partition, is its only replica and the
// controller. Unknown topics are created when auto creation is on (server setting and, from v4,
// the request's flag), answered first with LEADER_NOT_AVAILABLE as Kafka does; clients retry.
// In v0 an empty topic list means every topic; from v1 null means every topic.
import { ErrorCode, isLanesError } from '../errors.js';
import { metadataApi } from '../protocol/messages/metadata.js';
import type { MetadataResponseTopic } from '../protocol/messages/metadata.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { checkNewTopicName } from './topic_names.js';
import { defineHandler, type RequestContext, type TopicView } from './handler.js';

export const metadata = defineHandler({
  api: metadataApi,
  async handle(ctx, request) {
    const { settings } = ctx;
    const everyTopic = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    const topics: MetadataResponseTopic[] = [];
    if (everyTopic) {
      for (const topic of ctx.broker.listTopics()) topics.push(describedTopic(ctx, topic));
    } else {
      const allowCreate = settings.autoCreateTopics && (ctx.apiVersion < 4 || request.allowAutoTopicCreation);
      const seen = new Set<string>();
      for (const { topicName } of request.topics ?? []) {
        if (seen.has(topicName)) continue;
        seen.add(topicName);
        const topic = ctx.broker.describeTopic(topicName);
        if (topic !== undefined) topics.push(describedTopic(ctx, topic));
        else topics.push(await missingTopic(ctx, topicName, allowCreate));
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: settings.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }],
      clusterId: settings.clusterId,
      controllerId: settings.nodeId,
      topics,
      clusterAuthorizedOperations: authorizedOperationsOmitted,
    };
  },
});

function describedTopic(ctx: RequestContext, topic: TopicView): MetadataResponseTopic {
  const nodeId = ctx.settings.nodeId;
  return {
    errorCode: ErrorCode.NONE,
    topicName: topic.name,
    isInternal: false,
    partitions: topic.partitions.map((partition) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: partition.partition,
      leaderId: nodeId,
      leaderEpoch: 0,
      replicaNodes: [nodeId],
      isrNodes: [nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: authorizedOperationsOmitted,
  };
}

async function missingTopic(ctx: RequestContext, topicName: string, allowCreate: boolean): Promise<MetadataResponseTopic> {
  let errorCode: number = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  if (allowCreate) {
    try {
      checkNewTopicName(topicName);
      await ctx.broker.createTopic(topicName, { partitions: ctx.settings.defaultPartitions });
      errorCode = ErrorCode.LEADER_NOT_AVAILABLE;
    } catch (error) {
      if (!isLanesError(error)) throw error;
      // Another connection created it meanwhile: the client's retry will find it.
      errorCode = error.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? ErrorCode.LEADER_NOT_AVAILABLE : error.errorCode;
    }
  }
  return {
    errorCode,
    topicName,
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: authorizedOperationsOmitted,
  };
}
