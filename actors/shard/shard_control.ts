// The control plane of a shard, served over comlink (postMessage): low-rate operations whose
// latency does not matter. Data-plane traffic (produce, fetch, commits) never goes this way.
import type { FlushHistogramSnapshot } from './flush_histogram.js';
import type { DrainedGroupEvents } from './group_event_buffer.js';

export interface PartitionLogConfig {
  segmentBytes: number;
  segmentMs: number;
  retentionBytes: number;
  retentionMs: number;
  maxMessageBytes: number;
  indexIntervalBytes: number;
}

export interface OpenPartition {
  actorId: number;
  topic: string;
  partition: number;
  config: PartitionLogConfig;
}

export interface PartitionState {
  actorId: number;
  topic: string;
  partition: number;
  logStartOffset: number;
  highWatermark: number;
  segments: number;
  sizeBytes: number;
  /** Why the partition is offline (its log failed; requests answer KAFKA_STORAGE_ERROR), or null. */
  offline: string | null;
}

export interface ShardDescription {
  shardId: number;
  partitions: PartitionState[];
  arenaBytesInUse: number;
  arenaBytesTotal: number;
  envelopesHandled: number;
  turns: number;
  kernels: string;
  /** V8 heap in use on the shard's thread (its own isolate), for memory measurements. */
  heapUsedBytes: number;
}

export interface ShardControl {
  /** The host's topic catalogue (name → partition count), for the group coordinator's checks. */
  setTopics(topics: [string, number][]): Promise<void>;
  /** Opens (creating or recovering) a partition's log and starts its actor. */
  openPartition(spec: OpenPartition): Promise<PartitionState>;
  /**
   * Applies a topic's altered configs to one open partition's log (index.interval.bytes is fixed
   * once the log is open); false when the shard has no such partition.
   */
  reconfigurePartition(actorId: number, config: PartitionLogConfig): Promise<boolean>;
  /** Stops a partition's actor; with deleteData its log is removed. */
  closePartition(actorId: number, deleteData: boolean): Promise<void>;
  describe(): Promise<ShardDescription>;
  /** Takes the group coordinator's events recorded since the last call (group_event_buffer.ts). */
  drainGroupEvents(): Promise<DrainedGroupEvents>;
  /** Durations of this shard's disk flushes since it started (flush_histogram.ts); empty in memory. */
  flushStats(): Promise<FlushHistogramSnapshot>;
  /** Finishes the work in the ring, flushes and closes every log, and lets the thread end. */
  stop(): Promise<void>;
}
