// Settings of one consumer-protocol (KIP-848) group member. The coordinator sets the session
// timeout and the heartbeat interval for this protocol, so neither is here; what the member still
// decides is how long its revocations may take, when a silent handler makes it leave, how it backs
// off, and which server-side assignor it asks for. Checked once: a bad value throws a RangeError.

export interface ConsumerMemberConfig {
  readonly groupId: string;
  /**
   * The member's id, made by the client once (KIP-1082: ConsumerGroupHeartbeat v1 members name
   * themselves) and kept across fencing, so the coordinator can tell a rejoin from a new member.
   */
  readonly memberId: string;
  /** Static membership; null for a dynamic member. */
  readonly groupInstanceId: string | null;
  /** How long the coordinator waits for this member to revoke partitions; Java sends max.poll.interval.ms. */
  readonly rebalanceTimeoutMs: number;
  /** A handler silent for longer than this makes the member leave the group. */
  readonly maxPollIntervalMs: number;
  /** First retry delay after a coordinator error; doubles per attempt up to retryBackoffMaxMs. */
  readonly retryBackoffMs: number;
  readonly retryBackoffMaxMs: number;
  /** The server-side assignor asked for (Java's group.remote.assignor); null: the broker's default. */
  readonly serverAssignor: string | null;
}

export type ConsumerMemberConfigInput = Pick<ConsumerMemberConfig, 'groupId' | 'memberId'> & Partial<Omit<ConsumerMemberConfig, 'groupId' | 'memberId'>>;

/** Java's consumer defaults. */
export const consumerMemberConfigDefaults = {
  maxPollIntervalMs: 300_000,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1_000,
} as const;

export function consumerMemberConfigOf(input: ConsumerMemberConfigInput): ConsumerMemberConfig {
  const maxPollIntervalMs = input.maxPollIntervalMs ?? consumerMemberConfigDefaults.maxPollIntervalMs;
  const config: ConsumerMemberConfig = {
    groupId: input.groupId,
    memberId: input.memberId,
    groupInstanceId: input.groupInstanceId ?? null,
    rebalanceTimeoutMs: input.rebalanceTimeoutMs ?? maxPollIntervalMs,
    maxPollIntervalMs,
    retryBackoffMs: input.retryBackoffMs ?? consumerMemberConfigDefaults.retryBackoffMs,
    retryBackoffMaxMs: input.retryBackoffMaxMs ?? consumerMemberConfigDefaults.retryBackoffMaxMs,
    serverAssignor: input.serverAssignor ?? null,
  };
  if (config.groupId.length === 0) throw new RangeError('groupId must not be empty');
  if (config.memberId.length === 0) throw new RangeError('memberId must not be empty');
  if (config.groupInstanceId !== null && config.groupInstanceId.length === 0) throw new RangeError('groupInstanceId must be null or non-empty');
  if (config.serverAssignor !== null && config.serverAssignor.length === 0) throw new RangeError('groupRemoteAssignor must be null or non-empty');
  for (const name of ['rebalanceTimeoutMs', 'maxPollIntervalMs', 'retryBackoffMs', 'retryBackoffMaxMs'] as const) {
    const value = config[name];
    // The rebalance timeout travels as an int32.
    if (!Number.isInteger(value) || value <= 0 || value > 0x7fff_ffff) throw new RangeError(`${name} must be a positive 32-bit integer, got ${value}`);
  }
  if (config.retryBackoffMaxMs < config.retryBackoffMs) {
    throw new RangeError(`retryBackoffMaxMs (${config.retryBackoffMaxMs}) must be at least retryBackoffMs (${config.retryBackoffMs})`);
  }
  return config;
}
