// The messages between the real-time engine (actors/lab/real_engine.ts) and a member's worker
// (member_worker.ts), and what the worker is started with.
import type { CommitMode, GroupProtocol, Processing } from '../../core/lab/scenario.js';

export interface MemberSettings {
  brokers: string[];
  group: string;
  member: string;
  topics: readonly string[];
  protocol: GroupProtocol;
  assignor: string;
  processing: Processing;
  /** The run's rates times this (real time at a scale the machine holds): processing slows as much. */
  scale: number;
  /** Records per poll: the group's max.poll.records × scale (at least 1), so a poll lasts what it would in the scenario. */
  maxPollRecords: number;
  /** The client's maxBytesPerPartition: a fetch brings about one poll's records per partition. */
  fetchBytesPerPartition: number;
  maxPollIntervalMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  commit: CommitMode;
  autoCommitIntervalMs: number;
  seed: number;
}

/** ["topic-partition", first offset, next offset]: offsets first..next−1 processed. */
export type ProcessedRange = [string, number, number];

export type MemberMessage =
  /** Loaded, waiting for 'start' to connect. */
  | { type: 'ready' }
  | { type: 'running' }
  /** Everything the member owns now ("topic-partition"), after each rebalance callback. */
  | { type: 'owned'; partitions: string[] }
  | { type: 'processed'; ranges: ProcessedRange[] }
  /** After a graceful leave: committed, LeaveGroup sent, consumer disconnected. */
  | { type: 'left' };

export type MemberCommand = { type: 'start' } | { type: 'slow'; factor: number } | { type: 'leave' };
