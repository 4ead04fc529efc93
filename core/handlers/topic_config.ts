// Kafka's topic configs as Lanes knows them: each one's type, Kafka 4.x's default, the broker
// configs that supply that default (Kafka's synonyms), a documentation line, and what Lanes does
// with it. CreateTopics, AlterConfigs and IncrementalAlterConfigs read values through
// `parseTopicConfigs`; DescribeConfigs reports from the same table (describe_configs.ts).
//
// Three kinds of config:
// - acted on: the value drives the partition log (`field`), applied live when altered;
// - one value only (`only`): Lanes behaves as that value and refuses any other;
// - accepted, not acted on: stored and reported, without effect (replication with one node,
//   the log cleaner Lanes does not have, flush knobs that the broker's --flush policy replaces).
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { recordBatchBytesMaxDefault, segmentBytesMax, topicConfigValueBytesMax } from '../limits.js';
import type { TopicConfigView } from './handler.js';

/** Kafka's ConfigType codes (DescribeConfigs v3+). */
export const ConfigType = { BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9 } as const;
export type ConfigTypeName = keyof typeof ConfigType;

/** Kafka's ConfigSource codes. */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, DYNAMIC_BROKER_CONFIG: 2, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

const longMax = '9223372036854775807';

export interface TopicConfigDef {
  readonly name: string;
  readonly type: ConfigTypeName;
  /** Kafka 4.x's documented default. */
  readonly kafkaDefault: string;
  /** The broker configs that give a topic its default, most specific first, with Kafka's defaults (null: unset). */
  readonly brokerSynonyms: readonly { name: string; kafkaDefault: string | null }[];
  readonly doc: string;
  /** The partition log setting it drives (applied live), when Lanes acts on it. */
  readonly field?: keyof TopicConfigView;
  /** The only value Lanes behaves as; any other is refused. */
  readonly only?: string;
  /** Smallest value (numbers); Kafka's own validator. */
  readonly min?: number;
  readonly max?: number;
  /** Values allowed (strings; each element of a list). */
  readonly oneOf?: readonly string[];
}

const def = (d: TopicConfigDef): TopicConfigDef => d;

/** Every topic config Lanes reports, in Kafka's (alphabetical) order. */
export const topicConfigDefs: readonly TopicConfigDef[] = [
  def({ name: 'cleanup.policy', type: 'LIST', kafkaDefault: 'delete', brokerSynonyms: [{ name: 'log.cleanup.policy', kafkaDefault: 'delete' }], only: 'delete', oneOf: ['delete', 'compact'],
    doc: 'How old log segments are retired: "delete" removes them past retention; "compact" (not supported by Lanes) keeps the latest record per key.' }),
  def({ name: 'compression.type', type: 'STRING', kafkaDefault: 'producer', brokerSynonyms: [{ name: 'compression.type', kafkaDefault: 'producer' }], oneOf: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    doc: 'The compression of stored batches; "producer" keeps what the producer sent. Lanes always keeps the producer\'s compression (the value is stored, not acted on).' }),
  def({ name: 'delete.retention.ms', type: 'LONG', kafkaDefault: '86400000', brokerSynonyms: [{ name: 'log.cleaner.delete.retention.ms', kafkaDefault: '86400000' }], min: 0,
    doc: 'How long delete tombstones are kept on compacted topics (stored, not acted on: Lanes does not compact).' }),
  def({ name: 'file.delete.delay.ms', type: 'LONG', kafkaDefault: '60000', brokerSynonyms: [{ name: 'log.segment.delete.delay.ms', kafkaDefault: '60000' }], min: 0,
    doc: 'How long to wait before deleting a retired segment file (stored, not acted on: Lanes deletes at once).' }),
  def({ name: 'flush.messages', type: 'LONG', kafkaDefault: longMax, brokerSynonyms: [{ name: 'log.flush.interval.messages', kafkaDefault: longMax }], min: 1,
    doc: 'Force an fsync after this many messages (stored, not acted on: the broker\'s --flush policy decides).' }),
  def({ name: 'flush.ms', type: 'LONG', kafkaDefault: longMax, brokerSynonyms: [{ name: 'log.flush.interval.ms', kafkaDefault: null }, { name: 'log.flush.scheduler.interval.ms', kafkaDefault: longMax }], min: 0,
    doc: 'Force an fsync after this long (stored, not acted on: the broker\'s --flush policy decides).' }),
  def({ name: 'follower.replication.throttled.replicas', type: 'LIST', kafkaDefault: '', brokerSynonyms: [],
    doc: 'Replicas whose follower replication is throttled (stored, not acted on: one node, no replication).' }),
  def({ name: 'index.interval.bytes', type: 'INT', kafkaDefault: '4096', brokerSynonyms: [{ name: 'log.index.interval.bytes', kafkaDefault: '4096' }], min: 0,
    doc: 'Bytes between offset index entries (stored, not acted on: Lanes indexes every 4096 bytes).' }),
  def({ name: 'leader.replication.throttled.replicas', type: 'LIST', kafkaDefault: '', brokerSynonyms: [],
    doc: 'Replicas whose leader replication is throttled (stored, not acted on: one node, no replication).' }),
  def({ name: 'max.compaction.lag.ms', type: 'LONG', kafkaDefault: longMax, brokerSynonyms: [{ name: 'log.cleaner.max.compaction.lag.ms', kafkaDefault: longMax }], min: 1,
    doc: 'Longest time a record stays uncompacted (stored, not acted on: Lanes does not compact).' }),
  def({ name: 'max.message.bytes', type: 'INT', kafkaDefault: String(recordBatchBytesMaxDefault), brokerSynonyms: [{ name: 'message.max.bytes', kafkaDefault: String(recordBatchBytesMaxDefault) }], field: 'maxMessageBytes', min: 1,
    doc: 'The largest record batch the topic accepts; larger produce requests get MESSAGE_TOO_LARGE.' }),
  def({ name: 'message.timestamp.type', type: 'STRING', kafkaDefault: 'CreateTime', brokerSynonyms: [{ name: 'log.message.timestamp.type', kafkaDefault: 'CreateTime' }], only: 'CreateTime', oneOf: ['CreateTime', 'LogAppendTime'],
    doc: 'Whose timestamp records keep: the producer\'s (CreateTime) or the broker\'s append time (LogAppendTime, not supported by Lanes).' }),
  def({ name: 'min.cleanable.dirty.ratio', type: 'DOUBLE', kafkaDefault: '0.5', brokerSynonyms: [{ name: 'log.cleaner.min.cleanable.ratio', kafkaDefault: '0.5' }], min: 0, max: 1,
    doc: 'How dirty a compacted log gets before it is cleaned (stored, not acted on: Lanes does not compact).' }),
  def({ name: 'min.compaction.lag.ms', type: 'LONG', kafkaDefault: '0', brokerSynonyms: [{ name: 'log.cleaner.min.compaction.lag.ms', kafkaDefault: '0' }], min: 0,
    doc: 'Shortest time a record stays uncompacted (stored, not acted on: Lanes does not compact).' }),
  def({ name: 'min.insync.replicas', type: 'INT', kafkaDefault: '1', brokerSynonyms: [{ name: 'min.insync.replicas', kafkaDefault: '1' }], min: 1,
    doc: 'Replicas that must acknowledge an acks=all write (stored, not acted on: one node is every replica).' }),
  def({ name: 'preallocate', type: 'BOOLEAN', kafkaDefault: 'false', brokerSynonyms: [{ name: 'log.preallocate', kafkaDefault: 'false' }],
    doc: 'Preallocate segment files on disk (stored, not acted on).' }),
  def({ name: 'retention.bytes', type: 'LONG', kafkaDefault: '-1', brokerSynonyms: [{ name: 'log.retention.bytes', kafkaDefault: '-1' }], field: 'retentionBytes',
    doc: 'Delete the oldest segments while a partition is larger than this; -1: no size limit.' }),
  def({ name: 'retention.ms', type: 'LONG', kafkaDefault: '604800000', brokerSynonyms: [{ name: 'log.retention.ms', kafkaDefault: null }, { name: 'log.retention.minutes', kafkaDefault: null }, { name: 'log.retention.hours', kafkaDefault: '168' }], field: 'retentionMs', min: -1,
    doc: 'Delete a segment once its newest record is older than this; -1: keep forever.' }),
  def({ name: 'segment.bytes', type: 'INT', kafkaDefault: '1073741824', brokerSynonyms: [{ name: 'log.segment.bytes', kafkaDefault: '1073741824' }], field: 'segmentBytes', min: 1,
    doc: 'Roll to a new segment file when the active one would exceed this many bytes.' }),
  def({ name: 'segment.index.bytes', type: 'INT', kafkaDefault: '10485760', brokerSynonyms: [{ name: 'log.index.size.max.bytes', kafkaDefault: '10485760' }], min: 4,
    doc: 'Size of a segment\'s offset index (stored, not acted on: Lanes sizes the index to the segment).' }),
  def({ name: 'segment.jitter.ms', type: 'LONG', kafkaDefault: '0', brokerSynonyms: [{ name: 'log.roll.jitter.ms', kafkaDefault: null }, { name: 'log.roll.jitter.hours', kafkaDefault: '0' }], min: 0,
    doc: 'Random jitter subtracted from segment.ms (stored, not acted on).' }),
  def({ name: 'segment.ms', type: 'LONG', kafkaDefault: '604800000', brokerSynonyms: [{ name: 'log.roll.ms', kafkaDefault: null }, { name: 'log.roll.hours', kafkaDefault: '168' }], field: 'segmentMs', min: 1,
    doc: 'Roll to a new segment this long after the active one got its first record, so retention can delete old data.' }),
  def({ name: 'unclean.leader.election.enable', type: 'BOOLEAN', kafkaDefault: 'false', brokerSynonyms: [{ name: 'unclean.leader.election.enable', kafkaDefault: 'false' }],
    doc: 'Let an out-of-sync replica become leader (stored, not acted on: one node).' }),
];

const defsByName: ReadonlyMap<string, TopicConfigDef> = new Map(topicConfigDefs.map((d) => [d.name, d]));

/**
 * Names Kafka no longer reports (removed in 4.0) that older clients may still send at creation:
 * accepted and dropped, as before.
 */
const legacyIgnored = new Set(['message.downconversion.enable', 'message.timestamp.difference.max.ms', 'message.format.version']);

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return defsByName.get(name);
}

/** The Kafka name of each log setting Lanes acts on. */
export const topicConfigNameOf: Readonly<Record<keyof TopicConfigView, string>> = Object.fromEntries(
  topicConfigDefs.filter((d) => d.field !== undefined).map((d) => [d.field, d.name]),
) as Record<keyof TopicConfigView, string>;

/** Topic configs set on a topic, by Kafka name, as the client wrote them (validated). */
export type TopicConfigOverrides = Readonly<Record<string, string>>;

const utf8 = new TextEncoder();

function invalid(message: string): LanesError {
  return new LanesError(ErrorCode.INVALID_CONFIG, message);
}

/** Checks one value against its definition; returns it in the form stored and reported. */
export function checkTopicConfigValue(name: string, value: string | null): string {
  const d = defsByName.get(name);
  if (d === undefined) throw invalid(`unknown topic config ${quoted(name)}`);
  if (value === null) throw invalid(`config ${name} needs a value`);
  if (utf8.encode(value).length > topicConfigValueBytesMax) throw invalid(`config ${name} must be at most ${topicConfigValueBytesMax} bytes, got ${quoted(value)}`);
  const trimmed = value.trim();
  switch (d.type) {
    case 'INT':
    case 'LONG': {
      if (!/^-?\d+$/.test(trimmed)) throw invalid(`config ${name} needs an integer, got ${quoted(value)}`);
      // 2^63 has 19 digits: longer ones are out of range without turning 32 KiB of digits into a BigInt.
      const digits = trimmed.replace(/^-?0*/, '');
      const big = digits.length > 19 ? 2n ** 64n : BigInt(trimmed);
      const [low, high] = d.type === 'INT' ? [-(2n ** 31n), 2n ** 31n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
      if (big < low || big > high) throw invalid(`config ${name} needs a ${d.type === 'INT' ? '32' : '64'}-bit integer, got ${quoted(value)}`);
      if (d.field !== undefined && !Number.isSafeInteger(Number(big))) throw invalid(`config ${name} must be within ±${Number.MAX_SAFE_INTEGER} in Lanes, got ${quoted(value)}`);
      if (d.min !== undefined && big < BigInt(d.min)) throw invalid(`config ${name} must be at least ${d.min}, got ${trimmed}`);
      return big.toString();
    }
    case 'DOUBLE': {
      const number = trimmed === '' ? Number.NaN : Number(trimmed);
      if (!Number.isFinite(number)) throw invalid(`config ${name} needs a number, got ${quoted(value)}`);
      if ((d.min !== undefined && number < d.min) || (d.max !== undefined && number > d.max)) throw invalid(`config ${name} must be between ${d.min} and ${d.max}, got ${trimmed}`);
      return trimmed;
    }
    case 'BOOLEAN': {
      const lower = trimmed.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalid(`config ${name} needs true or false, got ${quoted(value)}`);
      return lower;
    }
    default: {
      const items = d.type === 'LIST' ? trimmed.split(',').map((item) => item.trim()).filter((item) => item !== '') : [trimmed];
      if (d.oneOf !== undefined) {
        for (const item of items) if (!d.oneOf.includes(item)) throw invalid(`config ${name} must be one of ${d.oneOf.join(', ')}, got ${quoted(value)}`);
      }
      const normalized = items.join(',');
      if (d.only !== undefined && normalized !== d.only) throw invalid(`config ${name}=${quoted(value)} is not supported (Lanes behaves as ${name}=${d.only})`);
      return normalized;
    }
  }
}

/**
 * Reads configs set on a topic (CreateTopics, AlterConfigs): each validated, the log settings
 * among them as numbers. Throws LanesError INVALID_CONFIG naming the first bad one.
 */
export function parseTopicConfigs(configs: readonly { name: string; value: string | null }[]): { overrides: Record<string, string>; config: Partial<TopicConfigView> } {
  const overrides: Record<string, string> = {};
  const config: Partial<TopicConfigView> = {};
  for (const { name, value } of configs) {
    if (legacyIgnored.has(name) && !defsByName.has(name)) continue;
    const checked = checkTopicConfigValue(name, value);
    overrides[name] = checked;
    const field = defsByName.get(name)!.field;
    if (field !== undefined) config[field] = Number(checked);
  }
  return { overrides, config };
}

/** The log settings of a set of overrides (already checked). */
export function configOfOverrides(overrides: TopicConfigOverrides): Partial<TopicConfigView> {
  return parseTopicConfigs(Object.entries(overrides).map(([name, value]) => ({ name, value }))).config;
}

/**
 * Values the partition log would refuse when it opens, checked on the whole config a topic would
 * have (its overrides over the broker's defaults). Refused before anything changes: a topic
 * registered with them could not be opened, then or at the next start. Kafka's own minimums are
 * looser (segment.bytes ≥ 1 MiB, max.message.bytes ≥ 0); Lanes also needs the largest batch to
 * fit in one segment.
 */
export function checkLogCanHonour(config: Partial<TopicConfigView>): void {
  const { segmentBytes, maxMessageBytes, retentionMs, segmentMs } = config;
  if (maxMessageBytes !== undefined && maxMessageBytes < 1) {
    throw invalid(`config max.message.bytes must be positive, got ${maxMessageBytes}`);
  }
  if (segmentBytes !== undefined) {
    const batchBytesMax = maxMessageBytes ?? recordBatchBytesMaxDefault;
    if (segmentBytes < batchBytesMax || segmentBytes > segmentBytesMax) {
      throw invalid(`config segment.bytes must be between max.message.bytes (${batchBytesMax}) and ${segmentBytesMax}, got ${segmentBytes}`);
    }
  } else if (maxMessageBytes !== undefined && maxMessageBytes > segmentBytesMax) {
    throw invalid(`config max.message.bytes must be at most ${segmentBytesMax}, got ${maxMessageBytes}`);
  }
  if (retentionMs !== undefined && retentionMs < -1) {
    throw invalid(`config retention.ms must be −1 (keep forever) or more, got ${retentionMs}`);
  }
  if (segmentMs !== undefined && segmentMs < 1) {
    throw invalid(`config segment.ms must be positive, got ${segmentMs}`);
  }
}
