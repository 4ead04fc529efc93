// The consumer's offset commits: auto commit (after every round, or by interval/threshold),
// commits of what the handlers resolved (on revocation and stop), and explicit commits
// (commitOffsets, commitOffsetsAsync, eachBatch's commitOffsetsIfNecessary). All go through the
// member driver, so a commit carries the member's current generation.

import { ErrorCode, LanesError } from '../../core/errors.js';
import type { OffsetCommitTopic } from '../../core/group/group_api.js';
import type { Logger } from '../logger.js';
import { consumerEvents, type ConsumerEmitter } from './consumer_events.js';
import type { ConsumerPartitions, PartitionState } from './consumer_partitions.js';
import type { MemberDriver } from './member_driver.js';
import type { ConsumerRunConfig, Offsets, TopicPartitionOffset, TopicPartitionOffsetAndMetadata } from './types.js';

export interface CommitterDeps {
  readonly groupId: string;
  readonly logger: Logger;
  readonly emitter: ConsumerEmitter;
  readonly partitions: ConsumerPartitions;
  /** The running member's driver; null between runs. */
  readonly driver: () => MemberDriver | null;
  readonly runConfig: () => ConsumerRunConfig;
}

export class OffsetCommitter {
  readonly #deps: CommitterDeps;
  /** Records resolved since the last commit (autoCommitThreshold). */
  #uncommittedCount = 0;
  #lastCommitMs = 0;

  constructor(deps: CommitterDeps) {
    this.#deps = deps;
  }

  /** A new run: the interval and threshold count from now. */
  reset(): void {
    this.#lastCommitMs = Date.now();
    this.#uncommittedCount = 0;
  }

  resolved(count: number): void {
    this.#uncommittedCount += count;
  }

  async autoCommitIfNecessary(): Promise<void> {
    const run = this.#deps.runConfig();
    if (run.autoCommit === false) return;
    const interval = run.autoCommitInterval ?? null;
    const threshold = run.autoCommitThreshold ?? null;
    const due =
      (interval === null && threshold === null) ||
      (threshold !== null && this.#uncommittedCount >= threshold) ||
      (interval !== null && Date.now() - this.#lastCommitMs >= interval);
    if (due) await this.commitResolved(this.#deps.partitions.owned());
  }

  /** What the handlers resolved past the committed offsets of these partitions. */
  resolvedOffsets(states: readonly PartitionState[]): TopicPartitionOffsetAndMetadata[] {
    return states
      .filter((state) => state.resolved !== null && state.resolved !== state.committed)
      .map((state) => ({ topic: state.topic, partition: state.partition, offset: String(state.resolved) }));
  }

  /** Commits what the handlers resolved; failures are reported, not thrown (the next commit retries). */
  async commitResolved(states: readonly PartitionState[]): Promise<void> {
    const offsets = this.resolvedOffsets(states);
    if (offsets.length === 0) return;
    this.#lastCommitMs = Date.now();
    this.#uncommittedCount = 0;
    const failure = await this.commitExplicit(offsets);
    if (failure !== null) this.#deps.logger.warn({ err: failure, groupId: this.#deps.groupId }, 'auto commit failed; the next commit retries');
  }

  /** Commits the given offsets; resolves with the failure, or null. */
  async commitExplicit(offsets: readonly TopicPartitionOffsetAndMetadata[]): Promise<LanesError | null> {
    const { groupId, emitter } = this.#deps;
    const driver = this.#deps.driver();
    if (driver === null) return new LanesError(ErrorCode.UNKNOWN_MEMBER_ID, 'the consumer is not in a group: call run() first');
    if (offsets.length === 0) return null;
    const byTopic = new Map<string, OffsetCommitTopic['partitions'][number][]>();
    for (const { topic, partition, offset, metadata } of offsets) {
      const committedOffset = Number(offset);
      if (!Number.isSafeInteger(committedOffset)) throw new RangeError(`commit: offset ${offset} of ${topic}/${partition} is not an integer`);
      const committed = { partitionIndex: partition, committedOffset, committedLeaderEpoch: -1, committedMetadata: metadata ?? null };
      const list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, [committed]);
      else list.push(committed);
    }
    const outcome = await driver.commit([...byTopic].map(([name, partitions]) => ({ name, partitions })));
    if (outcome.errorCode !== ErrorCode.NONE) {
      const error = new LanesError(outcome.errorCode, `offset commit for group ${groupId} failed`);
      emitter.emit(consumerEvents.COMMIT_OFFSETS_FAILED, { groupId, error, topics: offsetsOf(offsets).topics });
      return error;
    }
    for (const { topic, partition, offset } of offsets) {
      const state = this.#deps.partitions.get(topic, partition);
      if (state !== undefined) state.committed = Number(offset);
    }
    const member = driver.member;
    emitter.emit(consumerEvents.COMMIT_OFFSETS, { groupId, memberId: member.memberId, groupGenerationId: member.generationId, topics: offsetsOf(offsets).topics });
    return null;
  }
}

/** Offsets grouped by topic, as KafkaJS's events and eachBatch's uncommittedOffsets give them. */
export function offsetsOf(offsets: readonly TopicPartitionOffset[]): Offsets {
  const byTopic = new Map<string, { partition: number; offset: string }[]>();
  for (const { topic, partition, offset } of offsets) {
    const list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, [{ partition, offset }]);
    else list.push({ partition, offset });
  }
  return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
}
