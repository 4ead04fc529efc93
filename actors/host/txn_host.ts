// The host side of transactions: routes each call to the transaction coordinator of the shard that
// owns the transactional id, and writes the markers of decided transactions.
//
// A decision (EndTxn, a fenced or timed-out transaction) is durable in the coordinator's state log
// before anything is written, so finishing it is a retry loop that can start over at any point:
//
//   markers on every partition of the transaction (the partitions' writeTxnMarkers)
//     → on commit, the staged offsets to each group (the group coordinator's txnOffsetsCommit)
//     → markersWritten: the coordinator moves the transaction to CompleteCommit / CompleteAbort.
//
// EndTxn answers once that is done (or, if a step failed, once the decision is durable: the
// sweep finishes it later), so a committed transaction is readable when commit() returns. The
// sweep asks every shard for decided transactions not finished yet (after a restart, a timeout,
// a failed marker write) every `sweepIntervalMs`, and once at start. The same work is never run
// twice at once (keyed by id, producer id, epoch and decision).
import { ErrorCode, isLanesError } from '../../core/errors.js';
import type { OffsetCommitPartition, OffsetCommitResponse, TxnOffsetsCommitRequest } from '../../core/group/group_api.js';
import type { TxnFacade, TxnMethod, TxnRequestOf, TxnResultOf } from '../../core/txn/txn_calls.js';
import type { TxnMarkerWork } from '../../core/txn/txn_metadata.js';
import type { ListedTxn } from '../../core/txn/txn_api.js';
import type { TxnMarkerRequest, TxnMarkerResult } from '../../core/handlers/handler.js';
import type { Logger } from '../logger.js';
import { isEpochExhausted } from '../../core/txn/txn_coordinator.js';
import { shardForTransactionalId } from './shard_router.js';

/** The partitions' side: each marker appended to each of its partitions, durably (Broker.writeTxnMarkers). */
export type WriteTxnMarkers = (markers: ReadonlyArray<TxnMarkerRequest>) => Promise<TxnMarkerResult[]>;

/**
 * Lanes is a single node: its coordinators never move, so every marker carries the same
 * coordinator epoch (Kafka bumps it when a coordinator partition changes leader).
 */
const coordinatorEpoch = 0;

/** How often decided transactions not yet finished are looked for (Kafka retries its marker sends continuously). */
const sweepIntervalMs = 1_000;

export interface TxnHostOptions {
  readonly shardCount: number;
  call<M extends TxnMethod>(shard: number, method: M, request: TxnRequestOf<M>): Promise<TxnResultOf<M>>;
  allocateProducerId(): number;
  readonly writeTxnMarkers: WriteTxnMarkers;
  commitOffsets(request: TxnOffsetsCommitRequest): Promise<OffsetCommitResponse>;
  readonly logger: Logger;
}

export class TxnHost implements TxnFacade {
  readonly #options: TxnHostOptions;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  #sweep: NodeJS.Timeout | null = null;
  #sweeping: Promise<void> | null = null;
  #stopped = false;

  constructor(options: TxnHostOptions) {
    this.#options = options;
  }

  /** Finishes what a previous run decided, then keeps sweeping. */
  start(): void {
    void this.sweep();
    this.#sweep = setInterval(() => void this.sweep(), sweepIntervalMs);
    this.#sweep.unref();
  }

  /** Stops sweeping and waits for the markers being written. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#sweep !== null) clearInterval(this.#sweep);
    await this.#sweeping;
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  #shardOf(transactionalId: string): number {
    return shardForTransactionalId(transactionalId, this.#options.shardCount);
  }

  #call<M extends TxnMethod>(transactionalId: string, method: M, request: TxnRequestOf<M>): Promise<TxnResultOf<M>> {
    return this.#options.call(this.#shardOf(transactionalId), method, request);
  }

  // ─── TxnFacade ───────────────────────────────────────────────────────────────────────────────

  async initTransactionalProducer(request: Omit<TxnRequestOf<'initProducerId'>, 'freshProducerId'>) {
    const result = await this.#call(request.transactionalId, 'initProducerId', { ...request, freshProducerId: this.#options.allocateProducerId() });
    // A fenced ongoing transaction: its abort is written now; the client retries meanwhile.
    if (result.markers !== null) void this.finish(result.markers);
    return { errorCode: result.errorCode, producerId: result.producerId, producerEpoch: result.producerEpoch };
  }

  addPartitionsToTxn(request: TxnRequestOf<'addPartitionsToTxn'>) {
    return this.#call(request.transactionalId, 'addPartitionsToTxn', request);
  }

  addOffsetsToTxn(request: TxnRequestOf<'addOffsetsToTxn'>) {
    return this.#call(request.transactionalId, 'addOffsetsToTxn', request);
  }

  txnOffsetCommit(request: TxnRequestOf<'txnOffsetCommit'>) {
    return this.#call(request.transactionalId, 'txnOffsetCommit', request);
  }

  async endTxn(request: Omit<TxnRequestOf<'endTxn'>, 'freshProducerId'>) {
    // Only a version 2 bump of an exhausted epoch moves the id to a new producer id (the
    // coordinator bumps the epoch the request names), so only then is one drawn.
    const freshProducerId = request.transactionVersion2 === true && isEpochExhausted(request.producerEpoch) ? this.#options.allocateProducerId() : undefined;
    const result = await this.#call(request.transactionalId, 'endTxn', freshProducerId === undefined ? request : { ...request, freshProducerId });
    if (result.markers !== null) await this.finish(result.markers);
    return { errorCode: result.errorCode, producerId: result.producerId, producerEpoch: result.producerEpoch };
  }

  async describeTransactions(transactionalIds: readonly string[]) {
    return Promise.all(transactionalIds.map(async (id) => (await this.#call(id, 'describeTransactions', [id]))[0]));
  }

  async listTransactions(request: TxnRequestOf<'listTransactions'>) {
    const perShard = await Promise.all(Array.from({ length: this.#options.shardCount }, (_, shard) => this.#options.call(shard, 'listTransactions', request)));
    const transactions: ListedTxn[] = perShard.flatMap((answer) => answer.transactions);
    transactions.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0));
    return { unknownStates: perShard[0]?.unknownStates ?? [], transactions };
  }

  // ─── Finishing decided transactions ──────────────────────────────────────────────────────────

  /** Every shard's unfinished decided transactions, finished (one sweep at a time). */
  sweep(): Promise<void> {
    if (this.#sweeping !== null || this.#stopped) return this.#sweeping ?? Promise.resolve();
    this.#sweeping = (async () => {
      try {
        const perShard = await Promise.all(Array.from({ length: this.#options.shardCount }, (_, shard) => this.#options.call(shard, 'pendingMarkers', null)));
        await Promise.all(perShard.flat().map((work) => this.finish(work)));
      } catch (error) {
        if (!isLanesError(error)) throw error;
        this.#options.logger.warn({ err: error }, 'transaction markers: could not ask for unfinished transactions; trying again');
      } finally {
        this.#sweeping = null;
      }
    })();
    return this.#sweeping;
  }

  /** Writes `work`'s markers and offsets and completes it; false if a step failed (the sweep retries). */
  finish(work: TxnMarkerWork): Promise<boolean> {
    const key = `${work.transactionalId}\u0000${work.producerId}\u0000${work.producerEpoch}\u0000${work.committed}`;
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running;
    const finishing = this.#finish(work).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, finishing);
    return finishing;
  }

  async #finish(work: TxnMarkerWork): Promise<boolean> {
    const { logger } = this.#options;
    try {
      if (work.partitions.length > 0) {
        const [written] = await this.#options.writeTxnMarkers([{ producerId: BigInt(work.producerId), producerEpoch: work.producerEpoch, committed: work.committed, coordinatorEpoch, partitions: work.partitions }]);
        // A deleted topic has nothing left to mark (Kafka drops such markers too).
        const failed = (written?.partitions ?? []).filter((p) => p.errorCode !== ErrorCode.NONE && p.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        if (failed.length > 0) {
          logger.warn({ transactionalId: work.transactionalId, failed: failed.slice(0, 8) }, 'transaction markers not written everywhere; retrying');
          return false;
        }
      }
      for (const group of work.groups) {
        const byTopic = new Map<string, OffsetCommitPartition[]>();
        for (const offset of group.offsets) {
          const partitions = byTopic.get(offset.topic) ?? [];
          partitions.push({ partitionIndex: offset.partition, committedOffset: offset.offset, committedLeaderEpoch: offset.leaderEpoch, committedMetadata: offset.metadata });
          byTopic.set(offset.topic, partitions);
        }
        await this.#options.commitOffsets({ groupId: group.groupId, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) });
      }
      await this.#call(work.transactionalId, 'markersWritten', { transactionalId: work.transactionalId, producerId: work.producerId, producerEpoch: work.producerEpoch, committed: work.committed });
      return true;
    } catch (error) {
      if (!isLanesError(error)) throw error;
      if (!this.#stopped) logger.warn({ err: error, transactionalId: work.transactionalId }, 'transaction not finished yet; retrying');
      return false;
    }
  }
}
