// CreateTopics. One node: replication factor −1 or 1; a manual assignment must give partitions
// 0…n−1, each replicated on this node only (replica_assignment.ts), and then fixes only the
// partition count. validate_only checks without creating. Per-topic errors. From v5 a created
// topic is answered with its partition count, replication factor and configs, from v7 its id.
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { createTopicsApi } from '../protocol/messages/create_topics.js';
import type { CreateTopicsRequest, CreateTopicsResponseTopic } from '../protocol/messages/create_topics.js';
import { checkNewTopicName } from './topic_names.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';
import { describeTopicConfigs } from './describe_configs.js';
import { checkReplicaLists } from './replica_assignment.js';
import { zeroTopicId } from './topic_ids.js';
import { checkLogCanHonour, parseTopicConfigs } from './topic_config.js';

type CreatableTopic = CreateTopicsRequest['topics'][number];
type CreatedConfig = NonNullable<CreateTopicsResponseTopic['configs']>[number];

export const createTopics = defineHandler({
  api: createTopicsApi,
  async handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.topicName, (counts.get(topic.topicName) ?? 0) + 1);
    const topics = await Promise.all(
      request.topics.map(async (topic): Promise<CreateTopicsResponseTopic> => {
        try {
          if (counts.get(topic.topicName)! > 1) throw new LanesError(ErrorCode.INVALID_REQUEST, `topic ${quoted(topic.topicName)} appears more than once`);
          const created = await createOne(ctx, topic, request.validateOnly);
          return {
            topicName: topic.topicName,
            topicId: created.topicId,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            topicConfigErrorCode: ErrorCode.NONE,
            numPartitions: created.partitions,
            replicationFactor: 1,
            configs: created.configs,
          };
        } catch (error) {
          return {
            topicName: topic.topicName,
            topicId: zeroTopicId(),
            errorCode: errorCodeOf(error),
            errorMessage: errorMessageOf(error),
            topicConfigErrorCode: ErrorCode.NONE,
            numPartitions: -1,
            replicationFactor: -1,
            configs: [],
          };
        }
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

interface Created {
  /** The new topic's id; all zero when only validated. */
  topicId: Uint8Array;
  partitions: number;
  configs: CreatedConfig[];
}

async function createOne(ctx: RequestContext, topic: CreatableTopic, validateOnly: boolean): Promise<Created> {
  checkNewTopicName(topic.topicName);
  if (topic.assignments.length > 0) {
    if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
      throw new LanesError(ErrorCode.INVALID_REQUEST, 'numPartitions or replicationFactor and a manual assignment were both set; only one may be');
    }
    const indexes = topic.assignments.map((assignment) => assignment.partitionIndex).sort((a, b) => a - b);
    if (indexes.some((index, position) => index !== position)) {
      throw new LanesError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'the assignment\'s partitions must be 0, 1, 2… each once');
    }
    checkReplicaLists(topic.assignments.map((assignment) => assignment.brokerIds), ctx.settings.nodeId, 'the assignment');
  } else if (topic.replicationFactor !== -1 && topic.replicationFactor !== 1) {
    throw new LanesError(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${topic.replicationFactor} is larger than the 1 available broker`);
  }
  const partitions = topic.assignments.length > 0 ? topic.assignments.length : topic.numPartitions === -1 ? ctx.settings.defaultPartitions : topic.numPartitions;
  if (!Number.isInteger(partitions) || partitions < 1) throw new LanesError(ErrorCode.INVALID_PARTITIONS, `a topic needs at least one partition, got ${partitions}`);
  const { overrides, config } = parseTopicConfigs(topic.configs);
  checkLogCanHonour({ ...ctx.broker.topicConfigDefaults, ...config });
  if (ctx.broker.describeTopic(topic.topicName) !== undefined) throw new LanesError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${quoted(topic.topicName)} already exists`);
  if (validateOnly) return { topicId: zeroTopicId(), partitions, configs: configsOf(ctx, overrides) };
  await ctx.broker.createTopic(topic.topicName, { partitions, configs: overrides });
  const created = ctx.broker.describeTopic(topic.topicName);
  // Deleted again by another client before this answer: it was created, with these settings.
  if (created === undefined) return { topicId: zeroTopicId(), partitions, configs: configsOf(ctx, overrides) };
  return { topicId: created.topicId, partitions: created.partitions.length, configs: configsOf(ctx, created.overrides) };
}

/**
 * Every topic config with the value the topic has and where it comes from, as DescribeConfigs
 * reports it (KIP-525): the configs the request set as the topic's own, the rest from the broker.
 */
function configsOf(ctx: RequestContext, overrides: Readonly<Record<string, string>>): CreatedConfig[] {
  const options = { includeSynonyms: false, includeDocumentation: false };
  return describeTopicConfigs(overrides, ctx.broker.topicConfigDefaults, null, options).map(({ name, value, readOnly, configSource, isSensitive }) => ({ name, value, readOnly, configSource, isSensitive }));
}
