// CreateTopics. One node: replication factor −1 or 1; manual assignments only fix
// the partition count. validate_only checks without creating. Per-topic errors.
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { createTopicsApi } from '../protocol/messages/create_topics.js';
import type { CreateTopicsRequest } from '../protocol/messages/create_topics.js';
import { checkNewTopicName } from './topic_names.js';
import { errorCodeOf, errorMessageOf } from './errors.js';
import { defineHandler, type RequestContext } from './handler.js';
import { checkLogCanHonour, parseTopicConfigs } from './topic_config.js';

type CreatableTopic = CreateTopicsRequest['topics'][number];

export const createTopics = defineHandler({
  api: createTopicsApi,
  async handle(ctx, request) {
    const counts = new Map<string, number>();
    for (const topic of request.topics) counts.set(topic.topicName, (counts.get(topic.topicName) ?? 0) + 1);
    const topics = await Promise.all(
      request.topics.map(async (topic) => {
        try {
          if (counts.get(topic.topicName)! > 1) throw new LanesError(ErrorCode.INVALID_REQUEST, `topic ${quoted(topic.topicName)} appears more than once`);
          await createOne(ctx, topic, request.validateOnly);
          return { topicName: topic.topicName, errorCode: ErrorCode.NONE, errorMessage: null };
        } catch (error) {
          return { topicName: topic.topicName, errorCode: errorCodeOf(error), errorMessage: errorMessageOf(error) };
        }
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});

async function createOne(ctx: RequestContext, topic: CreatableTopic, validateOnly: boolean): Promise<void> {
  checkNewTopicName(topic.topicName);
  if (topic.replicationFactor !== -1 && topic.replicationFactor !== 1 && topic.assignments.length === 0) {
    throw new LanesError(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor ${topic.replicationFactor} is larger than the 1 available broker`);
  }
  for (const assignment of topic.assignments) {
    if (assignment.brokerIds.some((id) => id !== ctx.settings.nodeId)) {
      throw new LanesError(ErrorCode.INVALID_REPLICATION_FACTOR, `assignment names brokers other than node ${ctx.settings.nodeId}`);
    }
  }
  const partitions = topic.assignments.length > 0 ? topic.assignments.length : topic.numPartitions === -1 ? ctx.settings.defaultPartitions : topic.numPartitions;
  if (!Number.isInteger(partitions) || partitions < 1) throw new LanesError(ErrorCode.INVALID_PARTITIONS, `a topic needs at least one partition, got ${partitions}`);
  const { overrides, config } = parseTopicConfigs(topic.configs);
  checkLogCanHonour({ ...ctx.broker.topicConfigDefaults, ...config });
  if (ctx.broker.describeTopic(topic.topicName) !== undefined) throw new LanesError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic ${quoted(topic.topicName)} already exists`);
  if (validateOnly) return;
  await ctx.broker.createTopic(topic.topicName, { partitions, configs: overrides });
}
