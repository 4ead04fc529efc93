// `lanes topic create | list | describe | describe-config | alter-config | delete`, over
// CreateTopics, Metadata, ListOffsets, DescribeConfigs, IncrementalAlterConfigs and DeleteTopics.

import { Command, Option } from 'commander';
import { ErrorCode, messageDetail, quoted } from '../../core/errors.js';
import { topicNameProblem, topicNameRule } from '../../core/handlers/topic_names.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { describeErrorCode } from '../net/kafka_client.js';
import { CliError } from './cli_error.js';
import { registerDeleteRecordsCommand } from './delete_records.js';
import { partitionKey, type Cluster, type TopicLayout } from '../net/cluster.js';
import { addConnectionOptions, collect, formatTable, positiveInteger, printJson, reportFailure, withCluster, writeOut, type ConnectionOptions } from './common.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

/** Kafka's ConfigSource numbers, by name (DescribeConfigs v1+). */
const configSources: Record<number, string> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  8: 'DYNAMIC_CLIENT_METRICS_CONFIG',
};
const resourceTypeTopic = 2;

interface CreateOptions extends ConnectionOptions {
  partitions?: number;
  replicas?: number;
  config?: string[];
}

interface ListOptions extends ConnectionOptions {
  internal?: boolean;
  json?: boolean;
}

interface DescribeOptions extends ConnectionOptions {
  json?: boolean;
}

interface AlterConfigOptions extends ConnectionOptions {
  set?: string[];
  delete?: string[];
  validateOnly?: boolean;
}

/** IncrementalAlterConfigs's operations. */
const configSet = 0;
const configDelete = 1;

export function parseConfigs(entries: readonly string[], flag = '-c'): { name: string; value: string }[] {
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    if (at <= 0) throw new CliError(`${flag} ${entry}: expected key=value`);
    return { name: entry.slice(0, at), value: entry.slice(at + 1) };
  });
}

/**
 * Checked before asking the broker, so the user reads the rule (Kafka's answer is only
 * INVALID_TOPIC_EXCEPTION). Names starting with "__" are left to the broker: Kafka and Lanes
 * reserve different ones.
 */
export function checkTopicName(name: string): void {
  const problem = topicNameProblem(name);
  if (problem !== null) throw new CliError(`topic name ${quoted(name)} is not legal (${problem}): ${topicNameRule}`);
}

async function createTopic(cluster: Cluster, name: string, options: CreateOptions): Promise<void> {
  const configs = parseConfigs(options.config ?? []);
  const version = cluster.bootstrap.version(ApiKey.CreateTopics);
  // v4 lets -1 mean "the broker's default"; older versions need numbers.
  const numPartitions = options.partitions ?? (version >= 4 ? -1 : 1);
  const replicationFactor = options.replicas ?? (version >= 4 ? -1 : 1);
  // Kafka accepts CreateTopics only at the controller; Metadata names it.
  const metadata = await cluster.metadata([]);
  const controller = metadata.controllerId >= 0 ? await cluster.connection(metadata.controllerId) : cluster.bootstrap;
  const response = await controller.send(ApiKey.CreateTopics, {
    topics: [{ topicName: name, numPartitions, replicationFactor, assignments: [], configs }],
    timeoutMs: options.timeout,
    validateOnly: false,
  });
  const result = response.topics.find((t) => t.topicName === name);
  if (result === undefined) throw new CliError(`create topic '${name}': the broker did not answer for it`);
  if (result.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) throw new CliError(`topic '${name}' already exists`);
  if (result.errorCode !== ErrorCode.NONE) {
    throw new CliError(`create topic '${name}': ${describeErrorCode(result.errorCode)}${result.errorMessage ? `: ${result.errorMessage}` : ''}`);
  }
  const layout = await cluster.topic(name);
  await writeOut(`created topic ${name} with ${layout.partitions.length} partition${layout.partitions.length === 1 ? '' : 's'}\n`);
}

async function listTopics(cluster: Cluster, options: ListOptions): Promise<void> {
  const metadata = await cluster.metadata(null);
  const topics = metadata.topics
    .filter((t) => t.errorCode === ErrorCode.NONE && (options.internal === true || !t.isInternal))
    .map((t) => ({ name: t.topicName ?? '', partitions: t.partitions.length, replicas: t.partitions[0]?.replicaNodes.length ?? 0, internal: t.isInternal }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (options.json === true) return printJson(topics);
  await writeOut(`${formatTable(['NAME', 'PARTITIONS', 'REPLICAS'], topics.map((t) => [t.name, t.partitions, t.replicas]))}\n`);
}

interface PartitionDescription {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  logEndOffset: number;
}

interface ConfigDescription {
  name: string;
  value: string | null;
  source: string;
}

async function describeConfigs(cluster: Cluster, name: string): Promise<ConfigDescription[] | null> {
  if (cluster.bootstrap.brokerVersions(ApiKey.DescribeConfigs) === undefined) return null;
  const response = await cluster.bootstrap.send(ApiKey.DescribeConfigs, {
    resources: [{ resourceType: resourceTypeTopic, resourceName: name, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const result = response.results[0];
  if (result === undefined) return null;
  if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`topic '${name}' does not exist`);
  if (result.errorCode !== ErrorCode.NONE) {
    throw new CliError(`configs of topic '${name}': ${describeErrorCode(result.errorCode)}${result.errorMessage ? `: ${messageDetail(result.errorCode, result.errorMessage)}` : ''}`);
  }
  return result.configs
    .map((c) => ({
      name: c.name,
      value: c.isSensitive ? '(sensitive)' : c.value,
      source: c.configSource >= 0 ? (configSources[c.configSource] ?? String(c.configSource)) : c.isDefault ? 'DEFAULT_CONFIG' : '',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function describeTopic(cluster: Cluster, name: string, options: DescribeOptions): Promise<void> {
  const layout = await cluster.topic(name);
  const layouts = new Map<string, TopicLayout>([[name, layout]]);
  const queries = layout.partitions.map((p) => p.partitionIndex);
  const [starts, ends, configs] = await Promise.all([
    cluster.listOffsets(queries.map((partition) => ({ topic: name, partition, timestamp: -2 })), layouts),
    cluster.listOffsets(queries.map((partition) => ({ topic: name, partition, timestamp: -1 })), layouts),
    describeConfigs(cluster, name),
  ]);
  const partitions: PartitionDescription[] = layout.partitions.map((p) => ({
    partition: p.partitionIndex,
    leader: p.leaderId,
    replicas: p.replicaNodes,
    isr: p.isrNodes,
    logStartOffset: starts.get(partitionKey(name, p.partitionIndex)) ?? -1,
    logEndOffset: ends.get(partitionKey(name, p.partitionIndex)) ?? -1,
  }));
  if (options.json === true) return printJson({ name, partitions, configs });
  const summary = formatTable(
    ['NAME', name],
    [
      ['PARTITIONS', partitions.length],
      ['REPLICAS', partitions[0]?.replicas.length ?? 0],
      ['MESSAGES', partitions.reduce((sum, p) => sum + Math.max(0, p.logEndOffset - p.logStartOffset), 0)],
    ],
  );
  const partitionTable = formatTable(
    ['PARTITION', 'LEADER', 'REPLICAS', 'IN-SYNC', 'LOG-START-OFFSET', 'LOG-END-OFFSET'],
    partitions.map((p) => [p.partition, p.leader, `[${p.replicas.join(',')}]`, `[${p.isr.join(',')}]`, p.logStartOffset, p.logEndOffset]),
  );
  let text = `${summary}\n\n${partitionTable}\n`;
  if (configs !== null) {
    text += `\n${formatTable(['CONFIG', 'VALUE', 'SOURCE'], configs.map((c) => [c.name, c.value ?? '-', c.source]))}\n`;
  }
  await writeOut(text);
}

async function describeTopicConfigs(cluster: Cluster, name: string, options: DescribeOptions): Promise<void> {
  const configs = await describeConfigs(cluster, name);
  if (configs === null) throw new CliError('the broker does not serve DescribeConfigs');
  if (options.json === true) return printJson({ name, configs });
  await writeOut(`${formatTable(['CONFIG', 'VALUE', 'SOURCE'], configs.map((c) => [c.name, c.value ?? '-', c.source]))}\n`);
}

/** Sets and deletes (back to the default) configs of a topic; the others stay as they are. */
async function alterTopicConfigs(cluster: Cluster, name: string, options: AlterConfigOptions): Promise<void> {
  const sets = parseConfigs(options.set ?? [], '--set');
  const deletes = options.delete ?? [];
  if (sets.length + deletes.length === 0) throw new CliError('nothing to change: give --set key=value or --delete key');
  if (cluster.bootstrap.brokerVersions(ApiKey.IncrementalAlterConfigs) === undefined) throw new CliError('the broker does not serve IncrementalAlterConfigs');
  const response = await cluster.bootstrap.send(ApiKey.IncrementalAlterConfigs, {
    resources: [
      {
        resourceType: resourceTypeTopic,
        resourceName: name,
        configs: [...sets.map(({ name: key, value }) => ({ name: key, configOperation: configSet, value })), ...deletes.map((key) => ({ name: key, configOperation: configDelete, value: null }))],
      },
    ],
    validateOnly: options.validateOnly === true,
  });
  const result = response.responses[0];
  if (result === undefined) throw new CliError(`alter configs of topic '${name}': the broker did not answer for it`);
  if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`topic '${name}' does not exist`);
  if (result.errorCode !== ErrorCode.NONE) {
    throw new CliError(`alter configs of topic '${name}': ${describeErrorCode(result.errorCode)}${result.errorMessage ? `: ${messageDetail(result.errorCode, result.errorMessage)}` : ''}`);
  }
  const changes = [...sets.map(({ name: key, value }) => `${key}=${value}`), ...deletes.map((key) => `${key} (default)`)].join(', ');
  await writeOut(options.validateOnly === true ? `configs of topic ${name} are valid, nothing changed: ${changes}\n` : `altered topic ${name}: ${changes}\n`);
}

async function deleteTopic(cluster: Cluster, name: string, options: ConnectionOptions): Promise<void> {
  const metadata = await cluster.metadata([]);
  const controller = metadata.controllerId >= 0 ? await cluster.connection(metadata.controllerId) : cluster.bootstrap;
  const response = await controller.send(ApiKey.DeleteTopics, { topics: [{ topicName: name, topicId: zeroTopicId() }], topicNames: [name], timeoutMs: options.timeout });
  const result = response.responses.find((r) => r.topicName === name);
  if (result === undefined) throw new CliError(`delete topic '${name}': the broker did not answer for it`);
  if (result.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw new CliError(`topic '${name}' does not exist`);
  if (result.errorCode !== ErrorCode.NONE) throw new CliError(`delete topic '${name}': ${describeErrorCode(result.errorCode)}`);
  await writeOut(`deleted topic ${name}\n`);
}

export function registerTopicCommands(program: Command): void {
  const topic = program.command('topic').description('create, list, describe, configure and delete topics');
  addConnectionOptions(
    topic
      .command('create')
      .description('create a topic')
      .argument('<name>', 'topic name')
      .addOption(new Option('-p, --partitions <n>', 'partition count (default: the broker\'s num.partitions)').argParser(positiveInteger))
      .addOption(new Option('-r, --replicas <n>', 'replication factor (default: the broker\'s)').argParser(positiveInteger))
      .option('-c, --config <key=value>', 'topic config, repeatable (e.g. -c retention.ms=60000)', collect),
  ).action((name: string, options: CreateOptions) => {
    try {
      checkTopicName(name);
    } catch (error) {
      reportFailure(error);
      return;
    }
    return withCluster(options, (cluster) => createTopic(cluster, name, options));
  });

  addConnectionOptions(
    topic
      .command('list')
      .alias('ls')
      .description('list topics with their partition counts')
      .option('-i, --internal', 'include internal topics')
      .option('--json', 'print JSON'),
  ).action((options: ListOptions) => withCluster(options, (cluster) => listTopics(cluster, options)));

  addConnectionOptions(
    topic
      .command('describe')
      .description('show a topic\'s partitions, log start and end offsets, and configs')
      .argument('<name>', 'topic name')
      .option('--json', 'print JSON'),
  ).action((name: string, options: DescribeOptions) => withCluster(options, (cluster) => describeTopic(cluster, name, options)));

  addConnectionOptions(
    topic
      .command('describe-config')
      .description('show a topic\'s configs and where each value comes from')
      .argument('<name>', 'topic name')
      .option('--json', 'print JSON'),
  ).action((name: string, options: DescribeOptions) => withCluster(options, (cluster) => describeTopicConfigs(cluster, name, options)));

  addConnectionOptions(
    topic
      .command('alter-config')
      .description('set or reset a topic\'s configs (applied at once); the others stay as they are')
      .argument('<name>', 'topic name')
      .option('-s, --set <key=value>', 'set a config, repeatable (e.g. -s retention.ms=60000)', collect)
      .option('-d, --delete <key>', 'reset a config to its default, repeatable', collect)
      .option('--validate-only', 'check the change without making it'),
  ).action((name: string, options: AlterConfigOptions) => withCluster(options, (cluster) => alterTopicConfigs(cluster, name, options)));

  addConnectionOptions(topic.command('delete').description('delete a topic and its data').argument('<name>', 'topic name')).action(
    (name: string, options: ConnectionOptions) => withCluster(options, (cluster) => deleteTopic(cluster, name, options)),
  );
  registerDeleteRecordsCommand(topic);
}
