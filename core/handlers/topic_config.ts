// Kafka topic config names ↔ the TopicConfigView Lanes implements. Used by CreateTopics (to read
// the configs a client sets) and DescribeConfigs (to report them).
import { ErrorCode, LanesError, quoted } from '../errors.js';
import { recordBatchBytesMaxDefault, segmentBytesMax } from '../limits.js';
import type { TopicConfigView } from './handler.js';

export const topicConfigNames = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'max.message.bytes': 'maxMessageBytes',
} as const satisfies Record<string, keyof TopicConfigView>;

export type TopicConfigName = keyof typeof topicConfigNames;

/**
 * Configs Kafka knows that Lanes accepts and ignores, with the only value Lanes behaves like
 * (null: any value). A topic config outside both lists is refused with INVALID_CONFIG.
 */
const acceptedIgnored: Record<string, string | null> = {
  'cleanup.policy': 'delete',
  'compression.type': null,
  'min.insync.replicas': null,
  'message.timestamp.type': 'CreateTime',
  'unclean.leader.election.enable': null,
  'segment.ms': null,
  'flush.messages': null,
  'flush.ms': null,
  'file.delete.delay.ms': null,
  'index.interval.bytes': null,
  'delete.retention.ms': null,
  'min.compaction.lag.ms': null,
  'max.compaction.lag.ms': null,
  'min.cleanable.dirty.ratio': null,
  'preallocate': null,
  'segment.index.bytes': null,
  'segment.jitter.ms': null,
  'message.downconversion.enable': null,
  'message.timestamp.difference.max.ms': null,
  'follower.replication.throttled.replicas': null,
  'leader.replication.throttled.replicas': null,
};

/** Reads CreateTopics configs; throws LanesError INVALID_CONFIG for values Lanes cannot honour. */
export function parseTopicConfigs(configs: readonly { name: string; value: string | null }[]): Partial<TopicConfigView> {
  const parsed: Partial<TopicConfigView> = {};
  for (const { name, value } of configs) {
    if (name in topicConfigNames) {
      const number = value === null ? Number.NaN : Number(value);
      if (!Number.isSafeInteger(number)) throw new LanesError(ErrorCode.INVALID_CONFIG, `config ${quoted(name)} needs an integer, got ${quoted(value)}`);
      parsed[topicConfigNames[name as TopicConfigName]] = number;
      continue;
    }
    if (!(name in acceptedIgnored)) throw new LanesError(ErrorCode.INVALID_CONFIG, `unknown topic config ${quoted(name)}`);
    const only = acceptedIgnored[name];
    if (only !== null && value !== null && value !== only) {
      throw new LanesError(ErrorCode.INVALID_CONFIG, `config ${name}=${quoted(value)} is not supported (Lanes behaves as ${name}=${only})`);
    }
  }
  checkLogCanHonour(parsed);
  return parsed;
}

/**
 * Values the partition log would refuse when it opens. Refused here, before the topic exists:
 * a topic registered with them could not be opened, then or at the next start. Kafka's own
 * minimums are looser (segment.bytes ≥ 14, max.message.bytes ≥ 0); Lanes also needs the largest
 * batch to fit in one segment. Without max.message.bytes in the request the broker's default
 * (Kafka's message.max.bytes) applies.
 */
export function checkLogCanHonour(parsed: Partial<TopicConfigView>): void {
  const { segmentBytes, maxMessageBytes, retentionMs } = parsed;
  if (maxMessageBytes !== undefined && maxMessageBytes < 1) {
    throw new LanesError(ErrorCode.INVALID_CONFIG, `config max.message.bytes must be positive, got ${maxMessageBytes}`);
  }
  if (segmentBytes !== undefined) {
    const batchBytesMax = maxMessageBytes ?? recordBatchBytesMaxDefault;
    if (segmentBytes < batchBytesMax || segmentBytes > segmentBytesMax) {
      throw new LanesError(ErrorCode.INVALID_CONFIG, `config segment.bytes must be between max.message.bytes (${batchBytesMax}) and ${segmentBytesMax}, got ${segmentBytes}`);
    }
  } else if (maxMessageBytes !== undefined && maxMessageBytes > segmentBytesMax) {
    throw new LanesError(ErrorCode.INVALID_CONFIG, `config max.message.bytes must be at most ${segmentBytesMax}, got ${maxMessageBytes}`);
  }
  if (retentionMs !== undefined && retentionMs < -1) {
    throw new LanesError(ErrorCode.INVALID_CONFIG, `config retention.ms must be −1 (keep forever) or more, got ${retentionMs}`);
  }
}
