// The broker configs Lanes has, by Kafka's names, for DescribeConfigs on the broker resource.
// Every one is fixed when the broker starts (a `lanes start` flag, or Lanes.start's options), so
// all are read-only: AlterConfigs and IncrementalAlterConfigs on the broker answer INVALID_REQUEST,
// Kafka's answer for a config it cannot update dynamically.
import { quoted } from '../errors.js';
import type { ServerSettings, TopicConfigView } from './handler.js';
import { topicConfigDefs, type ConfigTypeName } from './topic_config.js';

export interface BrokerConfigEntry {
  name: string;
  value: string;
  /** Kafka 4.x's default (null: Kafka has none), to tell DEFAULT_CONFIG from STATIC_BROKER_CONFIG. */
  kafkaDefault: string | null;
  type: ConfigTypeName;
  doc: string;
}

/** Null when `name` names this broker ('' is the cluster-wide default Kafka also accepts), else why not. */
export function checkBrokerName(settings: ServerSettings, name: string): string | null {
  return name === '' || name === String(settings.nodeId) ? null : `no broker ${quoted(name)}: this broker is ${settings.nodeId}`;
}

/** The broker's configs, sorted by name. */
export function brokerConfigEntries(settings: ServerSettings, topicDefaults: TopicConfigView): BrokerConfigEntry[] {
  const entries: BrokerConfigEntry[] = [
    { name: 'auto.create.topics.enable', value: String(settings.autoCreateTopics), kafkaDefault: 'true', type: 'BOOLEAN', doc: 'Create a topic when a client asks Metadata for one that does not exist.' },
    { name: 'broker.id', value: String(settings.nodeId), kafkaDefault: null, type: 'INT', doc: 'This broker\'s id.' },
    { name: 'default.replication.factor', value: '1', kafkaDefault: '1', type: 'INT', doc: 'Replicas of an auto-created topic: one node, one replica.' },
    { name: 'node.id', value: String(settings.nodeId), kafkaDefault: null, type: 'INT', doc: 'This node\'s id (the same as broker.id).' },
    { name: 'num.partitions', value: String(settings.defaultPartitions), kafkaDefault: '1', type: 'INT', doc: 'Partitions of an auto-created topic, and of CreateTopics asking for -1.' },
  ];
  // The broker-level defaults of the topic configs: the most specific broker synonym of each.
  for (const d of topicConfigDefs) {
    const synonym = d.brokerSynonyms[0];
    if (synonym === undefined || entries.some((entry) => entry.name === synonym.name)) continue;
    entries.push({
      name: synonym.name,
      value: d.field === undefined ? d.kafkaDefault : String(topicDefaults[d.field]),
      // log.retention.ms and log.roll.ms have no default of their own in Kafka (the hours do); their value in ms is the topic's default.
      kafkaDefault: d.kafkaDefault,
      type: d.type,
      doc: `The default of the topic config ${d.name}: ${d.doc}`,
    });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
