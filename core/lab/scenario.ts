// A `lanes lab` scenario: the consumer-group design one experiment runs (topics, producers, groups
// and a timeline of events), read from JSON. One definition serves three readers: the JSON Schema
// below is what editors validate against, what `parseScenario` checks (through json_schema.ts)
// and, with its defaults, what fills in the fields a file leaves out. The checks a schema cannot
// say (names that refer to each other, times within the run, an assignor the protocol has) follow
// in `crossCheck`. Both engines (virtual time here in core/lab, real time in actors/lab) run the
// parsed `Scenario` and nothing else.

import { assignorNames } from '../assignors/registry.js';
import { consumerAssignorNames } from '../group/consumer/target_assignment.js';
import {
  labDurationMsMax, labGroupMembersMax, labGroupsMax, labKeysMax, labProducersMax, labRatePerSecMax, labReportPointsMax,
  labSamplesMax, labTimelineEventsMax, labTopicPartitionsMax, labTopicsMax,
} from '../limits.js';
import { validateJson, type JsonSchema } from './json_schema.js';

/** How a producer picks keys, and so partitions (Kafka's murmur2 partitioner over the key). */
export type KeyDistribution =
  /** No key: records spread evenly over the partitions (the sticky partitioner, over time). */
  | { readonly kind: 'none' }
  /** `count` keys, each as likely. */
  | { readonly kind: 'uniform'; readonly count: number }
  /** `count` keys, the key of rank r drawn with weight 1 / r^exponent. */
  | { readonly kind: 'zipf'; readonly count: number; readonly exponent: number }
  /** One key carries `hotShare` of the records, the other `count − 1` share the rest evenly. */
  | { readonly kind: 'hot'; readonly count: number; readonly hotShare: number };

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface ProducerSpec {
  readonly topic: string;
  readonly ratePerSec: number;
  readonly recordBytes: number;
  readonly keys: KeyDistribution;
}

/** The time one record takes to process. */
export type TimeDistribution =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number };

/** How fast one member processes: a rate, or a time per record drawn from a distribution. */
export type Processing = { readonly ratePerSec: number } | { readonly perRecordMs: TimeDistribution };

export type GroupProtocol = 'classic' | 'consumer';
/** auto: commit the position every autoCommitIntervalMs; after / before: each poll's records after or before processing them. */
export type CommitMode = 'auto' | 'after' | 'before';

export interface GroupSpec {
  readonly name: string;
  readonly topics: readonly string[];
  readonly protocol: GroupProtocol;
  /** classic: the client-side assignor the leader runs; consumer: the server-side one (uniform, range). */
  readonly assignor: string;
  /** The members present from the start, by name; `join` events add more. */
  readonly members: readonly string[];
  readonly processing: Processing;
  readonly maxPollRecords: number;
  readonly maxPollIntervalMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly commit: CommitMode;
  readonly autoCommitIntervalMs: number;
}

export type TimelineEvent =
  /** A new member (named `member`) joins `group`. */
  | { readonly atMs: number; readonly event: 'join'; readonly group: string; readonly member: string }
  /** The member's process dies (SIGKILL): no LeaveGroup, its session has to expire. */
  | { readonly atMs: number; readonly event: 'kill'; readonly group: string; readonly member: string }
  /** The member leaves gracefully: it commits what it processed and sends LeaveGroup. */
  | { readonly atMs: number; readonly event: 'leave'; readonly group: string; readonly member: string }
  /** The member's processing takes `factor` times as long from now on (1 restores it). */
  | { readonly atMs: number; readonly event: 'slow'; readonly group: string; readonly member: string; readonly factor: number }
  /** The topic grows to `partitions` partitions. */
  | { readonly atMs: number; readonly event: 'add-partitions'; readonly topic: string; readonly partitions: number }
  /** The broker stops and is back after `downMs`; what it acknowledged is kept. */
  | { readonly atMs: number; readonly event: 'broker-restart'; readonly downMs: number };

export type TimelineEventKind = TimelineEvent['event'];

/** Coordinator settings the scenario runs under (the broker's, not a member's). */
export interface BrokerSpec {
  /** group.initial.rebalance.delay.ms (Kafka's default 3 s). */
  readonly initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms (Kafka's default 6 s): lower it for scenarios in milliseconds. */
  readonly groupMinSessionTimeoutMs: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly durationMs: number;
  /** The report's resolution: one sample of every series per this many ms of the run. */
  readonly sampleEveryMs: number;
  readonly broker: BrokerSpec;
  readonly topics: readonly TopicSpec[];
  readonly producers: readonly ProducerSpec[];
  readonly groups: readonly GroupSpec[];
  /** In time order (events at the same time keep the file's order). */
  readonly timeline: readonly TimelineEvent[];
}

export type ParsedScenario = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: string[] };

const namePattern = '^[A-Za-z0-9._-]+$';
const name = (noun: string, description: string): JsonSchema => ({
  type: 'string', minLength: 1, maxLength: 249, pattern: namePattern,
  title: `a ${noun} (letters, digits, '.', '_', '-')`, description,
});
const positiveInt = (description: string, maximum?: number): JsonSchema => ({ type: 'integer', minimum: 1, ...(maximum === undefined ? {} : { maximum }), description });
const atMs: JsonSchema = { type: 'integer', minimum: 0, maximum: labDurationMsMax, description: 'When the event happens, ms after the start' };
const rate = (description: string): JsonSchema => ({ type: 'number', exclusiveMinimum: 0, maximum: labRatePerSecMax, description });
const ms = (description: string): JsonSchema => ({ type: 'number', minimum: 0, maximum: labDurationMsMax, description });

const keysSchema: JsonSchema = {
  description: 'How the producer picks keys (records go to murmur2(key) % partitions, as in Kafka)',
  oneOf: [
    { type: 'object', additionalProperties: false, required: ['kind'], properties: { kind: { const: 'none' } } },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'count'],
      properties: { kind: { const: 'uniform' }, count: positiveInt('Distinct keys, equally likely', labKeysMax) },
    },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'count'],
      properties: {
        kind: { const: 'zipf' }, count: positiveInt('Distinct keys', labKeysMax),
        exponent: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 1, description: 'Key of rank r has weight 1/r^exponent' },
      },
    },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'hotShare'],
      properties: {
        kind: { const: 'hot' }, count: { ...positiveInt('Distinct keys, the hot one included', labKeysMax), default: 1000 },
        hotShare: { type: 'number', minimum: 0, maximum: 1, description: 'Share of the records carried by the hot key' },
      },
    },
  ],
};

const timeDistributionSchema: JsonSchema = {
  description: 'Time to process one record: a number of ms, or a distribution',
  oneOf: [
    ms('Every record takes this many ms'),
    { type: 'object', additionalProperties: false, required: ['kind', 'ms'], properties: { kind: { const: 'fixed' }, ms: ms('Every record takes this many ms') } },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'minMs', 'maxMs'],
      properties: { kind: { const: 'uniform' }, minMs: ms('Shortest'), maxMs: ms('Longest') },
    },
    { type: 'object', additionalProperties: false, required: ['kind', 'meanMs'], properties: { kind: { const: 'exponential' }, meanMs: ms('Mean') } },
  ],
};

const processingSchema: JsonSchema = {
  description: 'How fast each member processes records',
  oneOf: [
    { type: 'object', title: '{ ratePerSec }', additionalProperties: false, required: ['ratePerSec'], properties: { ratePerSec: rate('Records one member processes per second') } },
    { type: 'object', title: '{ perRecordMs }', additionalProperties: false, required: ['perRecordMs'], properties: { perRecordMs: timeDistributionSchema } },
  ],
};

const groupSchema: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'members', 'processing'],
  properties: {
    name: name('group id', 'The group id'),
    topic: { ...name('topic name', 'The one topic the group subscribes to (or give topics)') },
    topics: { type: 'array', minItems: 1, maxItems: labTopicsMax, uniqueItems: true, items: name('topic name', 'A topic'), description: 'Topics the group subscribes to' },
    protocol: { enum: ['classic', 'consumer'], default: 'classic', description: 'classic (JoinGroup/SyncGroup) or consumer (KIP-848 heartbeats)' },
    assignor: {
      enum: [...new Set([...assignorNames.filter((assignor) => assignor !== 'RoundRobinAssigner'), ...consumerAssignorNames])],
      description: 'classic: range, roundrobin, sticky, cooperative-sticky; consumer: uniform, range. Default range (classic), uniform (consumer)',
    },
    members: {
      description: 'Members present from the start: a count (named c1, c2, …) or their names',
      oneOf: [
        positiveInt('How many members', labGroupMembersMax),
        { type: 'array', minItems: 1, maxItems: labGroupMembersMax, uniqueItems: true, items: name('member name', 'A member'), title: 'a list of member names' },
      ],
    },
    processing: processingSchema,
    maxPollRecords: { ...positiveInt('max.poll.records', 1_000_000), default: 500 },
    maxPollIntervalMs: { ...positiveInt('max.poll.interval.ms', labDurationMsMax), default: 300_000 },
    sessionTimeoutMs: { ...positiveInt('session.timeout.ms (consumer protocol: the broker\'s group.consumer.session.timeout.ms)', labDurationMsMax), default: 45_000 },
    heartbeatIntervalMs: { ...positiveInt('heartbeat.interval.ms', labDurationMsMax), default: 3_000 },
    commit: { enum: ['auto', 'after', 'before'], default: 'auto', description: 'auto: every autoCommitIntervalMs; after / before: each poll, after or before processing it' },
    autoCommitIntervalMs: { ...positiveInt('auto.commit.interval.ms', labDurationMsMax), default: 5_000 },
  },
};

const memberEvent = (event: string, extra: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object', additionalProperties: false, required: ['atMs', 'event', 'group', ...required],
  properties: { atMs, event: { const: event }, group: name('group id', 'The group'), member: name('member name', 'The member'), ...extra },
});

const timelineEventSchema: JsonSchema = {
  description: 'Something that happens at atMs',
  oneOf: [
    memberEvent('join'),
    memberEvent('kill', {}, ['member']),
    memberEvent('leave', {}, ['member']),
    memberEvent('slow', { factor: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000, description: 'Processing takes factor times as long' } }, ['member', 'factor']),
    {
      type: 'object', additionalProperties: false, required: ['atMs', 'event', 'topic', 'partitions'],
      properties: { atMs, event: { const: 'add-partitions' }, topic: name('topic name', 'The topic'), partitions: positiveInt('The new partition count', labTopicPartitionsMax) },
    },
    {
      type: 'object', additionalProperties: false, required: ['atMs', 'event'],
      properties: { atMs, event: { const: 'broker-restart' }, downMs: { ...ms('How long the broker is down'), default: 0 } },
    },
  ],
};

/** The scenario file's JSON Schema (the subset json_schema.ts checks). */
export const scenarioSchema: JsonSchema = {
  type: 'object', additionalProperties: false, required: ['name', 'durationMs', 'topics', 'groups'],
  properties: {
    name: name('scenario name', 'The scenario name'),
    description: { type: 'string', maxLength: 10_000, default: '', description: 'What the scenario shows' },
    durationMs: positiveInt('How long the run lasts (ms)', labDurationMsMax),
    sampleEveryMs: positiveInt('Report resolution: ms between samples (default: about 500 samples per run)', labDurationMsMax),
    broker: {
      type: 'object', additionalProperties: false, default: {},
      properties: {
        initialRebalanceDelayMs: { type: 'integer', minimum: 0, maximum: labDurationMsMax, default: 3_000, description: 'group.initial.rebalance.delay.ms' },
        groupMinSessionTimeoutMs: { ...positiveInt('group.min.session.timeout.ms', labDurationMsMax), default: 6_000 },
      },
    },
    topics: {
      type: 'array', minItems: 1, maxItems: labTopicsMax,
      items: { type: 'object', additionalProperties: false, required: ['name', 'partitions'], properties: { name: name('topic name', 'The topic'), partitions: positiveInt('Partition count', labTopicPartitionsMax) } },
    },
    producers: {
      type: 'array', maxItems: labProducersMax, default: [],
      items: {
        type: 'object', additionalProperties: false, required: ['topic', 'ratePerSec'],
        properties: {
          topic: name('topic name', 'The topic produced to'),
          ratePerSec: rate('Records per second'),
          recordBytes: { ...positiveInt('Bytes per record (key, value and headers)', 1024 * 1024), default: 100 },
          keys: { ...keysSchema, default: { kind: 'none' } },
        },
      },
    },
    groups: { type: 'array', minItems: 1, maxItems: labGroupsMax, items: groupSchema },
    timeline: { type: 'array', maxItems: labTimelineEventsMax, default: [], items: timelineEventSchema },
  },
};

/** The schema as a standalone document, for editors (`"$schema"` in a scenario file may point at it). */
export const scenarioSchemaDocument = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'lanes-lab-scenario.schema.json',
  title: 'lanes lab scenario',
  ...scenarioSchema,
  properties: { $schema: { type: 'string' }, ...scenarioSchema.properties },
};

/** A few hundred samples per run, at a round step (1, 2 or 5 × 10^k ms). */
export function defaultSampleEveryMs(durationMs: number): number {
  const target = durationMs / 500;
  for (let power = 1; ; power *= 10) {
    for (const step of [1, 2, 5]) if (step * power >= target) return step * power;
  }
}

/** `count` member names: c1, c2, … */
export function memberNames(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `c${index + 1}`);
}

/** Checks the JSON against the schema and the rules between its parts; one line per problem. */
export function parseScenario(json: unknown): ParsedScenario {
  const withoutSchemaLink = typeof json === 'object' && json !== null && !Array.isArray(json) && '$schema' in json
    ? Object.fromEntries(Object.entries(json).filter(([key]) => key !== '$schema'))
    : json;
  const validated = validateJson(scenarioSchema, withoutSchemaLink);
  if (!validated.ok) return validated;
  const raw = validated.value as RawScenario;
  const errors: string[] = [];
  const scenario = normalise(raw, errors);
  if (errors.length === 0) errors.push(...scenarioErrors(scenario));
  return errors.length === 0 ? { ok: true, scenario } : { ok: false, errors };
}

/**
 * The rules between a parsed scenario's parts, one line per problem (empty when it holds): for a
 * scenario derived from a valid one (compressed in time, varied) whose derived values may break them.
 */
export function scenarioErrors(scenario: Scenario): string[] {
  const errors: string[] = [];
  crossCheck(scenario, errors);
  return errors;
}

interface RawGroup extends Omit<GroupSpec, 'topics' | 'members' | 'assignor' | 'processing'> {
  readonly topic?: string;
  readonly topics?: string[];
  readonly assignor?: string;
  readonly members: number | string[];
  readonly processing: { ratePerSec: number } | { perRecordMs: number | TimeDistribution };
}
interface RawScenario extends Omit<Scenario, 'groups' | 'timeline' | 'sampleEveryMs'> {
  readonly sampleEveryMs?: number;
  readonly groups: RawGroup[];
  readonly timeline: (TimelineEvent | { readonly atMs: number; readonly event: 'join'; readonly group: string; readonly member?: string })[];
}

function normalise(raw: RawScenario, errors: string[]): Scenario {
  const groups = raw.groups.map((group, index): GroupSpec => {
    const path = `(scenario).groups[${index}]`;
    if ((group.topic === undefined) === (group.topics === undefined)) errors.push(`${path}: expected either topic or topics`);
    const processing = 'ratePerSec' in group.processing
      ? { ratePerSec: group.processing.ratePerSec }
      : { perRecordMs: typeof group.processing.perRecordMs === 'number' ? { kind: 'fixed' as const, ms: group.processing.perRecordMs } : group.processing.perRecordMs };
    const { topic: _topic, ...rest } = group;
    return {
      ...rest,
      topics: group.topics ?? (group.topic === undefined ? [] : [group.topic]),
      assignor: group.assignor ?? (group.protocol === 'consumer' ? 'uniform' : 'range'),
      members: typeof group.members === 'number' ? memberNames(group.members) : group.members,
      processing,
    };
  });
  // Joins without a name take the next free c<n> of their group.
  const nextMember = new Map(groups.map((group) => [group.name, group.members.length]));
  const timeline = raw.timeline.map((event): TimelineEvent => {
    if (event.event !== 'join' || event.member !== undefined) return event as TimelineEvent;
    const group = event.group;
    const taken = new Set(groups.find((spec) => spec.name === group)?.members ?? []);
    let next = nextMember.get(group) ?? 0;
    do next++; while (taken.has(`c${next}`));
    nextMember.set(group, next);
    return { atMs: event.atMs, event: 'join', group, member: `c${next}` };
  });
  const sorted = timeline.map((event, index) => ({ event, index })).sort((a, b) => a.event.atMs - b.event.atMs || a.index - b.index).map(({ event }) => event);
  return { ...raw, sampleEveryMs: raw.sampleEveryMs ?? defaultSampleEveryMs(raw.durationMs), groups, timeline: sorted };
}

const classicAssignors = new Set(assignorNames);
const serverAssignors = new Set<string>(consumerAssignorNames);

function crossCheck(scenario: Scenario, errors: string[]): void {
  const partitions = new Map<string, number>();
  scenario.topics.forEach((topic, index) => {
    if (partitions.has(topic.name)) errors.push(`(scenario).topics[${index}].name: topic ${topic.name} appears twice`);
    partitions.set(topic.name, topic.partitions);
  });
  const topicPath = (path: string, topic: string) => {
    if (!partitions.has(topic)) errors.push(`${path}: no topic ${topic} in topics (${[...partitions.keys()].join(', ')})`);
  };
  scenario.producers.forEach((producer, index) => topicPath(`(scenario).producers[${index}].topic`, producer.topic));
  const members = new Map<string, Set<string>>();
  scenario.groups.forEach((group, index) => {
    const path = `(scenario).groups[${index}]`;
    if (members.has(group.name)) errors.push(`${path}.name: group ${group.name} appears twice`);
    members.set(group.name, new Set(group.members));
    group.topics.forEach((topic) => topicPath(`${path}.topics`, topic));
    const known = group.protocol === 'classic' ? classicAssignors : serverAssignors;
    if (!known.has(group.assignor)) errors.push(`${path}.assignor: the ${group.protocol} protocol has no assignor ${group.assignor} (expected one of ${[...known].join(', ')})`);
    if (group.protocol === 'classic' && group.heartbeatIntervalMs >= group.sessionTimeoutMs) {
      errors.push(`${path}.heartbeatIntervalMs: expected less than sessionTimeoutMs (${group.sessionTimeoutMs}), got ${group.heartbeatIntervalMs}`);
    }
    if (group.sessionTimeoutMs < scenario.broker.groupMinSessionTimeoutMs) {
      errors.push(`${path}.sessionTimeoutMs: expected at least broker.groupMinSessionTimeoutMs (${scenario.broker.groupMinSessionTimeoutMs}), got ${group.sessionTimeoutMs}`);
    }
  });
  const grown = new Map(partitions);
  scenario.timeline.forEach((event, index) => {
    const path = `(scenario).timeline[${index}]`;
    if (event.atMs > scenario.durationMs) errors.push(`${path}.atMs: expected at most durationMs (${scenario.durationMs}), got ${event.atMs}`);
    if (event.event === 'add-partitions') {
      const now = grown.get(event.topic);
      if (now === undefined) topicPath(`${path}.topic`, event.topic);
      else if (event.partitions <= now) errors.push(`${path}.partitions: expected more than the ${now} partitions ${event.topic} has then, got ${event.partitions}`);
      else grown.set(event.topic, event.partitions);
      return;
    }
    if (event.event === 'broker-restart') return;
    const group = members.get(event.group);
    if (group === undefined) {
      errors.push(`${path}.group: no group ${event.group} in groups`);
      return;
    }
    if (event.event === 'join') {
      if (group.has(event.member)) errors.push(`${path}.member: ${event.group} already has a member ${event.member}`);
      group.add(event.member);
    } else if (!group.has(event.member)) {
      errors.push(`${path}.member: ${event.group} has no member ${event.member} (members are ${[...group].join(', ')}, and those that join earlier)`);
    }
  });
  for (const [group, names] of members) {
    if (names.size > labGroupMembersMax) errors.push(`(scenario).timeline: group ${group} would have ${names.size} members, expected at most ${labGroupMembersMax}`);
  }
  const samples = Math.ceil(scenario.durationMs / scenario.sampleEveryMs) + 1;
  if (samples > labSamplesMax) {
    errors.push(`(scenario).sampleEveryMs: expected at least ${Math.ceil(scenario.durationMs / (labSamplesMax - 1))} (at most ${labSamplesMax} samples), got ${scenario.sampleEveryMs}`);
    return;
  }
  const series = scenario.groups.reduce((sum, group) => sum + group.topics.reduce((n, topic) => n + (grown.get(topic) ?? 0), 0) + 2 * (members.get(group.name)?.size ?? 0), 1);
  if (series * samples > labReportPointsMax) {
    errors.push(`(scenario).sampleEveryMs: ${series} series × ${samples} samples exceed the report's ${labReportPointsMax} points; sample less often`);
  }
}
