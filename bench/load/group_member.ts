// One consumer-group member of the load generator: the client's member state machine
// (actors/client/pull_member.ts over a WirePort, its own connections, so a long-poll Fetch on the
// data connection never delays a heartbeat), with the range assignor. JoinGroup, SyncGroup,
// heartbeats and rebalances are MemberState's, as for every Lanes client; this adapter only
// gives the fetch loop its partitions of one topic and commits its positions.
//
// The fetch loop keeps positions (partition → next offset) and hands them to track(); when the
// assignment changes (assignmentChanged()) it starts again from committedOffsets(). Before
// partitions move (eager: all of them) the tracked positions are committed, so the next owner
// resumes where this one stopped, as with Kafka.
import type { TopicPartitions } from '../../core/assignors/consumer_protocol.js';
import { PullMember } from '../../actors/client/pull_member.js';
import { WirePort } from '../../actors/client/wire_port.js';
import { logger } from '../../actors/logger.js';

export interface GroupMemberOptions {
  groupId: string;
  topic: string;
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
}

export class GroupMember {
  readonly #port: WirePort;
  readonly #member: PullMember;
  readonly #topic: string;
  /** The member's assignmentVersion the fetch loop's positions belong to. */
  #placed = 0;
  #positions: ReadonlyMap<number, number> = new Map();

  constructor(address: { host: string; port: number; clientId: string }, options: GroupMemberOptions) {
    const log = logger.child({ component: 'load', groupId: options.groupId });
    this.#port = new WirePort({ brokers: [{ host: address.host, port: address.port }], clientId: address.clientId, requestTimeoutMs: 30_000, logger: log });
    this.#topic = options.topic;
    this.#member = new PullMember(this.#port, {
      groupId: options.groupId,
      topics: [options.topic],
      clientId: address.clientId,
      logger: log,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs ?? 30_000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 1_000,
      onRevoked: (partitions) => this.#commitRevoked(partitions),
    });
  }

  start(): Promise<void> {
    return this.#member.start();
  }

  /** The fetch loop's positions (partition → next offset to read), committed before a rebalance. */
  track(positions: ReadonlyMap<number, number>): void {
    this.#positions = positions;
  }

  /** Why the member stopped taking part, or null. */
  get failure(): Error | null {
    return this.#member.failure;
  }

  /** In the group's current generation with its assignment (not joining or syncing). */
  get stable(): boolean {
    return this.#member.phase === 'stable';
  }

  get generationId(): number {
    return this.#member.generationId;
  }

  /** The partitions of the topic this member owns now. */
  ownedPartitions(): number[] {
    return this.#member.owned().get(this.#topic) ?? [];
  }

  /** Once per loop round: max.poll.interval.ms measures the time between rounds. */
  polled(): void {
    this.#member.polled();
  }

  /** True when the partitions changed since the last committedOffsets(): read them again. */
  assignmentChanged(): boolean {
    return this.#member.assignmentVersion !== this.#placed;
  }

  /** This member's partitions with their committed offsets; partitions without one start at 0. */
  async committedOffsets(): Promise<Map<number, number>> {
    this.#placed = this.#member.assignmentVersion;
    const partitions = this.#member.owned().get(this.#topic) ?? [];
    const committed = await this.#member.committed(this.#topic, partitions);
    const offsets = new Map<number, number>();
    for (const [partition, offset] of committed) offsets.set(partition, Math.max(0, offset));
    return offsets;
  }

  /**
   * Commits `offsets` under the current generation. Positions of an assignment that has changed
   * since are not this member's to commit any more, and are skipped; a refusal (rebalancing) too:
   * the next owner resumes from the previous commit.
   */
  async commit(offsets: ReadonlyMap<number, number>): Promise<void> {
    if (this.assignmentChanged()) return;
    await this.#member.commit(new Map([[this.#topic, offsets]]));
  }

  /** Commits what was read, leaves the group and closes the member's connections. */
  async leave(): Promise<void> {
    try {
      await this.#member.stop();
    } finally {
      await this.#port.close();
    }
  }

  async #commitRevoked(partitions: readonly TopicPartitions[]): Promise<void> {
    if (this.assignmentChanged()) return; // the loop never started on these
    const revoked = new Set(partitions.filter((each) => each.topic === this.#topic).flatMap((each) => [...each.partitions]));
    const offsets = new Map([...this.#positions].filter(([partition]) => revoked.has(partition)));
    await this.#member.commit(new Map([[this.#topic, offsets]])).catch(() => false);
  }
}
