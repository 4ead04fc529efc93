// Settings of one consumer group member, with the defaults and the rules that relate them.
// Checked once at construction: a bad value throws a RangeError naming the option and the rule.

import type { PartitionAssignor } from '../assignors/assignor.js';

export interface MemberConfig {
  readonly groupId: string;
  /** KIP-345 static membership; null for a dynamic member. */
  readonly groupInstanceId: string | null;
  /** The coordinator expels a member it has not heard from for this long. */
  readonly sessionTimeoutMs: number;
  /** How long the coordinator waits for members to rejoin; Java sends max.poll.interval.ms. */
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** A handler silent for longer than this makes the member leave the group (Java's max.poll.interval.ms). */
  readonly maxPollIntervalMs: number;
  /** First retry delay after a coordinator error; doubles per attempt up to retryBackoffMaxMs. */
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  /** Preferred first. EAGER or COOPERATIVE follows from them (rebalanceProtocolFor). */
  readonly assignors: readonly PartitionAssignor[];
}

export type MemberConfigInput = Pick<MemberConfig, 'groupId' | 'assignors'> & Partial<Omit<MemberConfig, 'groupId' | 'assignors'>>;

/** Java's consumer defaults, except the session timeout, which is kafkajs's 30 s. */
export const memberConfigDefaults = {
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxPollIntervalMs: 300_000,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1_000,
} as const;

export function memberConfigOf(input: MemberConfigInput): MemberConfig {
  const maxPollIntervalMs = input.maxPollIntervalMs ?? memberConfigDefaults.maxPollIntervalMs;
  const config: MemberConfig = {
    groupId: input.groupId,
    groupInstanceId: input.groupInstanceId ?? null,
    sessionTimeoutMs: input.sessionTimeoutMs ?? memberConfigDefaults.sessionTimeoutMs,
    rebalanceTimeoutMs: input.rebalanceTimeoutMs ?? maxPollIntervalMs,
    heartbeatIntervalMs: input.heartbeatIntervalMs ?? memberConfigDefaults.heartbeatIntervalMs,
    maxPollIntervalMs,
    retryBackoffMs: input.retryBackoffMs ?? memberConfigDefaults.retryBackoffMs,
    retryBackoffMaxMs: input.retryBackoffMaxMs ?? memberConfigDefaults.retryBackoffMaxMs,
    assignors: input.assignors,
  };
  if (config.groupId.length === 0) throw new RangeError('groupId must not be empty');
  if (config.groupInstanceId !== null && config.groupInstanceId.length === 0) {
    throw new RangeError('groupInstanceId must be null or non-empty');
  }
  for (const name of ['sessionTimeoutMs', 'rebalanceTimeoutMs', 'heartbeatIntervalMs', 'maxPollIntervalMs', 'retryBackoffMs', 'retryBackoffMaxMs'] as const) {
    const value = config[name];
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  // Several heartbeats must fit in one session, or one delayed heartbeat expels the member.
  if (config.heartbeatIntervalMs >= config.sessionTimeoutMs) {
    throw new RangeError(`heartbeatIntervalMs (${config.heartbeatIntervalMs}) must be less than sessionTimeoutMs (${config.sessionTimeoutMs})`);
  }
  if (config.retryBackoffMaxMs < config.retryBackoffMs) {
    throw new RangeError(`retryBackoffMaxMs (${config.retryBackoffMaxMs}) must be at least retryBackoffMs (${config.retryBackoffMs})`);
  }
  if (config.assignors.length === 0) throw new RangeError('assignors must name at least one assignor');
  const names = new Set(config.assignors.map((assignor) => assignor.name));
  if (names.size !== config.assignors.length) throw new RangeError('assignors must not repeat a protocol name');
  return config;
}
