// DescribeConfigs. A topic (resource type 2) reports every topic config of topic_config.ts; the
// broker (type 4) the broker configs of broker_config.ts. Each config says where its value comes
// from as Kafka does: DYNAMIC_TOPIC_CONFIG (1) when set on the topic, STATIC_BROKER_CONFIG (4)
// when the broker's own default differs from Kafka's (segment.bytes, say), DEFAULT_CONFIG (5)
// otherwise. Synonyms (v1+, when asked) list the levels that hold a value, most specific first;
// documentation (v3+, when asked) is one line per config. Other resource types answer
// INVALID_REQUEST.
import { ErrorCode, quoted } from '../errors.js';
import { describeConfigsApi } from '../protocol/messages/describe_configs.js';
import type { DescribeConfigsResponse } from '../protocol/messages/describe_configs.js';
import { brokerConfigEntries, checkBrokerName } from './broker_config.js';
import { defineHandler, type BrokerFacade, type ServerSettings } from './handler.js';
import { ConfigSource, ConfigType, topicConfigDefs, type TopicConfigDef } from './topic_config.js';

export const ResourceType = { topic: 2, broker: 4 } as const;

export type DescribedResource = DescribeConfigsResponse['results'][number];
export type DescribedConfig = DescribedResource['configs'][number];
type Synonym = DescribedConfig['synonyms'][number];

/** What describing needs of the broker: its topics and its settings. */
export interface ConfigHost {
  readonly broker: Pick<BrokerFacade, 'describeTopic' | 'topicConfigDefaults'>;
  readonly settings: ServerSettings;
}

export interface DescribeOptions {
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export const describeConfigs = defineHandler({
  api: describeConfigsApi,
  async handle(ctx, request) {
    const options = { includeSynonyms: request.includeSynonyms, includeDocumentation: request.includeDocumentation };
    const results = request.resources.map((resource) => describeConfigResource(ctx, resource.resourceType, resource.resourceName, resource.configurationKeys, options));
    return { throttleTimeMs: 0, results };
  },
});

/** One resource's configs (all, or those named in `keys`; unknown names are left out, as Kafka). */
export function describeConfigResource(host: ConfigHost, resourceType: number, resourceName: string, keys: readonly string[] | null, options: DescribeOptions): DescribedResource {
  const base = { resourceType, resourceName };
  let configs: DescribedConfig[];
  if (resourceType === ResourceType.topic) {
    const topic = host.broker.describeTopic(resourceName);
    if (topic === undefined) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `topic ${quoted(resourceName)} does not exist`, configs: [] };
    configs = describeTopicConfigs(topic.overrides, host.broker.topicConfigDefaults, keys, options);
  } else if (resourceType === ResourceType.broker) {
    const refusal = checkBrokerName(host.settings, resourceName);
    if (refusal !== null) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal, configs: [] };
    const entries = brokerConfigEntries(host.settings, host.broker.topicConfigDefaults);
    configs = (keys === null ? entries : entries.filter((entry) => keys.includes(entry.name))).map((entry) => {
      const source = entry.value === entry.kafkaDefault ? ConfigSource.DEFAULT_CONFIG : ConfigSource.STATIC_BROKER_CONFIG;
      const synonyms: Synonym[] = [{ name: entry.name, value: entry.value, source }];
      if (source !== ConfigSource.DEFAULT_CONFIG && entry.kafkaDefault !== null) synonyms.push({ name: entry.name, value: entry.kafkaDefault, source: ConfigSource.DEFAULT_CONFIG });
      return config(entry.name, entry.value, source, true, ConfigType[entry.type], entry.doc, synonyms, options);
    });
  } else {
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${resourceType} is not supported`, configs: [] };
  }
  return { ...base, errorCode: ErrorCode.NONE, errorMessage: null, configs };
}

/**
 * A topic's configs (all, or those named in `keys`) given the configs set on it: what
 * DescribeConfigs answers for an existing topic, and CreateTopics (v5+) for the one it creates.
 */
export function describeTopicConfigs(overrides: Readonly<Record<string, string>>, defaults: BrokerFacade['topicConfigDefaults'], keys: readonly string[] | null, options: DescribeOptions): DescribedConfig[] {
  const wanted = keys === null ? topicConfigDefs : topicConfigDefs.filter((d) => keys.includes(d.name));
  return wanted.map((d) => describeTopicConfig(d, overrides[d.name], defaults, options));
}

function describeTopicConfig(d: TopicConfigDef, override: string | undefined, defaults: BrokerFacade['topicConfigDefaults'], options: DescribeOptions): DescribedConfig {
  const synonyms: Synonym[] = [];
  if (override !== undefined) synonyms.push({ name: d.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  // The broker's own default, where Lanes's differs from Kafka's (segment.bytes, or Lanes.start's topicDefaults).
  const brokerValue = d.field === undefined ? d.kafkaDefault : String(defaults[d.field]);
  if (brokerValue !== d.kafkaDefault) synonyms.push({ name: d.brokerSynonyms[0].name, value: brokerValue, source: ConfigSource.STATIC_BROKER_CONFIG });
  for (const synonym of d.brokerSynonyms) {
    if (synonym.kafkaDefault !== null) synonyms.push({ name: synonym.name, value: synonym.kafkaDefault, source: ConfigSource.DEFAULT_CONFIG });
  }
  const value = override ?? brokerValue;
  const source = override !== undefined ? ConfigSource.DYNAMIC_TOPIC_CONFIG : brokerValue !== d.kafkaDefault ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG;
  return config(d.name, value, source, false, ConfigType[d.type], d.doc, synonyms, options);
}

function config(name: string, value: string | null, source: number, readOnly: boolean, configType: number, doc: string, synonyms: Synonym[], options: DescribeOptions): DescribedConfig {
  return {
    name,
    value,
    readOnly,
    // v0's flag; v1+ say it with the source.
    isDefault: source === ConfigSource.DEFAULT_CONFIG,
    configSource: source,
    isSensitive: false,
    synonyms: options.includeSynonyms ? synonyms : [],
    configType,
    documentation: options.includeDocumentation ? doc : null,
  };
}
