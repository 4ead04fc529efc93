// The transaction coordinator of one shard: every transactional id hashed to it, after Kafka's
// TransactionCoordinator (the answers below are Kafka's, case by case). Pure: each call takes
// `nowMs` and returns the answer and the records that make the change durable; the transaction
// actor appends the records to the shard's transaction state log before the answer goes out, and
// writes the markers of a decided transaction (TxnMarkerWork) through the host.
//
// A transaction's life (states in txn_state.ts):
//   InitProducerId   new id: a producer id, epoch 0, Empty. Known id, idle: the epoch is bumped
//                    (a new producer id once it is exhausted), which fences the previous producer.
//                    Ongoing: the open transaction is fenced (epoch + 1) and aborted, and the
//                    client gets CONCURRENT_TRANSACTIONS until the abort is complete (it retries).
//   AddPartitions /  the transaction becomes Ongoing; its timeout runs from the first one.
//   AddOffsets
//   TxnOffsetCommit  stages offsets for a group added by AddOffsets; visible only once committed.
//   EndTxn           Ongoing → PrepareCommit / PrepareAbort, durable: the decision. The host then
//                    writes the markers (and commits the staged offsets) and calls
//                    `markersWritten`: CompleteCommit / CompleteAbort. After a restart every
//                    Prepare* transaction is finished the same way (`pendingMarkers`).
//                    Transaction version 2 (KIP-890 part 2, EndTxn v5+): the decision also bumps
//                    the epoch (a new producer id once it runs out, taken when the markers are
//                    written), the markers carry the bumped epoch, so a late write of the
//                    transaction is fenced at every partition, and the answer names the id and
//                    epoch the producer goes on with. A version 2 abort may also end an idle id.
//   timeout          an Ongoing transaction past its timeout is fenced and aborted, as if a newer
//                    producer had called InitProducerId.
//   expiration       an idle id untouched for transactional.id.expiration.ms is forgotten (Dead).
import { assert } from '../assert.js';
import { ErrorCode } from '../errors.js';
import { txnIdsPerShardMax, txnPartitionsMax, txnRecordBytesMax, txnStagedOffsetsMax } from '../limits.js';
import { TimerWheel } from '../timer_wheel.js';
import type {
  AddOffsetsToTxnRequest,
  AddPartitionsToTxnRequest,
  DescribedTxn,
  EndTxnRequest,
  EndTxnResponse,
  InitTxnProducerRequest,
  InitTxnProducerResponse,
  ListTransactionsRequest,
  ListTransactionsResponse,
  TxnErrorResponse,
  TxnOffsetCommitRequest,
  TxnProducer,
} from './txn_api.js';
import { txnConfig, type TxnConfig } from './txn_config.js';
import { markerWorkOf, partitionsByTopic, type TxnGroupOffsets, type TxnMarkerWork, type TxnMetadata, type TxnPendingOffset } from './txn_metadata.js';
import { txnRecordValueBytes, type TxnRecord } from './txn_record.js';
import { assertTxnTransition, isIdle, isPrepared, isTxnState, type TxnState } from './txn_state.js';

/** Kafka's producer epochs are int16; one at Short.MaxValue − 1 or above is exhausted. */
const epochExhaustedAt = 0x7fff - 1;

/**
 * Whether `epoch` can no longer be bumped. A version 2 EndTxn at such an epoch is the one that
 * needs a fresh producer id (the host allocates one only then).
 */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= epochExhaustedAt;
}

/** An EndTxn refused (or a version 2 retry's answer is computed elsewhere): nothing changes. */
function refuseEnd(errorCode: number): TxnOutcome<EndTxnResponse> {
  return { records: [], value: { errorCode, markers: null, producerId: -1, producerEpoch: -1 } };
}

/** A retried EndTxn whose decision is made: NONE, with the id and epoch the producer has now. */
function unchangedEnd(current: TxnMetadata): TxnOutcome<EndTxnResponse> {
  return { records: [], value: { errorCode: ErrorCode.NONE, markers: null, producerId: current.producerId, producerEpoch: current.producerEpoch } };
}

/** An answer and the records that must be durable before it is given. */
export interface TxnOutcome<Value> {
  readonly records: readonly TxnRecord[];
  readonly value: Value;
}

/** What a tick decided: records to append, transactions whose abort markers to write. */
export interface TxnTickOutcome {
  readonly records: readonly TxnRecord[];
  readonly markers: readonly TxnMarkerWork[];
}

const partitionKey = (topic: string, partition: number): string => `${partition}\u0000${topic}`;

export class TransactionCoordinator {
  readonly #config: TxnConfig;
  readonly #idsMax: number;
  readonly #txns = new Map<string, TxnMetadata>();
  /** Per id: its timeout while Ongoing, its expiration while idle; none while Prepare*. */
  readonly #timers = new TimerWheel();

  /** `idsMax`: transactional ids kept (txnIdsPerShardMax; smaller in tests). */
  constructor(config: Partial<TxnConfig> = {}, idsMax = txnIdsPerShardMax) {
    this.#config = txnConfig(config);
    this.#idsMax = idsMax;
  }

  /** A coordinator in the state the records leave (the latest record per id wins). */
  static replay(records: Iterable<TxnRecord>, config: Partial<TxnConfig> = {}): TransactionCoordinator {
    const coordinator = new TransactionCoordinator(config);
    for (const record of records) {
      if (record.metadata === null) coordinator.#txns.delete(record.transactionalId);
      else coordinator.#txns.set(record.transactionalId, record.metadata);
    }
    for (const metadata of coordinator.#txns.values()) coordinator.#schedule(metadata);
    return coordinator;
  }

  get size(): number {
    return this.#txns.size;
  }

  /** The metadata of an id (tests and diagnostics). */
  metadataOf(transactionalId: string): TxnMetadata | undefined {
    return this.#txns.get(transactionalId);
  }

  /** Every metadata as one record each: what a compacted log holds. */
  snapshot(): TxnRecord[] {
    return [...this.#txns.values()].map((metadata) => ({ transactionalId: metadata.transactionalId, metadata }));
  }

  // ─── InitProducerId ──────────────────────────────────────────────────────────────────────────

  initProducerId(nowMs: number, request: InitTxnProducerRequest): TxnOutcome<InitTxnProducerResponse> {
    const refuse = (errorCode: number): TxnOutcome<InitTxnProducerResponse> => ({ records: [], value: { errorCode, producerId: -1, producerEpoch: -1, markers: null } });
    if (request.transactionalId === '') return refuse(ErrorCode.INVALID_REQUEST);
    const timeoutMs = request.transactionTimeoutMs;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > this.#config.transactionTimeoutMsMax) return refuse(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const current = this.#txns.get(request.transactionalId);
    if (current === undefined) {
      const evicted = this.#txns.size >= this.#idsMax ? this.#evictIdlest() : [];
      if (this.#txns.size >= this.#idsMax) return refuse(ErrorCode.CONCURRENT_TRANSACTIONS);
      const metadata: TxnMetadata = {
        transactionalId: request.transactionalId,
        producerId: request.freshProducerId,
        previousProducerId: -1,
        producerEpoch: 0,
        lastProducerEpoch: -1,
        nextProducerId: -1,
        timeoutMs,
        state: 'Empty',
        partitions: [],
        groups: [],
        startMs: -1,
        updateMs: nowMs,
      };
      const granted = this.#granted(metadata);
      return { records: [...evicted, ...granted.records], value: granted.value };
    }
    const expected = request.producerId >= 0 || request.producerEpoch >= 0 ? { producerId: request.producerId, producerEpoch: request.producerEpoch } : null;
    // Kafka's isValidProducerId: a producer naming an id other than this one's (or the one it
    // replaced, when that one's epoch ran out) is a zombie.
    if (expected !== null) {
      const valid =
        expected.producerId === current.producerId ||
        (expected.producerId === current.previousProducerId && isEpochExhausted(expected.producerEpoch));
      if (!valid) return refuse(ErrorCode.PRODUCER_FENCED);
      // A retry of the call that moved this id to a new producer id: answer that one again.
      if (expected.producerId !== current.producerId) return { records: [], value: { errorCode: ErrorCode.NONE, producerId: current.producerId, producerEpoch: current.producerEpoch, markers: null } };
    }
    switch (current.state) {
      case 'PrepareCommit':
      case 'PrepareAbort':
      case 'PrepareEpochFence':
      case 'Dead':
        return refuse(ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Ongoing': {
        // A new producer instance: the open transaction of the previous one is fenced and aborted;
        // this one retries until the abort is complete.
        const fenced = this.#fenceAndAbort(nowMs, current);
        return { records: [this.#put(fenced)], value: { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS, producerId: -1, producerEpoch: -1, markers: markerWorkOf(fenced) } };
      }
      case 'Empty':
      case 'CompleteCommit':
      case 'CompleteAbort':
        break;
    }
    const idle = { ...current, timeoutMs, partitions: [], groups: [], startMs: -1, updateMs: nowMs };
    if (isEpochExhausted(current.producerEpoch) && (expected === null || expected.producerEpoch === current.producerEpoch)) {
      return this.#granted(this.#moved(current, { ...idle, producerId: request.freshProducerId, previousProducerId: current.producerId, producerEpoch: 0, lastProducerEpoch: -1, state: 'Empty' }));
    }
    if (expected !== null && expected.producerEpoch !== current.producerEpoch) {
      // KIP-360: a retried bump (the epoch just before ours) gets the current epoch again.
      if (expected.producerEpoch === current.lastProducerEpoch) return { records: [], value: { errorCode: ErrorCode.NONE, producerId: current.producerId, producerEpoch: current.producerEpoch, markers: null } };
      return refuse(ErrorCode.PRODUCER_FENCED);
    }
    return this.#granted(this.#moved(current, { ...idle, producerEpoch: current.producerEpoch + 1, lastProducerEpoch: current.producerEpoch, state: 'Empty' }));
  }

  /** Forgets the id idle the longest (see txnIdsPerShardMax); none when no id is idle. */
  #evictIdlest(): TxnRecord[] {
    let idlest: TxnMetadata | undefined;
    for (const metadata of this.#txns.values()) {
      if (isIdle(metadata.state) && (idlest === undefined || metadata.updateMs < idlest.updateMs)) idlest = metadata;
    }
    if (idlest === undefined) return [];
    this.#moved(idlest, { ...idlest, state: 'Dead' });
    this.#txns.delete(idlest.transactionalId);
    this.#timers.cancel(idlest.transactionalId);
    return [{ transactionalId: idlest.transactionalId, metadata: null }];
  }

  #granted(metadata: TxnMetadata): TxnOutcome<InitTxnProducerResponse> {
    return { records: [this.#put(metadata)], value: { errorCode: ErrorCode.NONE, producerId: metadata.producerId, producerEpoch: metadata.producerEpoch, markers: null } };
  }

  // ─── Adding to a transaction ─────────────────────────────────────────────────────────────────

  addPartitions(nowMs: number, request: AddPartitionsToTxnRequest): TxnOutcome<TxnErrorResponse> {
    const checked = this.#checkProducer(request);
    if (typeof checked === 'number') return { records: [], value: { errorCode: checked } };
    const known = new Set(checked.state === 'Ongoing' ? checked.partitions.map((p) => partitionKey(p.topic, p.partition)) : []);
    const added = checked.state === 'Ongoing' ? [...checked.partitions] : [];
    for (const { topic, partition } of request.partitions) {
      const key = partitionKey(topic, partition);
      if (known.has(key)) continue;
      known.add(key);
      added.push({ topic, partition });
    }
    if (checked.state === 'Ongoing' && added.length === checked.partitions.length) return { records: [], value: { errorCode: ErrorCode.NONE } };
    if (added.length > txnPartitionsMax) return { records: [], value: { errorCode: ErrorCode.INVALID_REQUEST } };
    return this.#putIfFits(this.#ongoing(nowMs, checked, { partitions: added }));
  }

  addOffsets(nowMs: number, request: AddOffsetsToTxnRequest): TxnOutcome<TxnErrorResponse> {
    const checked = this.#checkProducer(request);
    if (typeof checked === 'number') return { records: [], value: { errorCode: checked } };
    const groups = checked.state === 'Ongoing' ? checked.groups : [];
    if (checked.state === 'Ongoing' && groups.some((group) => group.groupId === request.groupId)) return { records: [], value: { errorCode: ErrorCode.NONE } };
    return this.#putIfFits(this.#ongoing(nowMs, checked, { groups: [...groups, { groupId: request.groupId, offsets: [] }] }));
  }

  /** Stages offsets for a group the transaction added; the group sees them once it commits. */
  txnOffsetCommit(nowMs: number, request: TxnOffsetCommitRequest): TxnOutcome<TxnErrorResponse> {
    const checked = this.#checkProducer(request);
    if (typeof checked === 'number') return { records: [], value: { errorCode: checked } };
    let base = checked;
    let group = checked.state === 'Ongoing' ? checked.groups.find((entry) => entry.groupId === request.groupId) : undefined;
    // Transaction version 2 adds the group here; version 1 needs AddOffsetsToTxn first: offsets
    // for a group outside the transaction would never be committed or aborted.
    if (group === undefined && request.addsGroup === true) {
      group = { groupId: request.groupId, offsets: [] };
      base = this.#ongoing(nowMs, checked, { groups: [...(checked.state === 'Ongoing' ? checked.groups : []), group] });
    }
    if (group === undefined) return { records: [], value: { errorCode: ErrorCode.INVALID_TXN_STATE } };
    const byPartition = new Map<string, TxnPendingOffset>(group.offsets.map((offset) => [partitionKey(offset.topic, offset.partition), offset]));
    for (const offset of request.offsets) byPartition.set(partitionKey(offset.topic, offset.partition), offset);
    const staged = base.groups.reduce((sum, entry) => sum + (entry.groupId === request.groupId ? 0 : entry.offsets.length), byPartition.size);
    if (staged > txnStagedOffsetsMax) return { records: [], value: { errorCode: ErrorCode.INVALID_REQUEST } };
    const groups: TxnGroupOffsets[] = base.groups.map((entry) => (entry.groupId === request.groupId ? { groupId: entry.groupId, offsets: [...byPartition.values()] } : entry));
    return this.#putIfFits(this.#moved(checked, { ...base, groups, updateMs: nowMs }));
  }

  /** Keeps a grown transaction unless its record would pass txnRecordBytesMax (then nothing changes). */
  #putIfFits(next: TxnMetadata): TxnOutcome<TxnErrorResponse> {
    if (txnRecordValueBytes(next) > txnRecordBytesMax) return { records: [], value: { errorCode: ErrorCode.INVALID_REQUEST } };
    return { records: [this.#put(next)], value: { errorCode: ErrorCode.NONE } };
  }

  /**
   * Kafka's checks before a transaction changes: the id's producer id, then its epoch, then no
   * decision in flight. Answers the metadata, or the error code.
   */
  #checkProducer(request: TxnProducer): TxnMetadata | number {
    const current = this.#txns.get(request.transactionalId);
    if (current === undefined || current.producerId !== request.producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (current.producerEpoch !== request.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    if (isPrepared(current.state) || current.state === 'PrepareEpochFence' || current.state === 'Dead') return ErrorCode.CONCURRENT_TRANSACTIONS;
    return current;
  }

  /** The transaction Ongoing with `change`; one starting now gets a fresh start time. */
  #ongoing(nowMs: number, current: TxnMetadata, change: Partial<TxnMetadata>): TxnMetadata {
    const starting = current.state !== 'Ongoing';
    return this.#moved(current, {
      ...current,
      ...(starting ? { partitions: [], groups: [], startMs: nowMs } : {}),
      ...change,
      state: 'Ongoing',
      updateMs: nowMs,
    });
  }

  // ─── Ending a transaction ────────────────────────────────────────────────────────────────────

  endTxn(nowMs: number, request: EndTxnRequest): TxnOutcome<EndTxnResponse> {
    if (request.transactionVersion2 === true) return this.#endTxnV2(nowMs, request);
    const current = this.#txns.get(request.transactionalId);
    if (current === undefined || current.producerId !== request.producerId) return refuseEnd(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (current.producerEpoch !== request.producerEpoch) return refuseEnd(ErrorCode.PRODUCER_FENCED);
    const answer = (errorCode: number): TxnOutcome<EndTxnResponse> => (errorCode === ErrorCode.NONE ? unchangedEnd(current) : refuseEnd(errorCode));
    const committed = request.committed;
    switch (current.state) {
      case 'Ongoing': {
        const prepared = this.#moved(current, { ...current, state: committed ? 'PrepareCommit' : 'PrepareAbort', updateMs: nowMs });
        return { records: [this.#put(prepared)], value: { errorCode: ErrorCode.NONE, markers: markerWorkOf(prepared), producerId: prepared.producerId, producerEpoch: prepared.producerEpoch } };
      }
      // A retried EndTxn whose decision is already made (or done) gets the same answer; the
      // opposite decision is an invalid state.
      case 'CompleteCommit':
        return answer(committed ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
      case 'CompleteAbort':
        return answer(committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE);
      case 'PrepareCommit':
        return answer(committed ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
      case 'PrepareAbort':
        return answer(committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'Empty':
      case 'PrepareEpochFence':
      case 'Dead':
        return answer(ErrorCode.INVALID_TXN_STATE);
    }
  }

  /**
   * Kafka's endTransaction for transaction version 2: which epochs are a retry of an EndTxn that
   * already bumped (the epoch just below ours, or the last epoch of the id we moved from), and the
   * version 2 moves (an abort may end an idle id).
   */
  #endTxnV2(nowMs: number, request: EndTxnRequest): TxnOutcome<EndTxnResponse> {
    const current = this.#txns.get(request.transactionalId);
    if (current === undefined) return refuseEnd(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const retryOnOverflow = current.previousProducerId === request.producerId && request.producerEpoch === epochExhaustedAt && current.producerEpoch === 0;
    const retryOnEpochBump = current.producerId === request.producerId && current.producerEpoch === request.producerEpoch + 1;
    if (current.producerId !== request.producerId && !retryOnOverflow) return refuseEnd(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const sameEpoch = current.producerEpoch === request.producerEpoch;
    const validEpoch = isPrepared(current.state) ? retryOnEpochBump : isIdle(current.state) && current.state !== 'Empty' ? retryOnEpochBump || retryOnOverflow || sameEpoch : sameEpoch;
    if (!validEpoch) return refuseEnd(ErrorCode.PRODUCER_FENCED);
    const isRetry = retryOnEpochBump || retryOnOverflow;
    const committed = request.committed;
    switch (current.state) {
      case 'Ongoing':
        return this.#prepareV2(nowMs, current, committed, request.freshProducerId, false);
      case 'CompleteCommit':
        if (committed) return isRetry ? unchangedEnd(current) : refuseEnd(ErrorCode.INVALID_TXN_STATE);
        return isRetry ? refuseEnd(ErrorCode.INVALID_TXN_STATE) : this.#prepareV2(nowMs, current, false, request.freshProducerId, true);
      case 'CompleteAbort':
        if (committed) return refuseEnd(ErrorCode.INVALID_TXN_STATE);
        return isRetry ? unchangedEnd(current) : this.#prepareV2(nowMs, current, false, request.freshProducerId, true);
      case 'Empty':
        return committed ? refuseEnd(ErrorCode.INVALID_TXN_STATE) : this.#prepareV2(nowMs, current, false, request.freshProducerId, true);
      case 'PrepareCommit':
        return refuseEnd(committed ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
      case 'PrepareAbort':
        return refuseEnd(committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
      case 'PrepareEpochFence':
      case 'Dead':
        return refuseEnd(ErrorCode.INVALID_TXN_STATE);
    }
  }

  /**
   * Version 2's decision: the epoch is bumped with it (to Short.MaxValue at most: the markers are
   * written with it, then the id moves to `freshProducerId` at epoch 0). `nothingAdded`: an abort
   * of an idle id, which starts and ends an empty transaction now.
   */
  #prepareV2(nowMs: number, current: TxnMetadata, committed: boolean, freshProducerId: number | undefined, nothingAdded: boolean): TxnOutcome<EndTxnResponse> {
    const exhausted = isEpochExhausted(current.producerEpoch);
    assert(!exhausted || freshProducerId !== undefined, 'a version 2 EndTxn carries a fresh producer id');
    const prepared = this.#moved(current, {
      ...current,
      ...(nothingAdded ? { partitions: [], groups: [], startMs: nowMs } : {}),
      state: committed ? 'PrepareCommit' : 'PrepareAbort',
      producerEpoch: current.producerEpoch + 1,
      lastProducerEpoch: current.producerEpoch,
      nextProducerId: exhausted ? freshProducerId! : -1,
      updateMs: nowMs,
    });
    const goesOn = exhausted ? { producerId: freshProducerId!, producerEpoch: 0 } : { producerId: prepared.producerId, producerEpoch: prepared.producerEpoch };
    return { records: [this.#put(prepared)], value: { errorCode: ErrorCode.NONE, markers: markerWorkOf(prepared), ...goesOn } };
  }

  /**
   * The host wrote the markers (and the offsets) of `work`: the transaction is complete. False
   * when the id moved on meanwhile (the work was already completed).
   */
  markersWritten(nowMs: number, work: Pick<TxnMarkerWork, 'transactionalId' | 'producerId' | 'producerEpoch' | 'committed'>): TxnOutcome<boolean> {
    const current = this.#txns.get(work.transactionalId);
    const expected: TxnState = work.committed ? 'PrepareCommit' : 'PrepareAbort';
    if (current === undefined || current.state !== expected || current.producerId !== work.producerId || current.producerEpoch !== work.producerEpoch) {
      return { records: [], value: false };
    }
    // A version 2 bump that exhausted the epoch: the id moves on now, at epoch 0 (lastProducerEpoch
    // stays the last epoch the producer was answered before, as in Kafka).
    const movesOn = current.nextProducerId >= 0 ? { producerId: current.nextProducerId, previousProducerId: current.producerId, producerEpoch: 0, nextProducerId: -1 } : {};
    const complete = this.#moved(current, { ...current, ...movesOn, state: work.committed ? 'CompleteCommit' : 'CompleteAbort', partitions: [], groups: [], startMs: -1, updateMs: nowMs });
    return { records: [this.#put(complete)], value: true };
  }

  /** Every decided transaction whose markers are not all written yet. */
  pendingMarkers(): TxnMarkerWork[] {
    const work: TxnMarkerWork[] = [];
    for (const metadata of this.#txns.values()) if (isPrepared(metadata.state)) work.push(markerWorkOf(metadata));
    return work;
  }

  /** The epoch of an ongoing transaction is bumped (when it can be) and the transaction aborted. */
  #fenceAndAbort(nowMs: number, current: TxnMetadata): TxnMetadata {
    // Kafka's prepareFenceProducerEpoch: an exhausted epoch cannot be bumped; the abort then uses it.
    const producerEpoch = isEpochExhausted(current.producerEpoch) ? current.producerEpoch : current.producerEpoch + 1;
    const fencing = this.#moved(current, { ...current, state: 'PrepareEpochFence', producerEpoch, lastProducerEpoch: -1, updateMs: nowMs });
    return this.#moved(fencing, { ...fencing, state: 'PrepareAbort' });
  }

  // ─── Timers ──────────────────────────────────────────────────────────────────────────────────

  nextDeadlineMs(): number | undefined {
    return this.#timers.nextDeadlineMs();
  }

  /** Aborts the transactions past their timeout and forgets the ids past their expiration. */
  tick(nowMs: number): TxnTickOutcome {
    const records: TxnRecord[] = [];
    const markers: TxnMarkerWork[] = [];
    for (const transactionalId of this.#timers.expire(nowMs)) {
      const current = this.#txns.get(transactionalId);
      assert(current !== undefined, `a timer for the unknown transactional id ${transactionalId}`);
      if (current.state === 'Ongoing') {
        const aborted = this.#fenceAndAbort(nowMs, current);
        records.push(this.#put(aborted));
        markers.push(markerWorkOf(aborted));
      } else {
        assert(isIdle(current.state), `transaction ${transactionalId} timed out in state ${current.state}`);
        this.#moved(current, { ...current, state: 'Dead' });
        this.#txns.delete(transactionalId);
        records.push({ transactionalId, metadata: null });
      }
    }
    return { records, markers };
  }

  #schedule(metadata: TxnMetadata): void {
    const id = metadata.transactionalId;
    if (metadata.state === 'Ongoing') this.#timers.schedule(id, metadata.startMs + metadata.timeoutMs);
    else if (isIdle(metadata.state)) this.#timers.schedule(id, metadata.updateMs + this.#config.transactionalIdExpirationMs);
    else this.#timers.cancel(id);
  }

  // ─── Reads ───────────────────────────────────────────────────────────────────────────────────

  describe(transactionalIds: readonly string[]): DescribedTxn[] {
    return transactionalIds.map((transactionalId): DescribedTxn => {
      const metadata = this.#txns.get(transactionalId);
      if (metadata === undefined) {
        return { transactionalId, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, state: 'Dead', timeoutMs: 0, startMs: -1, producerId: -1, producerEpoch: -1, topics: [], groups: [], stagedOffsets: [] };
      }
      return {
        transactionalId,
        errorCode: ErrorCode.NONE,
        state: metadata.state,
        timeoutMs: metadata.timeoutMs,
        startMs: metadata.startMs,
        producerId: metadata.producerId,
        producerEpoch: metadata.producerEpoch,
        topics: partitionsByTopic(metadata.partitions).map(({ topic, partitions }) => ({ topic, partitions })),
        groups: metadata.groups.map((group) => group.groupId),
        stagedOffsets: metadata.groups.flatMap((group) => group.offsets.map(({ topic, partition }) => ({ groupId: group.groupId, topic, partition }))),
      };
    });
  }

  list(nowMs: number, request: ListTransactionsRequest): ListTransactionsResponse {
    const unknownStates = request.states.filter((state) => !isTxnState(state));
    const states = new Set(request.states);
    const producerIds = new Set(request.producerIds);
    const transactions = [];
    for (const metadata of this.#txns.values()) {
      if (states.size > 0 && !states.has(metadata.state)) continue;
      if (producerIds.size > 0 && !producerIds.has(metadata.producerId)) continue;
      if (request.durationMsMin >= 0 && (metadata.startMs < 0 || nowMs - metadata.startMs <= request.durationMsMin)) continue;
      transactions.push({ transactionalId: metadata.transactionalId, producerId: metadata.producerId, state: metadata.state });
    }
    return { unknownStates, transactions };
  }

  // ─── Changing state ──────────────────────────────────────────────────────────────────────────

  /** `next` after checking the move from `current`'s state is in the table. */
  #moved(current: TxnMetadata, next: TxnMetadata): TxnMetadata {
    assertTxnTransition(current.transactionalId, current.state, next.state);
    return next;
  }

  /** Keeps `metadata` as the id's state, reschedules its timer, and answers its record. */
  #put(metadata: TxnMetadata): TxnRecord {
    this.#txns.set(metadata.transactionalId, metadata);
    this.#schedule(metadata);
    return { transactionalId: metadata.transactionalId, metadata };
  }
}
