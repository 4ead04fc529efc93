// `lanes group list | describe | delete | reset-offsets`, over ListGroups, DescribeGroups,
// OffsetFetch, ListOffsets, DeleteGroups and OffsetCommit.
//
// describe: the group's state and protocol, and per partition the committed offset, the log end
// offset, the lag between them and the member that owns it (consumer id, host, client id; decoded
// from the members' ConsumerProtocol assignments), in kafka-consumer-groups.sh --describe's
// columns; --all-groups describes every group. A consumer-protocol (KIP-848) group is asked with
// ConsumerGroupDescribe instead: its type, group epoch and assignment epoch in the summary, and a
// members table with each member's epoch and its current against its target assignment (they
// differ while the group reconciles).
//
// reset-offsets: only for an Empty group (or one that does not exist yet), as Kafka's tool: a
// running member would overwrite the new offsets with its next commit. Prints the plan; commits
// it with --execute. The commit is an "admin" commit (generation −1, no member id), which the
// coordinator refuses if members joined in between.

import { Command, InvalidArgumentError, Option } from 'commander';
import { decodeAssignment } from '../../core/assignors/consumer_protocol.js';
import { ErrorCode } from '../../core/errors.js';
import { activeGroupMessage } from '../../core/group/empty_group_rule.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import type { DescribeGroupsResponse } from '../../core/protocol/messages/describe_groups.js';
import type { ConsumerGroupDescribeResponse } from '../../core/protocol/messages/consumer_group_describe.js';
import { offsetFetchSingleGroupVersionMax } from '../../core/protocol/messages/offset_fetch.js';
import { describeErrorCode, type KafkaConnection } from '../net/kafka_client.js';
import { CliError } from './cli_error.js';
import { partitionKey, type Cluster, type TopicLayout } from '../net/cluster.js';
import { addConnectionOptions, collect, collectPartitions, formatTable, nonNegativeInteger, printJson, withCluster, writeOut, type ConnectionOptions } from './common.js';
import { lagPartitions, partitionLags, totalLag as sumLag } from './group_lag.js';

type DescribedGroup = DescribeGroupsResponse['groups'][number];
type DescribedConsumerGroup = ConsumerGroupDescribeResponse['groups'][number];

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

interface DescribeOptions extends JsonOption {
  allGroups?: boolean;
}

interface ResetOptions extends ConnectionOptions {
  topic: string[];
  partition?: number[];
  toEarliest?: boolean;
  toLatest?: boolean;
  toOffset?: number;
  toDatetime?: number;
  execute?: boolean;
  json?: boolean;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isoDatetime(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('expected an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z');
  return ms;
}

async function describeOne(cluster: Cluster, groupId: string): Promise<{ group: DescribedGroup; nodeId: number }> {
  const { nodeId, connection } = await cluster.coordinator(groupId);
  // v5: an id without a classic group is described as Dead (v6 answers GROUP_ID_NOT_FOUND).
  const response = await connection.send(ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, { version: 5 });
  const group = response.groups.find((g) => g.groupId === groupId);
  if (group === undefined) throw new CliError(`group '${groupId}': the coordinator did not describe it`);
  if (group.errorCode !== ErrorCode.NONE) throw new CliError(`group '${groupId}': ${describeErrorCode(group.errorCode)}`);
  return { group, nodeId };
}

async function listGroups(cluster: Cluster, options: JsonOption): Promise<void> {
  // Each broker lists the groups it coordinates.
  const metadata = await cluster.metadata([]);
  const rows: { group: string; protocolType: string; state: string; coordinator: number }[] = [];
  await Promise.all(
    metadata.brokers.map(async (broker) => {
      const connection = await cluster.connection(broker.nodeId);
      const listed = await connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] });
      if (listed.errorCode !== ErrorCode.NONE) throw new CliError(`list groups on broker ${broker.nodeId}: ${describeErrorCode(listed.errorCode)}`);
      if (listed.groups.length === 0) return;
      const described = await connection.send(ApiKey.DescribeGroups, { groups: listed.groups.map((g) => g.groupId), includeAuthorizedOperations: false }, { version: 5 });
      const states = new Map(described.groups.map((g) => [g.groupId, g.errorCode === ErrorCode.NONE ? g.groupState : '?']));
      for (const g of listed.groups) rows.push({ group: g.groupId, protocolType: g.protocolType, state: states.get(g.groupId) ?? '?', coordinator: broker.nodeId });
    }),
  );
  rows.sort((a, b) => compareText(a.group, b.group));
  if (options.json === true) return printJson(rows);
  await writeOut(`${formatTable(['GROUP', 'STATE', 'PROTOCOL-TYPE', 'COORDINATOR'], rows.map((r) => [r.group, r.state, r.protocolType, r.coordinator]))}\n`);
}

interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  /** topic → partitions, decoded from the assignment; null when it is not ConsumerProtocol. */
  assignment: { topic: string; partitions: number[] }[] | null;
  /** Consumer-protocol groups: the member epoch and what the coordinator means it to own. */
  memberEpoch?: number;
  targetAssignment?: { topic: string; partitions: number[] }[];
}

/**
 * A consumer-protocol group as ConsumerGroupDescribe tells it; null when the id is not one
 * (GROUP_ID_NOT_FOUND: a classic group, or none) or the broker does not serve the API.
 */
async function describeConsumerGroup(connection: KafkaConnection, groupId: string): Promise<DescribedConsumerGroup | null> {
  if (connection.brokerVersions(ApiKey.ConsumerGroupDescribe) === undefined) return null;
  const response = await connection.send(ApiKey.ConsumerGroupDescribe, { groupIds: [groupId], includeAuthorizedOperations: false });
  const group = response.groups.find((g) => g.groupId === groupId);
  if (group === undefined || group.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) return null;
  if (group.errorCode !== ErrorCode.NONE) throw new CliError(`group '${groupId}': ${describeErrorCode(group.errorCode)}`);
  return group;
}

function sortedAssignment(assignment: DescribedConsumerGroup['members'][number]['assignment']): { topic: string; partitions: number[] }[] {
  return assignment.topicPartitions
    .map(({ topicName, partitions }) => ({ topic: topicName, partitions: [...partitions].sort((a, b) => a - b) }))
    .sort((a, b) => compareText(a.topic, b.topic));
}

function describeConsumerMembers(group: DescribedConsumerGroup): MemberDescription[] {
  return group.members
    .map((member) => ({
      memberId: member.memberId,
      groupInstanceId: member.instanceId,
      clientId: member.clientId,
      host: member.clientHost,
      assignment: sortedAssignment(member.assignment),
      memberEpoch: member.memberEpoch,
      targetAssignment: sortedAssignment(member.targetAssignment),
    }))
    .sort((a, b) => compareText(a.memberId, b.memberId));
}

/** `topic:0,1 other:2`, or '-' for nothing. */
function formatAssignment(assignment: readonly { topic: string; partitions: readonly number[] }[] | undefined | null): string {
  if (assignment === undefined || assignment === null || assignment.length === 0) return '-';
  return assignment.map(({ topic, partitions }) => `${topic}:${partitions.join(',')}`).join(' ');
}

function describeMembers(group: DescribedGroup): MemberDescription[] {
  return group.members
    .map((member) => {
      let assignment: MemberDescription['assignment'] = null;
      if (group.protocolType === 'consumer' || group.protocolType === '') {
        try {
          assignment = decodeAssignment(member.memberAssignment).assignedPartitions.map(({ topic, partitions }) => ({
            topic,
            partitions: [...partitions].sort((a, b) => a - b),
          }));
        } catch {
          assignment = null;
        }
      }
      return { memberId: member.memberId, groupInstanceId: member.groupInstanceId, clientId: member.clientId, host: member.clientHost, assignment };
    })
    .sort((a, b) => compareText(a.memberId, b.memberId));
}

/** Layouts of `topics`, leaving out those that do not exist (any more). */
async function layoutsOf(cluster: Cluster, topics: readonly string[]): Promise<Map<string, TopicLayout>> {
  const layouts = new Map<string, TopicLayout>();
  if (topics.length === 0) return layouts;
  const metadata = await cluster.metadata(topics);
  for (const topic of metadata.topics) {
    if (topic.errorCode !== ErrorCode.NONE || topic.topicName === null) continue;
    const partitions = [...topic.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
    layouts.set(topic.topicName, { name: topic.topicName, partitions, leaders: new Map(partitions.map((p) => [p.partitionIndex, p.leaderId])) });
  }
  return layouts;
}

interface GroupReport {
  group: string;
  coordinator: number;
  /** Which group protocol the group speaks. */
  type: 'classic' | 'consumer';
  /** Consumer-protocol groups only; null for classic ones. */
  groupEpoch: number | null;
  assignmentEpoch: number | null;
  state: string;
  protocolType: string;
  protocol: string;
  members: MemberDescription[];
  partitions: ReturnType<typeof partitionLags>;
  totalLag: number;
}

async function reportGroup(cluster: Cluster, groupId: string): Promise<GroupReport> {
  const { nodeId, connection } = await cluster.coordinator(groupId);
  const consumerGroup = await describeConsumerGroup(connection, groupId);
  let header: Pick<GroupReport, 'type' | 'groupEpoch' | 'assignmentEpoch' | 'state' | 'protocolType' | 'protocol'>;
  let members: MemberDescription[];
  if (consumerGroup !== null) {
    members = describeConsumerMembers(consumerGroup);
    header = {
      type: 'consumer',
      groupEpoch: consumerGroup.groupEpoch,
      assignmentEpoch: consumerGroup.assignmentEpoch,
      state: consumerGroup.groupState,
      protocolType: 'consumer',
      protocol: consumerGroup.assignorName,
    };
  } else {
    const { group } = await describeOne(cluster, groupId);
    if (group.groupState === 'Dead') throw new CliError(`group '${groupId}' does not exist`);
    members = describeMembers(group);
    header = { type: 'classic', groupEpoch: null, assignmentEpoch: null, state: group.groupState, protocolType: group.protocolType, protocol: group.protocolData };
  }
  const committed = await fetchCommittedOffsets(connection, groupId, null);
  // Every partition the group committed for or a member is assigned (group_lag.ts).
  const owners = new Map<string, string>();
  for (const member of members) {
    for (const { topic, partitions } of member.assignment ?? []) for (const p of partitions) owners.set(partitionKey(topic, p), member.memberId);
  }
  const keys = lagPartitions(committed, owners);
  const layouts = await layoutsOf(cluster, [...new Set(keys.map((k) => k.topic))]);
  const live = keys.filter(({ topic, partition }) => layouts.get(topic)?.leaders.has(partition) === true);
  const ends = await cluster.listOffsets(live.map(({ topic, partition }) => ({ topic, partition, timestamp: -1 })), layouts);
  const partitions = partitionLags(keys, committed, ends, owners);
  return {
    group: groupId,
    coordinator: nodeId,
    ...header,
    members,
    partitions,
    totalLag: sumLag(partitions),
  };
}

/** Every group id the cluster's brokers list, sorted. */
async function allGroupIds(cluster: Cluster): Promise<string[]> {
  const metadata = await cluster.metadata([]);
  const ids = await Promise.all(
    metadata.brokers.map(async (broker) => {
      const connection = await cluster.connection(broker.nodeId);
      const listed = await connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] });
      if (listed.errorCode !== ErrorCode.NONE) throw new CliError(`list groups on broker ${broker.nodeId}: ${describeErrorCode(listed.errorCode)}`);
      return listed.groups.map((g) => g.groupId);
    }),
  );
  return [...new Set(ids.flat())].sort(compareText);
}

/**
 * The offsets table in kafka-consumer-groups.sh --describe's columns: one row per partition the
 * group owns or committed, then one per member that owns nothing (topic and offsets '-'), as
 * Kafka's tool shows idle members.
 */
function offsetRows(report: GroupReport): (string | number)[][] {
  const byId = new Map(report.members.map((m) => [m.memberId, m]));
  const rows: (string | number)[][] = report.partitions.map((p) => {
    const member = p.memberId === null ? undefined : byId.get(p.memberId);
    return [
      report.group,
      p.topic,
      p.partition,
      p.committedOffset >= 0 ? p.committedOffset : '-',
      p.logEndOffset >= 0 ? p.logEndOffset : '-',
      p.lag ?? '-',
      member?.memberId ?? '-',
      member?.host ?? '-',
      member?.clientId ?? '-',
    ];
  });
  for (const member of report.members) {
    if (!report.partitions.some((p) => p.memberId === member.memberId)) {
      rows.push([report.group, '-', '-', '-', '-', '-', member.memberId, member.host, member.clientId]);
    }
  }
  return rows;
}

async function describeGroups(cluster: Cluster, groupId: string | undefined, options: DescribeOptions): Promise<void> {
  if ((groupId === undefined) === (options.allGroups !== true)) throw new CliError('group describe takes a group id or --all-groups (not both)');
  const ids = groupId === undefined ? await allGroupIds(cluster) : [groupId];
  const reports: GroupReport[] = [];
  for (const id of ids) reports.push(await reportGroup(cluster, id));
  if (options.json === true) return printJson(groupId === undefined ? reports : reports[0]);
  if (reports.length === 0) return writeOut('no consumer groups\n');
  const summary = formatTable(
    ['GROUP', 'COORDINATOR', 'STATE', 'PROTOCOL-TYPE', 'ASSIGNMENT-STRATEGY', '#MEMBERS', 'TOTAL-LAG', 'TYPE', 'GROUP-EPOCH', 'ASSIGNMENT-EPOCH'],
    reports.map((r) => [r.group, r.coordinator, r.state, r.protocolType || '-', r.protocol || '-', r.members.length, r.totalLag, r.type, r.groupEpoch ?? '-', r.assignmentEpoch ?? '-']),
  );
  const rows = reports.flatMap(offsetRows);
  const offsets =
    rows.length === 0
      ? ''
      : `\n${formatTable(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'], rows)}\n`;
  // Consumer-protocol members: their epochs, and what they own against what the coordinator targets.
  const memberRows = reports
    .filter((r) => r.type === 'consumer')
    .flatMap((r) => r.members.map((m) => [r.group, m.memberId, m.memberEpoch ?? '-', formatAssignment(m.assignment), formatAssignment(m.targetAssignment)]));
  const membersTable = memberRows.length === 0 ? '' : `\n${formatTable(['GROUP', 'CONSUMER-ID', 'MEMBER-EPOCH', 'ASSIGNMENT', 'TARGET-ASSIGNMENT'], memberRows)}\n`;
  await writeOut(`${summary}\n${offsets}${membersTable}`);
}

async function deleteGroup(cluster: Cluster, groupId: string): Promise<void> {
  const { connection } = await cluster.coordinator(groupId);
  const response = await connection.send(ApiKey.DeleteGroups, { groupsNames: [groupId] });
  const result = response.results.find((r) => r.groupId === groupId);
  if (result === undefined) throw new CliError(`delete group '${groupId}': the coordinator did not answer for it`);
  if (result.errorCode === ErrorCode.GROUP_ID_NOT_FOUND) throw new CliError(`group '${groupId}' does not exist`);
  if (result.errorCode === ErrorCode.NON_EMPTY_GROUP) throw new CliError(`group '${groupId}' has active members; stop its consumers first`);
  if (result.errorCode !== ErrorCode.NONE) throw new CliError(`delete group '${groupId}': ${describeErrorCode(result.errorCode)}`);
  await writeOut(`deleted group ${groupId}\n`);
}

function resetTarget(options: ResetOptions): { describe: string; timestamp: number | null; offset: number | null } {
  const chosen = [options.toEarliest === true, options.toLatest === true, options.toOffset !== undefined, options.toDatetime !== undefined].filter(Boolean).length;
  if (chosen !== 1) throw new CliError('reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime');
  if (options.toEarliest === true) return { describe: 'earliest', timestamp: -2, offset: null };
  if (options.toLatest === true) return { describe: 'latest', timestamp: -1, offset: null };
  if (options.toOffset !== undefined) return { describe: `offset ${options.toOffset}`, timestamp: null, offset: options.toOffset };
  return { describe: new Date(options.toDatetime as number).toISOString(), timestamp: options.toDatetime as number, offset: null };
}

async function resetOffsets(cluster: Cluster, groupId: string, options: ResetOptions): Promise<void> {
  const target = resetTarget(options);
  const { group } = await describeOne(cluster, groupId);
  if (group.groupState !== 'Empty' && group.groupState !== 'Dead') {
    throw new CliError(activeGroupMessage(groupId, group.groupState, group.members.length, 'reset-offsets'));
  }
  const topics = [...new Set(options.topic)];
  const layouts = new Map<string, TopicLayout>();
  for (const topic of topics) layouts.set(topic, await cluster.topic(topic));
  const targets: { topic: string; partition: number }[] = [];
  for (const topic of topics) {
    const layout = layouts.get(topic) as TopicLayout;
    const partitions = options.partition ?? layout.partitions.map((p) => p.partitionIndex);
    for (const partition of partitions) {
      if (!layout.leaders.has(partition)) throw new CliError(`topic '${topic}' has no partition ${partition}`);
      targets.push({ topic, partition });
    }
  }
  const { connection } = await cluster.coordinator(groupId);
  const committedRequest = new Map<string, number[]>();
  for (const { topic, partition } of targets) committedRequest.set(topic, [...(committedRequest.get(topic) ?? []), partition]);
  const [committed, starts, ends, byTime] = await Promise.all([
    fetchCommittedOffsets(connection, groupId, committedRequest),
    cluster.listOffsets(targets.map((t) => ({ ...t, timestamp: -2 })), layouts),
    cluster.listOffsets(targets.map((t) => ({ ...t, timestamp: -1 })), layouts),
    target.timestamp !== null && target.timestamp >= 0
      ? cluster.listOffsets(targets.map((t) => ({ ...t, timestamp: target.timestamp as number })), layouts)
      : Promise.resolve(new Map<string, number>()),
  ]);
  const plan = targets.map(({ topic, partition }) => {
    const key = partitionKey(topic, partition);
    const start = starts.get(key) ?? 0;
    const end = ends.get(key) ?? 0;
    let offset: number;
    if (target.offset !== null) offset = Math.min(Math.max(target.offset, start), end); // clamped into the log, as Kafka's tool
    else if (target.timestamp === -2) offset = start;
    else if (target.timestamp === -1) offset = end;
    else {
      const found = byTime.get(key) ?? -1;
      offset = found >= 0 ? found : end; // no record at or after the time: the end
    }
    return { topic, partition, currentOffset: committed.get(topic)?.get(partition) ?? -1, newOffset: offset };
  });
  if (options.execute === true) {
    const response = await connection.send(ApiKey.OffsetCommit, {
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      retentionTimeMs: -1,
      topics: topics.map((topicName) => ({
        topicName,
        partitions: plan
          .filter((p) => p.topic === topicName)
          .map((p) => ({ partitionIndex: p.partition, committedOffset: p.newOffset, committedLeaderEpoch: -1, committedMetadata: '' })),
      })),
    });
    for (const topic of response.topics) {
      for (const partition of topic.partitions) {
        if (partition.errorCode === ErrorCode.UNKNOWN_MEMBER_ID || partition.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) {
          throw new CliError(`group '${groupId}' gained members meanwhile; nothing reliable was committed, stop its consumers and retry`);
        }
        if (partition.errorCode !== ErrorCode.NONE) {
          throw new CliError(`commit ${topic.topicName}[${partition.partitionIndex}] for group '${groupId}': ${describeErrorCode(partition.errorCode)}`);
        }
      }
    }
  }
  if (options.json === true) return printJson({ group: groupId, target: target.describe, executed: options.execute === true, plan });
  const table = formatTable(
    ['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'NEW-OFFSET'],
    plan.map((p) => [p.topic, p.partition, p.currentOffset >= 0 ? p.currentOffset : '-', p.newOffset]),
  );
  const footer =
    options.execute === true
      ? `committed the new offsets of group ${groupId} (${target.describe})`
      : `dry run: nothing was committed; add --execute to commit these offsets`;
  await writeOut(`${table}\n\n${footer}\n`);
}

export function registerGroupCommands(program: Command): void {
  const group = program.command('group').description('list, describe, delete consumer groups and reset their offsets');
  addConnectionOptions(group.command('list').alias('ls').description('list consumer groups').option('--json', 'print JSON')).action((options: JsonOption) =>
    withCluster(options, (cluster) => listGroups(cluster, options)),
  );

  addConnectionOptions(
    group
      .command('describe')
      .description("show a group's state, and per partition its committed offset, log end offset, lag and owner (kafka-consumer-groups.sh's columns)")
      .argument('[group]', 'group id')
      .option('--all-groups', 'describe every group')
      .option('--json', 'print JSON'),
  ).action((groupId: string | undefined, options: DescribeOptions) => withCluster(options, (cluster) => describeGroups(cluster, groupId, options)));

  addConnectionOptions(group.command('delete').description('delete an empty group and its committed offsets').argument('<group>', 'group id')).action(
    (groupId: string, options: ConnectionOptions) => withCluster(options, (cluster) => deleteGroup(cluster, groupId)),
  );

  addConnectionOptions(
    group
      .command('reset-offsets')
      .description('move an Empty group\'s committed offsets (dry run unless --execute)')
      .argument('<group>', 'group id')
      .requiredOption('-t, --topic <topic>', 'topic whose offsets to reset (repeatable)', collect)
      .option('-p, --partition <n>', 'only these partitions (repeatable, or 0,2)', collectPartitions)
      .option('--to-earliest', 'the log start offset')
      .option('--to-latest', 'the log end offset')
      .addOption(new Option('--to-offset <n>', 'this offset (clamped into the log)').argParser(nonNegativeInteger))
      .addOption(new Option('--to-datetime <iso>', 'the first offset at or after this time').argParser(isoDatetime))
      .option('--execute', 'commit the plan (without it, only print it)')
      .option('--json', 'print JSON'),
  ).action((groupId: string, options: ResetOptions) => withCluster(options, (cluster) => resetOffsets(cluster, groupId, options)));
}

/**
 * A group's committed offsets, by OffsetFetch. `assignment` null asks for every partition the
 * group committed (OffsetFetch v2+). Returns topic → partition → offset (−1 when none).
 */
export async function fetchCommittedOffsets(
  coordinator: KafkaConnection,
  groupId: string,
  assignment: ReadonlyMap<string, readonly number[]> | null,
): Promise<Map<string, Map<number, number>>> {
  // v7 at most: one group per request, answered in the top-level topics (v8 asks by groups).
  const response = await coordinator.send(
    ApiKey.OffsetFetch,
    {
      groupId,
      topics: assignment === null ? null : [...assignment].map(([topicName, partitions]) => ({ topicName, partitionIndexes: [...partitions] })),
      groups: [],
      requireStable: false,
    },
    { version: offsetFetchSingleGroupVersionMax },
  );
  if (response.errorCode !== ErrorCode.NONE) throw new CliError(`committed offsets of group '${groupId}': ${describeErrorCode(response.errorCode)}`);
  const offsets = new Map<string, Map<number, number>>();
  for (const topic of response.topics) {
    const partitions = new Map<number, number>();
    for (const partition of topic.partitions) {
      if (partition.errorCode !== ErrorCode.NONE && partition.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw new CliError(`committed offset of ${topic.topicName}[${partition.partitionIndex}] in group '${groupId}': ${describeErrorCode(partition.errorCode)}`);
      }
      partitions.set(partition.partitionIndex, partition.committedOffset);
    }
    offsets.set(topic.topicName, partitions);
  }
  return offsets;
}
