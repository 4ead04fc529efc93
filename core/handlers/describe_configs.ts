// DescribeConfigs. Topics (resource type 2) report the configs Lanes implements plus
// the fixed ones it behaves as (cleanup.policy=delete); the broker (type 4) reports the settings
// clients look at. Other resource types answer INVALID_REQUEST.
import { ErrorCode, quoted } from '../errors.js';
import { describeConfigsApi } from '../protocol/messages/describe_configs.js';
import type { DescribeConfigsResponse } from '../protocol/messages/describe_configs.js';
import { defineHandler, type RequestContext } from './handler.js';
import { topicConfigNames, type TopicConfigName } from './topic_config.js';

export const ResourceType = { topic: 2, broker: 4 } as const;
/** Kafka's ConfigSource: 1 dynamic topic config, 4 static broker config. */
const sourceTopic = 1;
const sourceBroker = 4;

type Result = DescribeConfigsResponse['results'][number];

export const describeConfigs = defineHandler({
  api: describeConfigsApi,
  async handle(ctx, request) {
    const results = request.resources.map((resource) => describe(ctx, resource.resourceType, resource.resourceName, resource.configurationKeys));
    return { throttleTimeMs: 0, results };
  },
});

function describe(ctx: RequestContext, resourceType: number, resourceName: string, keys: string[] | null): Result {
  const base = { resourceType, resourceName };
  let entries: [string, string][];
  let source: number;
  if (resourceType === ResourceType.topic) {
    const topic = ctx.broker.describeTopic(resourceName);
    if (topic === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic ${quoted(resourceName)} does not exist`, configs: [] };
    entries = (Object.keys(topicConfigNames) as TopicConfigName[]).map((name) => [name, String(topic.config[topicConfigNames[name]])]);
    entries.push(['cleanup.policy', 'delete'], ['message.timestamp.type', 'CreateTime']);
    source = sourceTopic;
  } else if (resourceType === ResourceType.broker) {
    if (resourceName !== '' && resourceName !== String(ctx.settings.nodeId)) {
      return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `no broker ${quoted(resourceName)}`, configs: [] };
    }
    entries = [
      ['auto.create.topics.enable', String(ctx.settings.autoCreateTopics)],
      ['num.partitions', String(ctx.settings.defaultPartitions)],
      ['default.replication.factor', '1'],
      ['broker.id', String(ctx.settings.nodeId)],
    ];
    source = sourceBroker;
  } else {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resourceType} is not supported`, configs: [] };
  }
  const wanted = keys === null ? entries : entries.filter(([name]) => keys.includes(name));
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    configs: wanted.map(([name, value]) => ({ name, value, readOnly: resourceType === ResourceType.broker, isDefault: false, configSource: source, isSensitive: false, synonyms: [], configType: 0, documentation: null })),
  };
}
