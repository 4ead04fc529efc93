// Metadata. One node (ours) leads every partition, is its only replica and the
// controller. Unknown topics are created when auto creation is on (server setting and, from v4,
// the request's flag), answered first with LEADER_NOT_AVAILABLE as Kafka does; clients retry.
// In v0 an empty topic list means every topic; from v1 null means every topic. From v12 a topic
// may be asked by id (its name null): an unknown id is UNKNOWN_TOPIC_ID, never auto-created.
import { ErrorCode, isLanesError } from '../errors.js';
import { metadataApi } from '../protocol/messages/metadata.js';
import type { MetadataRequest, MetadataResponseTopic } from '../protocol/messages/metadata.js';
import { authorizedOperationsOmitted } from '../protocol/messages/metadata.js';
import { checkNewTopicName } from './topic_names.js';
import { isZeroTopicId, topicIdText, zeroTopicId } from './topic_ids.js';
import { AclOperation, mayCreateTopic, mayOnTopic } from './authorize.js';
import { defineHandler, type RequestContext, type TopicView } from './handler.js';

/** From this version a request topic may name itself by id alone; before it, its id is not read (Kafka refuses one). */
const topicIdsFromVersion = 12;

export const metadata = defineHandler({
  api: metadataApi,
  async handle(ctx, request) {
    const { settings } = ctx;
    const everyTopic = request.topics === null || (ctx.apiVersion === 0 && request.topics.length === 0);
    const topics: MetadataResponseTopic[] = [];
    if (everyTopic) {
      // With an authorizer, the topics the client may not DESCRIBE are left out (Kafka's rule).
      for (const topic of ctx.broker.listTopics()) if (mayOnTopic(ctx, AclOperation.DESCRIBE, topic.name)) topics.push(describedTopic(ctx, topic));
    } else {
      const allowCreate = settings.autoCreateTopics && (ctx.apiVersion < 4 || request.allowAutoTopicCreation);
      const seen = new Set<string>();
      for (const asked of request.topics ?? []) {
        const answer = await answerTopic(ctx, asked, allowCreate, seen);
        if (answer !== null) topics.push(answer);
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: settings.nodeId, host: ctx.advertisedHost, port: ctx.advertisedPort, rack: null }],
      clusterId: settings.clusterId,
      controllerId: settings.nodeId,
      topics,
      clusterAuthorizedOperations: authorizedOperationsOmitted,
      errorCode: ErrorCode.NONE,
    };
  },
});

/** One asked topic's answer; null for a repeat of a topic already answered. */
async function answerTopic(
  ctx: RequestContext,
  asked: NonNullable<MetadataRequest['topics']>[number],
  allowCreate: boolean,
  seen: Set<string>,
): Promise<MetadataResponseTopic | null> {
  if (ctx.apiVersion >= topicIdsFromVersion && !isZeroTopicId(asked.topicId)) {
    const key = `id:${topicIdText(asked.topicId)}`;
    if (seen.has(key)) return null;
    seen.add(key);
    const name = ctx.broker.topicNameById(asked.topicId);
    const topic = name === undefined ? undefined : ctx.broker.describeTopic(name);
    if (topic === undefined) return errorTopic(ErrorCode.UNKNOWN_TOPIC_ID, null, asked.topicId);
    if (!mayOnTopic(ctx, AclOperation.DESCRIBE, topic.name)) return errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, null, asked.topicId);
    return describedTopic(ctx, topic);
  }
  if (asked.topicName === null) {
    // Neither a name nor (where ids are read) an id: nothing to look up. The response's name is
    // nullable only from v12.
    return errorTopic(ErrorCode.INVALID_REQUEST, ctx.apiVersion >= topicIdsFromVersion ? null : '', zeroTopicId());
  }
  const key = `name:${asked.topicName}`;
  if (seen.has(key)) return null;
  seen.add(key);
  // Refused DESCRIBE: the same answer whether or not the topic exists, so its existence does not leak.
  if (!mayOnTopic(ctx, AclOperation.DESCRIBE, asked.topicName)) return errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, asked.topicName, zeroTopicId());
  const topic = ctx.broker.describeTopic(asked.topicName);
  if (topic !== undefined) return describedTopic(ctx, topic);
  if (allowCreate && !mayCreateTopic(ctx, asked.topicName)) return errorTopic(ErrorCode.TOPIC_AUTHORIZATION_FAILED, asked.topicName, zeroTopicId());
  return missingTopic(ctx, asked.topicName, allowCreate);
}

function describedTopic(ctx: RequestContext, topic: TopicView): MetadataResponseTopic {
  const nodeId = ctx.settings.nodeId;
  return {
    errorCode: ErrorCode.NONE,
    topicName: topic.name,
    topicId: topic.topicId,
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

function errorTopic(errorCode: number, topicName: string | null, topicId: Uint8Array): MetadataResponseTopic {
  return { errorCode, topicName, topicId, isInternal: false, partitions: [], topicAuthorizedOperations: authorizedOperationsOmitted };
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
  // No id yet: the client learns it from the retry that finds the topic.
  return errorTopic(errorCode, topicName, zeroTopicId());
}
