// The messages between the real-time engine (actors/lab/real_engine.ts) and a member host thread
// (member_host.ts), and what each member there (lab_member.ts) is made with. A host carries several
// members; every command and message names its member by the engine's key ("group/member").
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
  /** Everything the member owns now ("topic-partition"), after each rebalance callback. */
  | { type: 'owned'; partitions: string[] }
  | { type: 'processed'; ranges: ProcessedRange[] }
  /** After a graceful leave: committed, LeaveGroup sent, consumer disconnected. */
  | { type: 'left' };

/** Engine → host. `add` makes the member (its client, not connected); `start` connects it and joins. */
export type HostCommand =
  | { type: 'add'; key: string; settings: MemberSettings }
  | { type: 'start'; key: string }
  | { type: 'slow'; key: string; factor: number }
  | { type: 'leave'; key: string }
  /** As a SIGKILL: its sockets closed at once, no LeaveGroup, nothing more reported. */
  | { type: 'kill'; key: string };

/** Host → engine: `added` once the member is made, waiting for `start`; then what the member says. */
export type HostMessage = { key: string; message: MemberMessage | { type: 'added' } };
