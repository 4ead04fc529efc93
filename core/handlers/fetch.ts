// Fetch. Full fetches only: the session id answered is always 0, so clients never
// enter incremental fetch sessions. READ_COMMITTED reads only up to each partition's last stable
// offset and answers the aborted transactions of the batches returned (the broker's fetch);
// READ_UNCOMMITTED reads to the high watermark, with a null aborted list.
//
// Long poll: read every partition; if fewer than min_bytes came back (and nothing failed), drop
// the reads and wait until one partition's high watermark moves past what was seen, max_wait_ms
// passes, the server shuts down or the client's connection closes; then read again (or answer).
// The waits of a round are withdrawn together as soon as one of them ends. Byte limits (KIP-74,
// max_bytes capped at Kafka's fetch.max.bytes): partitions are read in request order in parallel
// waves of at most fetch.max.bytes of read limits (readInWaves), and kept until max_bytes is used
// up; the first partition with data is always kept whole, so a batch bigger than the limits still
// reaches the client. A read the response drops is released as soon as its wave completes, keeping
// only its offsets, so a Fetch holds at most max_bytes of kept reads plus one wave; the views into
// the log it keeps are released once the response has been written (ctx.onWritten).
//
// Topics are named up to v12 and named by id from v13 (KIP-516): an id no topic has is
// UNKNOWN_TOPIC_ID for each of its partitions, and the answer names topics the way the request did.
// The tagged fields of v12+ (diverging epoch, current leader, snapshot id, node endpoints) serve
// replication and leader moves, neither of which a single node has: they stay at their defaults
// and off the wire.
import { ErrorCode } from '../errors.js';
import { fetchBytesMax, fetchReadsPerSpentWaveMax, recordBatchBytesMaxDefault } from '../limits.js';
import { fetchApi } from '../protocol/messages/fetch.js';
import type { FetchRequest, FetchResponsePartition, FetchResponseTopic } from '../protocol/messages/fetch.js';
import { errorCodeOf } from './errors.js';
import { AclOperation, mayOnTopic } from './authorize.js';
import { defineHandler, type FetchOutcome, type IsolationLevel, type RequestContext, type WaitScope } from './handler.js';

/** From this version topics are named by id. */
const topicIdsFromVersion = 13;

/** v12+'s tagged per-partition fields at their defaults (left off the wire); never mutated. */
const noDivergingEpoch: FetchResponsePartition['divergingEpoch'] = { epoch: -1, endOffset: -1 };
const noLeaderChange: FetchResponsePartition['currentLeader'] = { leaderId: -1, leaderEpoch: -1 };
const noSnapshot: FetchResponsePartition['snapshotId'] = { endOffset: -1, epoch: -1 };

const isolationReadCommitted = 1;

/** The isolation a request's isolation_level asks for; Kafka reads anything but 1 as read_uncommitted. */
function isolationOf(level: number): IsolationLevel {
  return level === isolationReadCommitted ? 'read_committed' : 'read_uncommitted';
}

interface Wanted {
  /** null: the request named the topic by an id no topic has. */
  topicName: string | null;
  /** The authorizer allows READ on the topic (always, without an authorizer). */
  readable: boolean;
  /** As the request gave it (v13+), answered back. */
  topicId: Uint8Array;
  partitionIndex: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

/** A partition read as the handler got it from the broker: its batches, their bytes, its views. */
type Outcome = { wanted: Wanted; result: FetchOutcome; bytes: number } | { wanted: Wanted; errorCode: number };

/**
 * A partition read as the response needs it: its offsets, and its batches only when kept (a
 * dropped read's views are released and its batches let go at once).
 */
type Read =
  | { wanted: Wanted; errorCode: number }
  | {
      wanted: Wanted;
      highWatermark: number;
      lastStableOffset: number;
      logStartOffset: number;
      kept: { batches: FetchOutcome['batches']; bytes: number; abortedTransactions: FetchOutcome['abortedTransactions']; release: () => void } | null;
    };

interface Round {
  topics: FetchResponseTopic[];
  bytes: number;
  failed: boolean;
  /** Per wanted partition, the offset to wait past: the high watermark seen, or the fetch offset. */
  waitOffsets: number[];
  releases: (() => void)[];
}

export const fetch = defineHandler({
  api: fetchApi,
  async handle(ctx, request) {
    const byId = ctx.apiVersion >= topicIdsFromVersion;
    const wanted: Wanted[] = request.topics.flatMap((topic) => {
      const topicName = byId ? (ctx.broker.topicNameById(topic.topicId) ?? null) : topic.topicName;
      const readable = topicName === null || mayOnTopic(ctx, AclOperation.READ, topicName);
      return topic.partitions.map((partition) => ({
        topicName,
        readable,
        topicId: topic.topicId,
        partitionIndex: partition.partitionIndex,
        fetchOffset: partition.fetchOffset,
        partitionMaxBytes: partition.partitionMaxBytes,
      }));
    });
    const deadlineMs = ctx.clock.nowMs() + Math.max(0, request.maxWaitMs);
    const shutdown = shutdownWatch(ctx.shutdown);
    let closed = false;
    for (;;) {
      const round = await readRound(ctx, request, wanted);
      const remainingMs = deadlineMs - ctx.clock.nowMs();
      if (round.bytes >= request.minBytes || round.failed || remainingMs <= 0 || shutdown.fired || closed || wanted.length === 0) {
        for (const release of round.releases) ctx.onWritten(release);
        return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: round.topics, nodeEndpoints: [] };
      }
      for (const release of round.releases) release();
      // Wait for the first of: a partition moving, the deadline, shutdown, the client leaving.
      // Then withdraw everything else at once, so nothing outlives this request.
      const withdrawals: (() => void)[] = [];
      const scope: WaitScope = { defer: (withdraw) => withdrawals.push(withdraw) };
      ctx.longPollStarted?.();
      // A Fetch request has no byte fields: its decoded body never refers to the frame, whose
      // bytes leave the request budget while the client's max_wait_ms runs.
      ctx.requestBytesCopied?.();
      await new Promise<void>((resolve) => {
        shutdown.listeners.add(resolve);
        withdrawals.push(() => shutdown.listeners.delete(resolve));
        const stopWatchingClose = ctx.onConnectionClose?.(() => {
          closed = true;
          resolve();
        });
        if (stopWatchingClose !== undefined) withdrawals.push(stopWatchingClose);
        for (const [index, each] of wanted.entries()) {
          // An unknown topic id or a refused topic fails its read, and a failed round is answered without waiting.
          if (each.topicName === null || !each.readable) continue;
          ctx.broker.waitForData(each.topicName, each.partitionIndex, round.waitOffsets[index], remainingMs, scope).then(resolve, resolve);
        }
        if (shutdown.fired) resolve();
      });
      ctx.longPollEnded?.();
      for (const withdraw of withdrawals) withdraw();
    }
  },
});

interface ShutdownWatch {
  fired: boolean;
  /** Long polls waiting right now; each removes itself when its wait ends. */
  readonly listeners: Set<() => void>;
}

/**
 * One watch per shutdown promise, shared by every request: a reaction attached to that promise
 * per request would stay until shutdown (it never settles while serving), keeping each
 * request's closures alive — a leak that grew the heap and made collections slow.
 */
const shutdownWatches = new WeakMap<Promise<void>, ShutdownWatch>();

function shutdownWatch(shutdown: Promise<void>): ShutdownWatch {
  let watch = shutdownWatches.get(shutdown);
  if (watch === undefined) {
    const created: ShutdownWatch = { fired: false, listeners: new Set() };
    void shutdown.then(() => {
      created.fired = true;
      for (const listener of created.listeners) listener();
      created.listeners.clear();
    });
    shutdownWatches.set(shutdown, (watch = created));
  }
  return watch;
}

async function readOne(ctx: RequestContext, wanted: Wanted, maxBytes: number, isolation: IsolationLevel): Promise<Outcome> {
  if (wanted.topicName === null) return { wanted, errorCode: ErrorCode.UNKNOWN_TOPIC_ID };
  if (!wanted.readable) return { wanted, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
  try {
    const result = await ctx.broker.fetch(wanted.topicName, wanted.partitionIndex, wanted.fetchOffset, Math.max(1, maxBytes), isolation);
    let bytes = 0;
    for (const batch of result.batches) bytes += batch.length;
    return { wanted, result, bytes };
  } catch (error) {
    return { wanted, errorCode: errorCodeOf(error) };
  }
}

/**
 * Reads the partitions in request order, in waves read in parallel: each reads at most what is
 * left of max_bytes, and a wave takes partitions while their limits together fit fetch.max.bytes
 * (at least one partition); once the budget
 * is spent, up to fetchReadsPerSpentWaveMax partitions read with a limit of one batch (they keep
 * nothing but their offsets). So the bytes read at once stay near max_bytes (capped at Kafka's
 * fetch.max.bytes) plus a batch per partition, however many partitions a request names: reading
 * them all at once let one request naming the same partition 5,000 times read gigabytes.
 *
 * As each wave completes, its reads are kept or dropped in request order (the first with data is
 * kept whole, later ones while they fit what is left of max_bytes) and the dropped ones released
 * there and then: what a request holds stays within max_bytes of kept reads plus one wave.
 */
async function readInWaves(ctx: RequestContext, wanted: readonly Wanted[], maxBytes: number, isolation: IsolationLevel): Promise<Read[]> {
  const reads: Read[] = [];
  /** What is left of max_bytes for the limits of later reads, and the bytes of the reads kept. */
  let budget = maxBytes;
  let keptBytes = 0;
  let next = 0;
  while (next < wanted.length) {
    const wave: Promise<Outcome>[] = [];
    let reserved = 0;
    while (next < wanted.length) {
      const limit = Math.max(1, Math.min(wanted[next].partitionMaxBytes, budget));
      // While max_bytes lasts, a wave may reserve up to fetch.max.bytes (not only what is left):
      // caught-up partitions return little, and a consumer's 100 partitions of 1 MiB under a
      // 10 MiB max_bytes then take one round trip, not ten.
      // A read returns at least one whole batch whatever its limit, so it reserves a batch's worth.
      const reserve = Math.max(limit, recordBatchBytesMaxDefault);
      const admitted = wave.length === 0 || (budget > 0 ? reserved + reserve <= fetchBytesMax : wave.length < fetchReadsPerSpentWaveMax);
      if (!admitted) break;
      wave.push(readOne(ctx, wanted[next], limit, isolation));
      reserved += reserve;
      next += 1;
    }
    for (const outcome of await Promise.all(wave)) {
      if ('errorCode' in outcome) {
        reads.push(outcome);
        continue;
      }
      const { wanted: each, result, bytes } = outcome;
      budget = Math.max(0, budget - bytes);
      // The first partition with data is kept even over max_bytes; later ones only if they fit.
      const keep = bytes > 0 && (keptBytes === 0 || bytes <= maxBytes - keptBytes);
      if (keep) keptBytes += bytes;
      else result.release();
      reads.push({
        wanted: each,
        highWatermark: result.highWatermark,
        lastStableOffset: result.lastStableOffset,
        logStartOffset: result.logStartOffset,
        kept: keep ? { batches: result.batches, bytes, abortedTransactions: result.abortedTransactions, release: () => result.release() } : null,
      });
    }
  }
  return reads;
}

async function readRound(ctx: RequestContext, request: FetchRequest, wanted: Wanted[]): Promise<Round> {
  const maxBytes = Math.min(request.maxBytes, fetchBytesMax);
  const isolation = isolationOf(request.isolationLevel);
  const reads = await readInWaves(ctx, wanted, maxBytes, isolation);
  const round: Round = { topics: [], bytes: 0, failed: false, waitOffsets: [], releases: [] };
  const noAborted = isolation === 'read_committed' ? [] : null;
  for (const read of reads) {
    let partition: FetchResponsePartition;
    if ('errorCode' in read) {
      const known = read.wanted.topicName === null ? undefined : ctx.broker.describeTopic(read.wanted.topicName)?.partitions[read.wanted.partitionIndex];
      round.failed = true;
      round.waitOffsets.push(read.wanted.fetchOffset);
      partition = {
        partitionIndex: read.wanted.partitionIndex,
        errorCode: read.errorCode,
        highWatermark: known?.highWatermark ?? -1,
        lastStableOffset: known?.lastStableOffset ?? -1,
        logStartOffset: known?.logStartOffset ?? -1,
        divergingEpoch: noDivergingEpoch,
        currentLeader: noLeaderChange,
        snapshotId: noSnapshot,
        abortedTransactions: noAborted,
        preferredReadReplica: -1,
        records: [],
      };
    } else {
      if (read.kept !== null) {
        round.bytes += read.kept.bytes;
        round.releases.push(read.kept.release);
      }
      round.waitOffsets.push(Math.max(read.wanted.fetchOffset, read.highWatermark));
      partition = {
        partitionIndex: read.wanted.partitionIndex,
        errorCode: ErrorCode.NONE,
        highWatermark: read.highWatermark,
        lastStableOffset: read.lastStableOffset,
        logStartOffset: read.logStartOffset,
        divergingEpoch: noDivergingEpoch,
        currentLeader: noLeaderChange,
        snapshotId: noSnapshot,
        abortedTransactions: read.kept === null ? noAborted : read.kept.abortedTransactions,
        preferredReadReplica: -1,
        records: read.kept === null ? [] : read.kept.batches,
      };
    }
    // Consecutive partitions of one topic share an entry, as Kafka answers them.
    const last = round.topics.at(-1);
    const topicName = read.wanted.topicName ?? '';
    if (last !== undefined && last.topicName === topicName && sameBytes(last.topicId, read.wanted.topicId)) last.partitions.push(partition);
    else round.topics.push({ topicName, topicId: read.wanted.topicId, partitions: [partition] });
  }
  return round;
}

function sameBytes(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}
