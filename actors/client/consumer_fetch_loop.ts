// The consumer's record loop: each round tells the member it polled (max.poll.interval.ms),
// resolves where newly assigned partitions start (the committed offset, else earliest/latest),
// fetches every ready partition in one call (a long poll that a wake-up ends early), hands the
// batches to delivery and auto-commits. Fetch errors become retries or position resets.

import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../core/assert.js';
import { ErrorCode, errorCodeName } from '../../core/errors.js';
import type { Logger } from '../logger.js';
import { earliestTimestamp, latestTimestamp, type BrokerPort, type IsolationLevel, type PortFetchResult } from './broker_port.js';
import type { OffsetCommitter } from './consumer_commits.js';
import type { RecordDelivery, Work } from './consumer_delivery.js';
import type { ConsumerPartitions, PartitionState } from './consumer_partitions.js';
import type { MemberDriver } from './member_driver.js';
import { decodeFetched } from './messages.js';

export interface FetchLoopDeps {
  readonly groupId: string;
  readonly port: BrokerPort;
  readonly logger: Logger;
  readonly partitions: ConsumerPartitions;
  readonly delivery: RecordDelivery;
  readonly committer: OffsetCommitter;
  /** Whether a partition of this topic starts from the earliest offset when nothing is committed. */
  readonly fromBeginning: (topic: string) => boolean;
  readonly running: () => boolean;
  readonly maxBytesPerPartition: number;
  /** The longest a fetch waits for records (maxWaitTimeInMs, at most half of maxPollInterval). */
  readonly waitMsMax: number;
  /** read_committed unless the consumer asked for readUncommitted. */
  readonly isolation: IsolationLevel;
}

/** Runs rounds until `running()` turns false. */
export async function runFetchLoop(driver: MemberDriver, deps: FetchLoopDeps): Promise<void> {
  const { partitions, waitMsMax } = deps;
  while (deps.running()) {
    driver.input((nowMs) => driver.member.pollCompleted(nowMs));
    // Taken before the partitions are looked at: a wake-up from now on ends the wait below.
    const wake = partitions.woken;
    const nowMs = Date.now();
    const all = partitions.all();
    const ready = all.filter((state) => !state.revoked && !partitions.isPaused(state) && state.retryAtMs <= nowMs);
    if (ready.length === 0) {
      const retryAt = Math.min(...all.filter((state) => !state.revoked && state.retryAtMs > nowMs).map((state) => state.retryAtMs));
      await idle(wake, Number.isFinite(retryAt) ? Math.min(waitMsMax, retryAt - nowMs) : waitMsMax);
      continue;
    }
    await Promise.all(ready.filter((state) => state.position === null).map((state) => resolvePosition(deps, state)));
    if (!deps.running()) break;
    const fetchable = ready.filter((state) => state.position !== null && !state.revoked && state.retryAtMs <= Date.now());
    if (fetchable.length === 0) {
      await idle(wake, 1);
      continue;
    }
    // One fetch for every ready partition; when none has records it long-polls (the broker
    // answers as soon as one gets some), or returns early when the membership, a seek or a
    // pause wakes the loop.
    const work = await fetch(deps, fetchable, waitMsMax, wake);
    if (work.length === 0) continue;
    await deps.delivery.process(work);
    await deps.committer.autoCommitIfNecessary();
  }
}

async function idle(wake: Promise<void>, waitMs: number): Promise<void> {
  await Promise.race([wake, sleep(Math.max(1, waitMs), undefined, { ref: false })]);
}

/** Where a newly assigned partition starts: the group's committed offset, else earliest/latest. */
async function resolvePosition(deps: FetchLoopDeps, state: PartitionState): Promise<void> {
  const epoch = state.epoch;
  try {
    const fetched = await deps.port.offsetFetch({ groupId: deps.groupId, topics: [{ name: state.topic, partitionIndexes: [state.partition] }] });
    const committed = fetched.topics[0]?.partitions[0]?.committedOffset ?? -1;
    if (state.epoch !== epoch || state.position !== null) return;
    if (committed >= 0) {
      state.position = committed;
      state.committed = committed;
    } else {
      await resetPosition(deps, state);
    }
  } catch (error) {
    deps.logger.warn({ err: error, topic: state.topic, partition: state.partition }, 'could not fetch the committed offset');
    deps.partitions.retryLater(state);
  }
}

/** auto.offset.reset: earliest when the subscription said fromBeginning, else latest. */
async function resetPosition(deps: FetchLoopDeps, state: PartitionState): Promise<void> {
  const epoch = state.epoch;
  const offset = await deps.port.listOffset(state.topic, state.partition, deps.fromBeginning(state.topic) ? earliestTimestamp : latestTimestamp, deps.isolation);
  if (state.epoch === epoch) state.position = offset;
}

/** Fetches the partitions and turns what came back into work; errors become retries or resets. */
async function fetch(deps: FetchLoopDeps, states: PartitionState[], waitMs: number, wake: Promise<void>): Promise<Work[]> {
  const { port, logger, partitions } = deps;
  const asked = states.map((state) => ({ state, epoch: state.epoch, position: state.position! }));
  const maxBytes = deps.maxBytesPerPartition;
  let results: PortFetchResult[];
  try {
    results = await port.fetch(asked.map(({ state, position }) => ({ topic: state.topic, partition: state.partition, fetchOffset: position, maxBytes })), waitMs, wake, deps.isolation);
  } catch (error) {
    logger.warn({ err: error, groupId: deps.groupId }, 'fetch failed');
    for (const state of states) partitions.retryLater(state);
    return [];
  }
  assert(results.length === asked.length, 'a port answers every requested partition, in request order');
  const work: Work[] = [];
  for (const [i, result] of results.entries()) {
    const { state, epoch, position } = asked[i];
    let decoded;
    try {
      if (result.errorCode !== ErrorCode.NONE) {
        await fetchFailed(deps, state, epoch, position, result.errorCode);
        continue;
      }
      decoded = decodeFetched(result.batches, position, { verifyCrc: port.verifyFetchedCrc, abortedTransactions: result.abortedTransactions });
    } catch (error) {
      logger.error({ err: error, topic: state.topic, partition: state.partition, offset: position }, 'fetched records could not be read; fetching again later');
      partitions.retryLater(state);
      continue;
    } finally {
      result.release();
    }
    if (state.epoch !== epoch) continue;
    if (decoded.count === 0) {
      // Only control records (or nothing): step over them.
      state.position = decoded.nextOffset;
      continue;
    }
    work.push({ state, epoch, startOffset: position, nextOffset: decoded.nextOffset, highWatermark: result.highWatermark, records: decoded });
  }
  return work;
}

async function fetchFailed(deps: FetchLoopDeps, state: PartitionState, epoch: number, position: number, errorCode: number): Promise<void> {
  if (state.epoch !== epoch) return;
  if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
    deps.logger.warn({ topic: state.topic, partition: state.partition, offset: position }, 'offset out of range; resetting');
    try {
      await resetPosition(deps, state);
    } catch (error) {
      deps.logger.warn({ err: error, topic: state.topic, partition: state.partition }, 'could not reset the position');
      deps.partitions.retryLater(state);
    }
    return;
  }
  deps.logger.warn({ topic: state.topic, partition: state.partition, error: errorCodeName(errorCode) }, 'fetch failed');
  deps.partitions.retryLater(state);
}
