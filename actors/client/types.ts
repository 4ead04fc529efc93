// The embedded client's public shapes, named and typed as KafkaJS 2.2 names them, so code written
// against `new Kafka(...)` compiles against `lanes.kafka(...)`. Offsets and timestamps travel as
// decimal strings, as in KafkaJS; keys, values and header values arrive as Buffers.

export type Value = Buffer | string | null;

/** KafkaJS's IHeaders: a header repeated in a record arrives as an array of its values. */
export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: IHeaders;
  /** Milliseconds since the epoch, as a string (KafkaJS) or a number. */
  timestamp?: string | number;
}

/** KafkaJS's CompressionTypes; the producer writes and the consumer reads every one of them. */
export const CompressionTypes = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionType = (typeof CompressionTypes)[keyof typeof CompressionTypes];

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  /** -1 (all, default), 1 (leader) or 0 (no acknowledgement awaited). */
  acks?: number;
  timeout?: number;
  compression?: CompressionType;
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: CompressionType;
  topicMessages?: TopicMessages[];
}

export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

export interface ProducerConfig {
  /** Create a topic (one partition) the first time a record is sent to it; default true. */
  allowAutoTopicCreation?: boolean;
  /**
   * How long a batch may wait for more records before it is sent, in ms. 0 (default) sends at the
   * end of the current event-loop turn, so records sent together in one turn share a batch.
   */
  linger?: number;
  /** A batch is sent as soon as its records reach this many bytes; default 512 KiB. */
  batchSize?: number;
  /** 'sticky' (Java's default since 2.4, default) or 'round-robin' (KafkaJS) for keyless records. */
  nullKeyPartitioner?: 'sticky' | 'round-robin';
  /**
   * KafkaJS's option: a partitioner factory (`Partitioners.DefaultPartitioner`,
   * `Partitioners.LegacyPartitioner` or your own) asked for each message's partition instead of
   * Lanes' (murmur2 for keys as the Java client, `nullKeyPartitioner` without).
   */
  createPartitioner?: import('./partitioners.js').ICustomPartitioner;
  /**
   * Kafka's idempotent producer: batches carry a producer id, epoch and per-partition sequence
   * numbers, so the broker answers a batch it already has with its first offsets instead of
   * appending it again, and refuses gaps. Requires acks -1 (the default).
   */
  idempotent?: boolean;
  /**
   * Kafka's transactional producer (implies idempotent): `producer.transaction()` sends records and
   * consumer offsets that become visible together when the transaction commits. A newer producer
   * with the same id fences this one.
   */
  transactionalId?: string;
  /** How long a transaction may stay open before the coordinator aborts it, in ms; default 60000 (KafkaJS's). */
  transactionTimeout?: number;
  /** KafkaJS's option; a transactional producer has one request in flight per partition anyway. */
  maxInFlightRequests?: number;
  /** Retries of a batch refused with a retriable error (KafkaJS's; over the Kafka's `retry`). */
  retry?: RetryOptions;
}

/** Consumer offsets a transaction commits with its records (KafkaJS's sendOffsets argument). */
export interface TxnOffsets {
  consumerGroupId: string;
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

/** One transaction of a transactional producer, KafkaJS's shape. */
export interface Transaction {
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  /** Commits these consumer offsets with the transaction (visible to the group once it commits). */
  sendOffsets(offsets: TxnOffsets): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  isActive(): boolean;
}

export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  attributes: number;
  offset: string;
  size: number;
  headers: IHeaders;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

export interface TopicPartitionOffsetAndMetadata extends TopicPartitionOffset {
  metadata?: string | null;
}

export interface Offsets {
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  /** Heartbeats run on their own timer; this resolves at once and exists for KafkaJS code. */
  heartbeat(): Promise<void>;
  /** Pauses this partition; returns the function that resumes it. */
  pause(): () => void;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  commitOffsetsIfNecessary(offsets?: Offsets): Promise<void>;
  uncommittedOffsets(): Offsets;
  isRunning(): boolean;
  isStale(): boolean;
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void>;
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void>;
export type RebalanceListener = (partitions: TopicPartitions[]) => void | Promise<void>;

export interface DeadLetterConfig {
  /** Where failed records go; default `<topic>.dlq`. Created (one partition) when missing. */
  topic?: string | ((topic: string) => string);
  /** Handler attempts per record before it is dead-lettered; default 3. */
  maxAttempts?: number;
  /** Wait between attempts, in ms; default 100. */
  backoffMs?: number;
}

export interface ConsumerRunConfig {
  /** Default true. */
  autoCommit?: boolean;
  /** Commit at most this often (ms). With neither interval nor threshold, commit after every batch (KafkaJS). */
  autoCommitInterval?: number | null;
  /** Commit once this many records were processed since the last commit. */
  autoCommitThreshold?: number | null;
  /** eachBatch: resolve the whole batch when the handler returns; default true. */
  eachBatchAutoResolve?: boolean;
  /** Partitions whose batches are processed at the same time; default 1. */
  partitionsConsumedConcurrently?: number;
  eachMessage?: EachMessageHandler;
  eachBatch?: EachBatchHandler;
  /** Called before partitions are taken away cleanly (commit here); eager: all of them, cooperative: only what moves. */
  onPartitionsRevoked?: RebalanceListener;
  /** Called with the partitions new to this member, before any of their records are handled. */
  onPartitionsAssigned?: RebalanceListener;
  /** Called with partitions that may already be someone else's (session expiry, max poll interval): do not commit. */
  onPartitionsLost?: RebalanceListener;
  /** eachMessage only: retry a failing record, then produce it to a dead-letter topic and move on. */
  deadLetter?: DeadLetterConfig;
}

/**
 * KafkaJS's retry options, on `new Kafka` / `lanes.kafka` (for every client) and on each
 * producer or consumer (over those, key by key). The producer retries a batch the broker refused
 * with a retriable error; the consumer redelivers a record whose handler threw.
 */
export interface RetryOptions {
  /** Retries after the first attempt; default 5. */
  retries?: number;
  /** The longest single wait, in ms; default 30000. */
  maxRetryTime?: number;
  /** The first wait, in ms; default 300. */
  initialRetryTime?: number;
  /** Randomisation of each wait, ± this fraction; default 0.2. */
  factor?: number;
  /** Growth of the wait from one retry to the next; default 2. */
  multiplier?: number;
  /**
   * Consumer: asked with the error once a record's handler has failed past `retries`; resolving
   * false stops the consumer (CRASH with restart false), true (or no callback) delivers it again.
   */
  restartOnFailure?: (error: Error) => Promise<boolean>;
}

export interface ConsumerConfig {
  groupId: string;
  /**
   * The group protocol: 'classic' (the default: JoinGroup/SyncGroup, the members assign) or
   * 'consumer' (Kafka 4's KIP-848: the coordinator assigns, members reconcile incrementally
   * through ConsumerGroupHeartbeat). With 'consumer' the broker sets the session timeout and
   * heartbeat interval, so sessionTimeout, heartbeatInterval and partitionAssigners are refused
   * (as Java's consumer refuses them); groupRemoteAssignor picks the server-side assignor.
   */
  groupProtocol?: 'classic' | 'consumer';
  /** With groupProtocol 'consumer': the server-side assignor ('uniform', 'range'); default: the broker's. */
  groupRemoteAssignor?: string;
  /** Protocol names (or assignor objects), preferred first; default ['cooperative-sticky']. */
  partitionAssigners?: (string | import('../../core/assignors/assignor.js').PartitionAssignor)[];
  /** KIP-345 static membership. */
  groupInstanceId?: string;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  /** Java's max.poll.interval.ms: a handler busy longer makes the member leave the group. */
  maxPollInterval?: number;
  /** How often topic metadata is re-read for new topics and partitions, in ms; default 1000. */
  metadataMaxAge?: number;
  maxBytesPerPartition?: number;
  /** Longest wait for new records before the loop comes round again, in ms; default 1000. */
  maxWaitTimeInMs?: number;
  retry?: RetryOptions;
  /** Period of the LAG event, in ms; 0 turns it off; default 5000. */
  lagInterval?: number;
  /**
   * KafkaJS's: false (the default) reads committed records only (Kafka's read_committed): up to
   * each partition's last stable offset, without the records of aborted transactions. True reads
   * every record to the high watermark, aborted ones included.
   */
  readUncommitted?: boolean;
}

export interface ConsumerSubscribeTopics {
  topics: (string | RegExp)[];
  fromBeginning?: boolean;
}

export interface ConsumerSubscribeTopic {
  topic: string | RegExp;
  fromBeginning?: boolean;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** -1 when the group has committed nothing for the partition. */
  committedOffset: number;
  highWatermark: number;
  /** highWatermark − committedOffset (− logStartOffset when nothing is committed). */
  lag: number;
}

export interface InstrumentationEvent<T> {
  id: number;
  type: string;
  timestamp: number;
  payload: T;
}

export type RemoveInstrumentationEventListener = () => void;

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  configEntries?: { name: string; value: string }[];
}

/** KafkaJS's ConfigResourceTypes: what DescribeConfigs and AlterConfigs address. */
export const ConfigResourceTypes = { UNKNOWN: 0, TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;
/** KafkaJS's ConfigSource: where a config's value comes from. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
} as const;

/** A resource whose configs Admin.describeConfigs asks for (KafkaJS): every config, or `configNames`. */
export interface ResourceConfigQuery {
  type: number;
  name: string;
  configNames?: string[];
}

export interface ConfigSynonyms {
  configName: string;
  configValue: string | null;
  configSource: number;
}

export interface ConfigEntries {
  configName: string;
  configValue: string | null;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  readOnly: boolean;
  configSynonyms: ConfigSynonyms[];
}

export interface DescribeConfigResponse {
  resources: { configEntries: ConfigEntries[]; errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }[];
  throttleTime: number;
}

/** A resource whose configs Admin.alterConfigs replaces (KafkaJS): the ones left out go back to their defaults. */
export interface IResourceConfig {
  type: number;
  name: string;
  configEntries: { name: string; value: string }[];
}

export interface AlterConfigResponse {
  resources: { errorCode: number; errorMessage: string | null; resourceName: string; resourceType: number }[];
  throttleTime: number;
}

export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  groupState: string;
}

export interface MemberDescription {
  memberId: string;
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: string;
  errorCode: number;
}
