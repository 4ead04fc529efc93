// The transaction coordinator actor: one per shard, owning every transactional id that hashes to
// the shard (host/shard_router.ts). It runs core/txn's pure coordinator and makes its decisions
// durable in the shard's transaction state log (Kafka's __transaction_state):
//
//   request (Call envelope) → TransactionCoordinator.<call>(now, request) → { records, value }
//     records → appended to the transaction state log at the end of the turn, all results of the
//               turn in one batch (a result's records never straddle two batches);
//     value   → answered once its records are in the file, and durable under the flush policy
//               (fsync'd first with 'always'); at once when the call wrote nothing.
//
// The markers of a decided transaction are written by the host (host/txn_host.ts), which asks
// for them in the answer of EndTxn and InitProducerId and, after a restart or a timeout, through
// `pendingMarkers`; it reports them written with `markersWritten`.
//
// The group commit, replay and storage-failure plumbing is state_log.ts, shared with the group
// coordinator. On start the log is replayed into a fresh coordinator (the latest record per
// transactional id).
// Compaction keeps the log near the live state: once the bytes appended since the last snapshot
// pass both a floor and the snapshot's own size, the coordinator's state is written as a new
// snapshot after a roll, flushed, and the log start moved past the old records. A crash before
// the snapshot is durable replays the old records (the same state); after, the snapshot.
//
// Failure: as the group coordinator (group_actor.ts). An unexpected exception in a state-changing
// call takes the coordinator offline (COORDINATOR_NOT_AVAILABLE for everything after); a failed
// append answers the results of that batch with its code; a failed fsync takes the log offline
// (KAFKA_STORAGE_ERROR for every call that would write) while reads keep being served.
import { decodeCall, type CallBody } from '../call_body.js';
import type { Clock } from '../../core/clock.js';
import { ErrorCode, isLanesError, LanesError } from '../../core/errors.js';
import { isTxnMethod, type TxnCalls, type TxnMethod, type TxnRequestOf, type TxnResultOf } from '../../core/txn/txn_calls.js';
import { txnConfig, type TxnConfig } from '../../core/txn/txn_config.js';
import { TransactionCoordinator, type TxnOutcome } from '../../core/txn/txn_coordinator.js';
import { decodeTxnRecord, encodeTxnRecord, type TxnRecord } from '../../core/txn/txn_record.js';
import { envelopeHeaderBytes, EnvelopeKind, type EnvelopeHeader } from '../envelope.js';
import type { Logger } from '../logger.js';
import { txnCoordinatorActorId, type Actor, type ActorFailure, type ReplySink } from './actor.js';
import type { PartitionLog } from './partition_actor.js';
import { readKeyedRecords, StateLog, type KeyedRecord } from './state_log.js';

type Dispatch<M extends TxnMethod> =
  | { readonly mutates: true; run(coordinator: TransactionCoordinator, nowMs: number, request: TxnRequestOf<M>): TxnOutcome<TxnResultOf<M>> }
  | { readonly mutates: false; run(coordinator: TransactionCoordinator, nowMs: number, request: TxnRequestOf<M>): TxnResultOf<M> };

/** Every call of core/txn/txn_calls.ts, mapped to the coordinator. */
const dispatch: { readonly [M in TxnMethod]: Dispatch<M> } = {
  initProducerId: { mutates: true, run: (coordinator, nowMs, request) => coordinator.initProducerId(nowMs, request) },
  addPartitionsToTxn: { mutates: true, run: (coordinator, nowMs, request) => coordinator.addPartitions(nowMs, request) },
  addOffsetsToTxn: { mutates: true, run: (coordinator, nowMs, request) => coordinator.addOffsets(nowMs, request) },
  txnOffsetCommit: { mutates: true, run: (coordinator, nowMs, request) => coordinator.txnOffsetCommit(nowMs, request) },
  endTxn: { mutates: true, run: (coordinator, nowMs, request) => coordinator.endTxn(nowMs, request) },
  markersWritten: { mutates: true, run: (coordinator, nowMs, request) => coordinator.markersWritten(nowMs, request) },
  pendingMarkers: { mutates: false, run: (coordinator) => coordinator.pendingMarkers() },
  describeTransactions: { mutates: false, run: (coordinator, _nowMs, transactionalIds) => coordinator.describe(transactionalIds) },
  listTransactions: { mutates: false, run: (coordinator, nowMs, request) => coordinator.list(nowMs, request) },
};

function encodeRecords(records: readonly TxnRecord[]): { records: KeyedRecord[]; bytes: number } {
  let bytes = 0;
  const encoded = records.map((record) => {
    const keyed = encodeTxnRecord(record);
    bytes += keyed.key.length + (keyed.value?.length ?? 0);
    return keyed;
  });
  return { records: encoded, bytes };
}

export class TxnActor implements Actor {
  readonly actorId = txnCoordinatorActorId;
  readonly label = 'transaction coordinator';
  readonly #coordinator: TransactionCoordinator;
  readonly #stateLog: StateLog;
  readonly #clock: Clock;
  readonly #logger: Logger;
  #offline = false;
  #mutating: string | null = null;
  #closed = false;
  #compacting: Promise<void> | null = null;
  readonly #compactionBytesMin: number;

  private constructor(coordinator: TransactionCoordinator, log: PartitionLog, sink: ReplySink, clock: Clock, logger: Logger, compactionBytesMin: number) {
    this.#compactionBytesMin = compactionBytesMin;
    this.#coordinator = coordinator;
    this.#stateLog = new StateLog({
      log,
      sink,
      clock,
      logger,
      actorId: txnCoordinatorActorId,
      name: 'transaction state log',
      offlineConsequence: 'transaction changes',
    });
    this.#clock = clock;
    this.#logger = logger;
  }

  static open(options: { log: PartitionLog; sink: ReplySink; clock: Clock; logger: Logger; config?: Partial<TxnConfig> }): TxnActor {
    const records = readKeyedRecords(options.log).map((record) => decodeTxnRecord(record.key, record.value));
    const coordinator = TransactionCoordinator.replay(records, options.config);
    options.logger.info({ records: records.length, transactionalIds: coordinator.size, pending: coordinator.pendingMarkers().length }, 'transaction coordinator loaded');
    const actor = new TxnActor(coordinator, options.log, options.sink, options.clock, options.logger, txnConfig(options.config).stateLogCompactionBytesMin);
    // What the last snapshot was is not recorded; estimate it from the share of live records.
    actor.#stateLog.snapshotBytes = records.length === 0 ? 0 : Math.round((options.log.sizeBytes * coordinator.size) / records.length);
    actor.#stateLog.dirtyBytes = options.log.sizeBytes - actor.#stateLog.snapshotBytes;
    actor.#compactIfDue();
    return actor;
  }

  /** Bytes appended since the last snapshot, that snapshot's size, and whether one is being flushed (tests and diagnostics). */
  get compactionState(): { dirtyBytes: number; snapshotBytes: number; compacting: boolean } {
    return { dirtyBytes: this.#stateLog.dirtyBytes, snapshotBytes: this.#stateLog.snapshotBytes, compacting: this.#compacting !== null };
  }

  /** The coordinator (tests and diagnostics). */
  get coordinator(): TransactionCoordinator {
    return this.#coordinator;
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    if (header.kind !== EnvelopeKind.Call) throw new LanesError(ErrorCode.INVALID_REQUEST, `transaction coordinator cannot handle envelope kind ${header.kind}`);
    this.#mutating = null;
    const call = decodeCall<TxnCalls>(envelope.subarray(envelopeHeaderBytes));
    const method: string = call.method;
    if (!isTxnMethod(method)) throw new LanesError(ErrorCode.INVALID_REQUEST, `transaction coordinator has no method ${method}`);
    this.#dispatch(call, header.correlationId);
  }

  #dispatch<M extends TxnMethod>(call: CallBody<TxnCalls, M>, correlationId: number): void {
    const entry: Dispatch<M> = dispatch[call.method];
    const nowMs = this.#clock.nowMs();
    if (!entry.mutates) return this.#stateLog.replyValue(correlationId, entry.run(this.#coordinator, nowMs, call.args[0]));
    if (this.#stateLog.offline !== null) return this.#stateLog.replyError(correlationId, ErrorCode.KAFKA_STORAGE_ERROR, this.#stateLog.offlineMessage());
    this.#mutating = call.method;
    const outcome = entry.run(this.#coordinator, nowMs, call.args[0]);
    this.#queue(outcome.records, correlationId, outcome.value);
    this.#mutating = null;
  }

  /** A result's records for the next group commit; answered (unless a tick's: null) once stored. */
  #queue(records: readonly TxnRecord[], correlationId: number | null, value: unknown): void {
    const encoded = encodeRecords(records);
    this.#stateLog.queue(encoded.records, encoded.bytes, correlationId === null ? [] : [{ correlationId, value }]);
  }

  #compactIfDue(): void {
    const stateLog = this.#stateLog;
    if (this.#compacting !== null || this.#closed || this.#offline || stateLog.offline !== null) return;
    if (stateLog.hasPending || stateLog.dirtyBytes < Math.max(this.#compactionBytesMin, stateLog.snapshotBytes)) return;
    const log = stateLog.log;
    let written: Promise<void>;
    try {
      written = stateLog.writeSnapshot(encodeRecords(this.#coordinator.snapshot()).records);
    } catch (error) {
      // A repeat of the latest records is harmless to replay; the next turn may try again.
      if (log.failure === null && isLanesError(error)) this.#logger.warn({ err: error }, 'transaction state log compaction could not write its snapshot');
      return;
    }
    this.#compacting = written.then(
      () => {
        this.#compacting = null;
      },
      (error: unknown) => {
        this.#compacting = null;
        if (log.failure === null) this.#logger.warn({ err: error }, 'transaction state log compaction could not flush its snapshot');
      },
    );
  }

  classifyFailure(error: unknown, header: EnvelopeHeader | null): ActorFailure {
    const reason = error instanceof Error ? error.message : String(error);
    const mutating = this.#mutating;
    this.#mutating = null;
    if (header !== null && mutating === null) {
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: `transaction coordinator failed: ${reason}`, offline: false };
    }
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: `transaction coordinator offline after ${mutating ?? 'housekeeping'} failed: ${reason}`, offline: true };
  }

  takeOffline(failure: ActorFailure): void {
    this.#offline = true;
    this.#stateLog.halt(failure.errorCode, failure.message);
    this.#stateLog.flushIfAwaiting();
    this.#stateLog.publish();
  }

  endTurn(): void {
    this.#tickIfDue(this.#clock.nowMs());
    this.#stateLog.appendPending();
    this.#compactIfDue();
    this.#stateLog.flushIfAwaiting();
  }

  #tickIfDue(nowMs: number): void {
    const deadline = this.#coordinator.nextDeadlineMs();
    if (deadline === undefined || deadline > nowMs || this.#stateLog.offline !== null) return;
    this.#mutating = 'timeouts';
    const outcome = this.#coordinator.tick(nowMs);
    if (outcome.markers.length > 0) this.#logger.info({ transactions: outcome.markers.map((work) => work.transactionalId) }, 'transactions timed out: aborting');
    this.#queue(outcome.records, null, null);
    this.#mutating = null;
  }

  nextDeadlineMs(): number | undefined {
    return this.#stateLog.offline === null ? this.#coordinator.nextDeadlineMs() : undefined;
  }

  tick(nowMs: number): void {
    this.#tickIfDue(nowMs);
    this.#stateLog.tick(nowMs);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stateLog.close(this.#compacting);
  }
}
