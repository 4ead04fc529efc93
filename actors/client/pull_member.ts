// A consumer-group member for loops that fetch by themselves — `lanes consume --group` and the
// load generator — built on the client's member state machine (core/client/member_state.ts, run
// by member_driver.ts) over a BrokerPort (WirePort over the wire). JoinGroup with the KIP-394
// member-id handshake, the leader's assignment, SyncGroup, heartbeats on their own timer, session
// and max.poll.interval expiry, coordinator errors and LeaveGroup are all MemberState's; there is
// no second copy of them here. The range assignor (eager: everything is given up on a rebalance).
//
// The loop's side of the contract:
//   - call polled() once per round (max.poll.interval.ms measures the time between rounds);
//   - when `assignmentVersion` changes, re-read owned() and start from committed() offsets;
//   - `onRevoked` runs (awaited) before partitions are given up: commit what was consumed there;
//   - commit() commits under the current generation, false when the group refused it.

import type { TopicPartitions } from '../../core/assignors/consumer_protocol.js';
import { rangeAssignor } from '../../core/assignors/range.js';
import type { MemberEvent } from '../../core/client/member_effects.js';
import { MemberState, type MemberPhase } from '../../core/client/member_state.js';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import type { OffsetCommitTopic } from '../../core/group/group_api.js';
import type { Logger } from '../logger.js';
import type { BrokerPort } from './broker_port.js';
import { MemberDriver } from './member_driver.js';

export interface PullMemberOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  readonly sessionTimeoutMs?: number;
  readonly rebalanceTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxPollIntervalMs?: number;
  /** Runs before these partitions are given up (a rebalance, or stop): commit their positions. */
  readonly onRevoked?: (partitions: readonly TopicPartitions[]) => Promise<void>;
}

/** How often the leader-to-be re-reads partition counts, so a new partition is assigned. */
const metadataRefreshMs = 5_000;

export class PullMember {
  readonly #port: BrokerPort;
  readonly #options: PullMemberOptions;
  readonly #driver: MemberDriver;
  #assignmentVersion = 0;
  #failure: Error | null = null;
  #metadataTimer: NodeJS.Timeout | null = null;

  constructor(port: BrokerPort, options: PullMemberOptions) {
    this.#port = port;
    this.#options = options;
    const member = new MemberState({
      groupId: options.groupId,
      sessionTimeoutMs: options.sessionTimeoutMs,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs,
      heartbeatIntervalMs: options.heartbeatIntervalMs,
      maxPollIntervalMs: options.maxPollIntervalMs,
      assignors: [rangeAssignor],
    });
    this.#driver = new MemberDriver(
      member,
      port,
      {
        assigned: async () => void this.#assignmentVersion++,
        revoked: async (partitions) => {
          await options.onRevoked?.(partitions);
          this.#assignmentVersion++;
        },
        lost: async () => void this.#assignmentVersion++,
        event: (event) => this.#onEvent(event),
      },
      options.clientId,
      options.logger,
    );
  }

  get groupId(): string {
    return this.#options.groupId;
  }

  get memberId(): string {
    return this.#driver.member.memberId;
  }

  get generationId(): number {
    return this.#driver.member.generationId;
  }

  /** Where the member is in its group's protocol (joining, syncing, stable, …). */
  get phase(): MemberPhase {
    return this.#driver.member.phase;
  }

  /** Changes whenever partitions were assigned, revoked or lost. */
  get assignmentVersion(): number {
    return this.#assignmentVersion;
  }

  /** Why the member stopped taking part (a fatal group error), or null. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Learns the partition counts (the leader assigns from them) and joins. */
  async start(): Promise<void> {
    assert(this.#metadataTimer === null, `group ${this.#options.groupId}: start() once`);
    await this.#refreshMetadata();
    const driver = this.#driver;
    driver.input((nowMs) => driver.member.start({ topics: this.#options.topics }, nowMs));
    this.#metadataTimer = setInterval(() => void this.#refreshMetadata().catch(() => undefined), metadataRefreshMs);
    this.#metadataTimer.unref();
  }

  /** topic → the partitions this member owns now (ascending). */
  owned(): Map<string, number[]> {
    const owned = new Map<string, number[]>();
    for (const { topic, partitions } of this.#driver.member.ownedPartitions()) owned.set(topic, [...partitions].sort((a, b) => a - b));
    return owned;
  }

  /** The loop came back for work. */
  polled(): void {
    const driver = this.#driver;
    driver.input((nowMs) => driver.member.pollCompleted(nowMs));
  }

  /** Committed offsets of `partitions` of `topic`: partition → offset, −1 when none. */
  async committed(topic: string, partitions: readonly number[]): Promise<Map<number, number>> {
    const fetched = await this.#port.offsetFetch({ groupId: this.#options.groupId, topics: [{ name: topic, partitionIndexes: [...partitions] }] });
    const offsets = new Map<number, number>();
    for (const partition of partitions) offsets.set(partition, -1);
    for (const each of fetched.topics) {
      if (each.name !== topic) continue;
      for (const partition of each.partitions) {
        if (partition.errorCode === ErrorCode.NONE) offsets.set(partition.partitionIndex, partition.committedOffset);
      }
    }
    return offsets;
  }

  /**
   * Commits `offsets` (topic → partition → next offset to read) under the current generation.
   * False when the group refused it (rebalancing, or this member is no longer in it): the next
   * owner starts from the previous commit. Other errors throw.
   */
  async commit(offsets: ReadonlyMap<string, ReadonlyMap<number, number>>): Promise<boolean> {
    const topics: OffsetCommitTopic[] = [...offsets]
      .filter(([, partitions]) => partitions.size > 0)
      .map(([name, partitions]) => ({
        name,
        partitions: [...partitions].map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: null })),
      }));
    if (topics.length === 0) return true;
    const outcome = await this.#driver.commit(topics);
    if (outcome.errorCode === ErrorCode.NONE) return true;
    if (refusedCommitCodes.has(outcome.errorCode)) return false;
    throw new LanesError(outcome.errorCode, `offset commit for group ${this.#options.groupId} failed`);
  }

  /** Gives up the partitions (onRevoked first), leaves the group and stops the timers. */
  async stop(): Promise<void> {
    if (this.#metadataTimer !== null) clearInterval(this.#metadataTimer);
    this.#metadataTimer = null;
    await this.#driver.stop();
  }

  async #refreshMetadata(): Promise<void> {
    const counts = await this.#port.partitionCounts();
    const driver = this.#driver;
    driver.input((nowMs) => driver.member.metadataChanged(counts, nowMs));
  }

  #onEvent(event: MemberEvent): void {
    switch (event.type) {
      case 'CRASH':
        this.#failure = event.error;
        this.#assignmentVersion++;
        break;
      case 'COORDINATOR_UNAVAILABLE':
        this.#options.logger.debug({ groupId: this.#options.groupId, errorCode: event.errorCode }, 'group coordinator unavailable; retrying');
        break;
      default:
        break;
    }
  }
}

/** Commit answers that mean "not now" (a rebalance, or no longer a member), not a failure. */
const refusedCommitCodes = new Set<number>([
  ErrorCode.REBALANCE_IN_PROGRESS,
  ErrorCode.ILLEGAL_GENERATION,
  ErrorCode.UNKNOWN_MEMBER_ID,
  ErrorCode.FENCED_INSTANCE_ID,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NETWORK_EXCEPTION,
]);
