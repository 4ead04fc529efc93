// The coordinator's knobs, with Kafka's broker defaults. Checked once at construction: a bad
// configuration is the operator's mistake and is refused with a message naming the option.

import { assert } from '../assert.js';

export interface GroupConfig {
  /** group.min.session.timeout.ms: shorter session timeouts get INVALID_SESSION_TIMEOUT. */
  readonly sessionTimeoutMsMin: number;
  /** group.max.session.timeout.ms. */
  readonly sessionTimeoutMsMax: number;
  /**
   * group.initial.rebalance.delay.ms: how long a group coming out of Empty waits for more members
   * before completing the join phase, extended by as much again while members keep arriving,
   * up to the rebalance timeout. 0 completes the join phase as soon as everyone has joined.
   */
  readonly initialRebalanceDelayMs: number;
  /** group.max.size: members beyond it get GROUP_MAX_SIZE_REACHED. */
  readonly groupSizeMax: number;
  /** offset.metadata.max.bytes: longer commit metadata gets OFFSET_METADATA_TOO_LARGE. */
  readonly offsetMetadataBytesMax: number;
  /**
   * The shard's offsets log is compacted once this many bytes were appended since the last
   * compaction and at least as many as the last snapshot took (core/group/offsets_compaction.ts).
   * Read by the group actor, not the coordinator.
   */
  readonly offsetsCompactionBytesMin: number;
  /**
   * group.consumer.session.timeout.ms: a consumer-protocol (KIP-848) member that has not
   * heartbeated for this long is removed. The broker sets it, not the member.
   */
  readonly consumerSessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms: how often consumer-protocol members heartbeat. */
  readonly consumerHeartbeatIntervalMs: number;
  /** The first of group.consumer.assignors: the server-side assignor when no member names one. */
  readonly consumerAssignor: 'uniform' | 'range';
}

export const groupConfigDefault: GroupConfig = {
  sessionTimeoutMsMin: 6_000,
  sessionTimeoutMsMax: 1_800_000,
  initialRebalanceDelayMs: 3_000,
  groupSizeMax: 2_147_483_647,
  offsetMetadataBytesMax: 4_096,
  offsetsCompactionBytesMin: 4 * 1024 * 1024,
  consumerSessionTimeoutMs: 45_000,
  consumerHeartbeatIntervalMs: 5_000,
  consumerAssignor: 'uniform',
};

export function groupConfig(overrides: Partial<GroupConfig> = {}): GroupConfig {
  const config = { ...groupConfigDefault, ...overrides };
  assert(Number.isInteger(config.sessionTimeoutMsMin) && config.sessionTimeoutMsMin > 0,
    `sessionTimeoutMsMin must be a positive integer, got ${config.sessionTimeoutMsMin}`);
  assert(Number.isInteger(config.sessionTimeoutMsMax) && config.sessionTimeoutMsMax >= config.sessionTimeoutMsMin,
    `sessionTimeoutMsMax must be an integer ≥ sessionTimeoutMsMin, got ${config.sessionTimeoutMsMax}`);
  assert(Number.isInteger(config.initialRebalanceDelayMs) && config.initialRebalanceDelayMs >= 0,
    `initialRebalanceDelayMs must be a non-negative integer, got ${config.initialRebalanceDelayMs}`);
  assert(Number.isInteger(config.groupSizeMax) && config.groupSizeMax >= 1,
    `groupSizeMax must be a positive integer, got ${config.groupSizeMax}`);
  assert(Number.isInteger(config.offsetMetadataBytesMax) && config.offsetMetadataBytesMax >= 0,
    `offsetMetadataBytesMax must be a non-negative integer, got ${config.offsetMetadataBytesMax}`);
  assert(Number.isInteger(config.offsetsCompactionBytesMin) && config.offsetsCompactionBytesMin > 0,
    `offsetsCompactionBytesMin must be a positive integer, got ${config.offsetsCompactionBytesMin}`);
  assert(Number.isInteger(config.consumerSessionTimeoutMs) && config.consumerSessionTimeoutMs > 0,
    `consumerSessionTimeoutMs must be a positive integer, got ${config.consumerSessionTimeoutMs}`);
  assert(Number.isInteger(config.consumerHeartbeatIntervalMs) && config.consumerHeartbeatIntervalMs > 0 && config.consumerHeartbeatIntervalMs < config.consumerSessionTimeoutMs,
    `consumerHeartbeatIntervalMs must be a positive integer below consumerSessionTimeoutMs, got ${config.consumerHeartbeatIntervalMs}`);
  assert(config.consumerAssignor === 'uniform' || config.consumerAssignor === 'range',
    `consumerAssignor must be uniform or range, got ${String(config.consumerAssignor)}`);
  return config;
}
