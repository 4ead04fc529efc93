// What the KafkaJS-shaped client needs from a broker, and nothing more: topics, offsets, produce,
// fetch with a long poll, and the group coordinator's calls. Two adapters implement it:
//
//   embedded_port.ts   the Broker of this process (Lanes.start()): direct calls, no sockets
//   wire_port.ts       any Kafka-protocol broker (`lanes start`, Kafka) through actors/net/cluster.ts
//
// The producer, consumer and admin are written once against this port, so an application moves
// between `lanes.kafka()` and `new Kafka({ brokers })` without a code change.
//
// Errors a broker reports with a Kafka error code are thrown as LanesErrors carrying that code (or,
// for per-partition answers, returned in `errorCode`); a lost connection is NETWORK_EXCEPTION.

import type { GroupPortApi } from '../../core/group/group_calls.js';
import type { ClusterDescription, DeletedRecords } from '../net/cluster.js';
import type { ResourceAnswer } from '../../core/handlers/config_resources.js';
import type { DescribedResource } from '../../core/handlers/describe_configs.js';
import type { TxnFacade } from '../../core/txn/txn_calls.js';
import type { IsolationLevel } from '../../core/handlers/handler.js';

export type { IsolationLevel };

/** Kafka's special ListOffsets timestamps. */
export const earliestTimestamp = -2;
export const latestTimestamp = -1;

export interface PartitionOffsets {
  partition: number;
  logStartOffset: number;
  highWatermark: number;
}

export interface PortFetchRequest {
  topic: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

export interface PortFetchResult {
  /** NONE, or the partition's Kafka error (OFFSET_OUT_OF_RANGE, NOT_LEADER_OR_FOLLOWER, …). */
  errorCode: number;
  /** Whole record batches from the one holding the fetch offset; a partial tail is ignored. */
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
  /** read_committed: the aborted transactions with data in `batches` (the reader drops their records); else null. */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  /** The bytes may be views into shared memory: call once they are decoded. Idempotent. */
  release(): void;
}

export interface TopicToCreate {
  topic: string;
  partitions: number;
  configEntries: readonly { name: string; value: string }[];
}

/** A resource whose configs are asked for (DescribeConfigs); null keys: every config. */
export interface ConfigResourceQuery {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

/** A resource whose configs are replaced (AlterConfigs). */
export interface ConfigResourceChange {
  resourceType: number;
  resourceName: string;
  configs: { name: string; value: string | null }[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Empty when the broker does not say (ListGroups before v4). */
  groupState: string;
}

/** The group calls are those of core/group/group_calls.ts (GroupPortApi); listGroups has its own shape. */
/** The transaction calls a transactional producer makes (core/txn/txn_calls.ts). */
export type TxnPortApi = Pick<TxnFacade, 'initTransactionalProducer' | 'addPartitionsToTxn' | 'addOffsetsToTxn' | 'txnOffsetCommit' | 'endTxn'>;

export interface BrokerPort extends GroupPortApi {
  /** What JoinGroup reports as the member's host when the broker cannot see it. */
  readonly clientHost: string;
  /** True when fetched bytes crossed a network and their CRCs must be checked. */
  readonly verifyFetchedCrc: boolean;

  /** Partition count of every topic. */
  partitionCounts(): Promise<Map<string, number>>;
  /** Partition count of one topic, undefined when it does not exist. Over the wire: cached briefly. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** Creates a missing topic the way auto.create.topics.enable would; resolves with its partition count. */
  ensureTopic(topic: string): Promise<number>;
  /** False when the topic already exists. */
  createTopic(topic: TopicToCreate, validateOnly: boolean): Promise<boolean>;
  deleteTopic(topic: string): Promise<void>;
  createPartitions(topic: string, count: number): Promise<void>;
  /** Log start offset and high watermark of every partition; undefined when the topic does not exist. */
  topicOffsets(topic: string): Promise<PartitionOffsets[] | undefined>;
  /**
   * ListOffsets: earliestTimestamp, latestTimestamp, or the first offset at or after a timestamp
   * (-1: none). Latest in read_committed is the last stable offset, where a read_committed
   * consumer starting at the end must start so that it does not skip a transaction still open.
   */
  listOffset(topic: string, partition: number, timestamp: number, isolation?: IsolationLevel): Promise<number>;

  /**
   * DeleteRecords on one topic: each partition's log start offset moves to its offset (−1: the
   * high watermark); answers each partition's new log start offset or its error code. An unknown
   * topic throws UNKNOWN_TOPIC_OR_PARTITION.
   */
  deleteRecords(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<DeletedRecords[]>;
  /** The cluster's id, controller and brokers. */
  describeCluster(): Promise<ClusterDescription>;
  /** Each resource's configs, with its own error code (DescribeConfigs). */
  describeConfigs(resources: readonly ConfigResourceQuery[], includeSynonyms: boolean): Promise<DescribedResource[]>;
  /** Replaces each resource's configs (or only checks, with validateOnly); each answer with its own error code (AlterConfigs). */
  alterConfigs(resources: readonly ConfigResourceChange[], validateOnly: boolean): Promise<ResourceAnswer[]>;

  /** A producer id and epoch for an idempotent producer (InitProducerId, no transactional id). */
  initProducerId(): Promise<{ producerId: number; producerEpoch: number }>;
  /**
   * The transaction coordinator of the request's transactional id (over the wire: found with
   * FindCoordinator key type 1). Each answers the coordinator's error code; a broker that cannot
   * be asked throws.
   */
  readonly transactions: TxnPortApi;
  /**
   * Appends one RecordBatch. Once the promise has resolved the port holds no reference to `batch`
   * (with acks 1 or -1): the producer writes its next batch into the same buffer.
   */
  produce(topic: string, partition: number, batch: Uint8Array, acks: -1 | 0 | 1, transactionalId?: string): Promise<{ baseOffset: number; logStartOffset: number }>;
  /**
   * Fetches every requested partition. When none has records, waits up to `maxWaitMs` for one to
   * get some (a long poll), or until `wake` settles, and answers with what is there then.
   * read_committed (the consumer's default, as KafkaJS) stops at each partition's last stable offset.
   */
  fetch(requests: readonly PortFetchRequest[], maxWaitMs: number, wake: Promise<void>, isolation?: IsolationLevel): Promise<PortFetchResult[]>;

  /** Every group the broker has (over the wire: ListGroups, whose versions before v4 carry no state). */
  listGroups(): Promise<GroupListing[]>;

  /** Tells this process's consumers that topics changed (embedded); over the wire they poll Metadata. */
  topicsChanged(): void;
  /** Embedded: called on every change made in this process. Over the wire: never (consumers poll). */
  onTopicsChanged(listener: () => void): () => void;
  /** Closes connections (wire); nothing to do in-process. */
  close(): Promise<void>;
}
