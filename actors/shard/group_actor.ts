// The group coordinator actor: one per shard, owning every group whose id hashes to the shard
// (host/shard_router.ts). It runs core/group's pure state machine and makes its decisions real:
//
//   request (Call envelope) → GroupCoordinator.<api>(now, correlationId, request) → GroupResult
//     records → appended to this shard's internal offsets log (Kafka's __consumer_offsets),
//               keys and values from encodeGroupRecord, by group commit (below);
//     replies → sent once the records they depend on are in the log's file (an acknowledged
//               commit survives kill -9 under every flush policy) and durable under the flush
//               policy (fsync'd with 'always'), or at once when the result wrote nothing;
//     events  → rebalance telemetry through pino.
//
// Group commit (state_log.ts, shared with the transaction coordinator): the records of every
// result produced in one shard turn — and, with flush 'always', of every turn that ran while the
// previous flush was in flight — are queued and appended together at the end of the turn (or when
// that flush completes) as ONE RecordBatch, then one flush covers them all:
//
//   turn: receive → coordinator → queue ────┐        flush in flight: results keep queueing
//   endTurn ───────────────────────────────▶ append one batch → flush → reply to all of them
//
// A result's records never straddle two batches (a batch is the unit a crash keeps or loses, so
// a multi-partition commit stays all-or-nothing), results keep their order inside and across
// batches (per-group order as produced), and a batch is cut at `stateLogBatchRecordBytesMax` key and value bytes
// only between results. Replay and compaction see the same records in the same order as before;
// only how many batches carry them changed.
//
// Failure: an unexpected exception (a bug, not a LanesError) inside a state-changing call, or in
// the turn-end and tick work, may leave the coordinator half way through a mutation. Its state is
// shared by every group of the shard (one timer wheel, one set of parked requests, the pending
// group-commit batch), so no single group can be cut out with confidence: the whole coordinator
// goes offline (classifyFailure), every parked and queued request is answered
// COORDINATOR_NOT_AVAILABLE, and so is every later one, while the shard's partitions keep
// serving. Nothing half-applied reaches the log (records are appended only from whole results),
// so a restart replays a consistent state. A read-only call that throws fails only itself.
//
// Storage failures follow the policy of actors/storage/README.md (state_log.ts), as partition logs
// do: a failed write is undone by the log and the results of that group commit are answered with
// its code (their records stay applied in the coordinator's memory, ahead of the log, until a
// restart), and the next commit tries again; a failed fsync or an undoable write takes the offsets
// log offline: every result that writes records is answered KAFKA_STORAGE_ERROR until a restart,
// while reads (OffsetFetch, DescribeGroups, ListGroups) and heartbeats keep being served. Never
// the process.
//
// On start the internal log is replayed into a fresh coordinator (GroupCoordinator.replay), so
// committed offsets and group membership survive a restart; members then expire by their
// session timeouts unless they heartbeat, as in Kafka.
//
// Compaction (Kafka's log cleaner for __consumer_offsets; which records survive is decided by
// core/group/offsets_compaction.ts, where the crash-safety argument is written out): once enough
// bytes were appended since the last snapshot (and at start when the log is mostly superseded),
//
//   read [log start, end) → compactGroupRecords → roll → append the snapshot → flush
//     → deleteRecordsBefore(snapshot base): the log start offset moves past the old records and
//       their segments are deleted.
//
// All of it up to the flush happens in one synchronous step, so no request interleaves; commits
// that arrive during the flush are appended after the snapshot and are unaffected.
import { decodeCall, type CallBody } from '../call_body.js';
import { ErrorCode, isLanesError, LanesError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { decodeSubscription } from '../../core/assignors/consumer_protocol.js';
import { GroupCoordinator, type GroupResult } from '../../core/group/coordinator.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../core/group/group_record.js';
import { compactGroupRecords, compactionDue, type KeyedRecord } from '../../core/group/offsets_compaction.js';
import { groupConfigDefault } from '../../core/group/group_config.js';
import type { RequestId } from '../../core/group/group_api.js';
import { isGroupMethod, type GroupCalls, type GroupMethod, type GroupRequestOf, type GroupResultOf } from '../../core/group/group_calls.js';
import { envelopeHeaderBytes, EnvelopeKind, type EnvelopeHeader } from '../envelope.js';
import type { Logger } from '../logger.js';
import { groupCoordinatorActorId, type Actor, type ActorFailure, type ReplySink } from './actor.js';
import type { PartitionLog } from './partition_actor.js';
import { groupEvents } from './group_event_buffer.js';
import { readKeyedRecords, StateLog } from './state_log.js';
import { defaultAssignmentKernel } from '../../wasm/assignors.js';

/**
 * How the actor serves one call. A state-changing call returns the coordinator's GroupResult: its
 * records are persisted before its replies go out, and a reply may come in a later call's result
 * (a parked JoinGroup). A read-only call answers at once.
 */
type Dispatch<M extends GroupMethod> =
  | { readonly mutates: true; run(coordinator: GroupCoordinator, nowMs: number, requestId: RequestId, request: GroupRequestOf<M>): GroupResult }
  | { readonly mutates: false; run(coordinator: GroupCoordinator, request: GroupRequestOf<M>): GroupResultOf<M> };

/** Every call of core/group/group_calls.ts, mapped to the coordinator. */
const dispatch: { readonly [M in GroupMethod]: Dispatch<M> } = {
  joinGroup: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.joinGroup(nowMs, requestId, request) },
  syncGroup: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.syncGroup(nowMs, requestId, request) },
  heartbeat: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.heartbeat(nowMs, requestId, request) },
  leaveGroup: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.leaveGroup(nowMs, requestId, request) },
  offsetCommit: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.offsetCommit(nowMs, requestId, request) },
  offsetDelete: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.offsetDelete(nowMs, requestId, request) },
  txnOffsetsCommit: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.txnOffsetsCommit(nowMs, requestId, request) },
  deleteGroups: { mutates: true, run: (coordinator, nowMs, requestId, groupIds) => coordinator.deleteGroups(nowMs, requestId, groupIds) },
  offsetFetch: { mutates: false, run: (coordinator, request) => coordinator.offsetFetch(request) },
  validateTxnOffsetCommit: { mutates: false, run: (coordinator, request) => coordinator.validateTxnOffsetCommit(request) },
  describeGroups: { mutates: false, run: (coordinator, groupIds) => coordinator.describeGroups(groupIds) },
  listGroups: { mutates: false, run: (coordinator, statesFilter) => coordinator.listGroups(statesFilter) },
  consumerGroupHeartbeat: { mutates: true, run: (coordinator, nowMs, requestId, request) => coordinator.consumerGroupHeartbeat(nowMs, requestId, request) },
  consumerGroupDescribe: { mutates: false, run: (coordinator, groupIds) => coordinator.consumerGroupDescribe(groupIds) },
};

/** After a compaction could not write its snapshot (a full disk), the wait before the next try. */
const compactionRetryDelayMs = 10_000;

export interface OffsetsCompaction {
  readonly recordsBefore: number;
  readonly recordsAfter: number;
  readonly bytesBefore: number;
  readonly snapshotBytes: number;
}

export class GroupActor implements Actor {
  readonly actorId = groupCoordinatorActorId;
  readonly label = 'group coordinator';
  readonly #coordinator: GroupCoordinator;
  readonly #stateLog: StateLog;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** A compaction that failed to write waits until then before trying again. */
  #compactionRetryAtMs = 0;
  #closed = false;
  /** The state-changing request being handled (still set if it threw), for classifyFailure. */
  #mutating: string | null = null;
  /** Taken offline after a failure (classifyFailure): no more appends, compactions or ticks. */
  #offline = false;
  /** The request whose failure took the coordinator offline: the runtime answers that one. */
  #failedRequestId: number | null = null;
  readonly #compactionBytesMin: number;
  /** The compaction whose snapshot is being flushed; one at a time. */
  #compacting: Promise<OffsetsCompaction> | null = null;

  private constructor(coordinator: GroupCoordinator, log: PartitionLog, sink: ReplySink, clock: Clock, logger: Logger, compactionBytesMin: number) {
    this.#coordinator = coordinator;
    this.#stateLog = new StateLog({
      log,
      sink,
      clock,
      logger,
      actorId: groupCoordinatorActorId,
      name: 'offsets log',
      offlineConsequence: 'group changes and offset commits',
    });
    this.#clock = clock;
    this.#logger = logger;
    this.#compactionBytesMin = compactionBytesMin;
  }

  /** Replays the internal log into a coordinator; `partitionCount` answers from the host's topics. */
  static open(options: {
    log: PartitionLog;
    sink: ReplySink;
    clock: Clock;
    logger: Logger;
    config?: Partial<GroupConfig>;
    partitionCount: (topic: string) => number | undefined;
    /** Every topic's name, for consumer-protocol regex subscriptions. */
    topicNames?: () => readonly string[];
  }): GroupActor {
    const keyed = readKeyedRecords(options.log);
    const records: GroupRecord[] = keyed.map((record) => decodeGroupRecord(record.key, record.value));
    const coordinator = GroupCoordinator.replay(records, options.clock.nowMs(), {
      config: options.config,
      partitionCount: options.partitionCount,
      topicNames: options.topicNames,
      assignmentKernel: defaultAssignmentKernel,
      decodeSubscribedTopics: (metadata) => {
        try {
          return decodeSubscription(metadata).topics;
        } catch {
          return undefined;
        }
      },
    });
    options.logger.info({ records: records.length, logBytes: options.log.sizeBytes }, 'group coordinator loaded');
    const compactionBytesMin = options.config?.offsetsCompactionBytesMin ?? groupConfigDefault.offsetsCompactionBytesMin;
    const actor = new GroupActor(coordinator, options.log, options.sink, options.clock, options.logger, compactionBytesMin);
    // What the last snapshot was is not recorded; estimate the live bytes from the share of
    // records that survive, so a start compacts when most of the log is superseded.
    const liveShare = keyed.length === 0 ? 0 : compactGroupRecords(keyed).length / keyed.length;
    actor.#stateLog.snapshotBytes = Math.round(options.log.sizeBytes * liveShare);
    actor.#stateLog.dirtyBytes = options.log.sizeBytes - actor.#stateLog.snapshotBytes;
    actor.#compactIfDue();
    return actor;
  }

  /** Bytes appended since the last snapshot, and that snapshot's size (tests and diagnostics). */
  get compactionState(): { dirtyBytes: number; snapshotBytes: number; compacting: boolean } {
    return { dirtyBytes: this.#stateLog.dirtyBytes, snapshotBytes: this.#stateLog.snapshotBytes, compacting: this.#compacting !== null };
  }

  #compactIfDue(): void {
    if (this.#compacting !== null || this.#closed || this.#offline || this.#stateLog.offline !== null) return;
    if (this.#clock.nowMs() < this.#compactionRetryAtMs) return;
    if (!compactionDue(this.#stateLog.dirtyBytes, this.#stateLog.snapshotBytes, this.#compactionBytesMin)) return;
    void this.compact().catch(() => undefined);
  }

  /**
   * Rewrites the log as its latest record per key (see the file comment); resolves once the old
   * records are gone. A compaction already running is returned instead of starting another.
   */
  compact(): Promise<OffsetsCompaction> {
    if (this.#compacting !== null) return this.#compacting;
    const log = this.#stateLog.log;
    const bytesBefore = log.sizeBytes;
    const records = readKeyedRecords(log);
    const kept = compactGroupRecords(records);
    let written: Promise<void>;
    try {
      written = this.#stateLog.writeSnapshot(kept);
    } catch (error) {
      // A segment could not be created (a full disk): what was appended of the snapshot is only
      // a repeat of the latest records, harmless to replay; try again later.
      if (log.failure === null && isLanesError(error)) this.#logger.warn({ err: error }, 'offsets log compaction could not start its snapshot; trying again later');
      this.#compactionRetryAtMs = this.#clock.nowMs() + compactionRetryDelayMs;
      return Promise.reject(error);
    }
    const compaction = { recordsBefore: records.length, recordsAfter: kept.length, bytesBefore, snapshotBytes: this.#stateLog.snapshotBytes };
    this.#compacting = written.then(
      () => {
        this.#compacting = null;
        this.#logger.info({ ...compaction, bytesAfter: log.sizeBytes }, 'offsets log compacted');
        return compaction;
      },
      (error: unknown) => {
        // A failed write was undone by the log (the snapshot is gone, the old records stay): try
        // again later. A failed fsync took the offsets log offline, as for any flush.
        this.#compacting = null;
        if (log.failure === null) this.#logger.warn({ err: error }, 'offsets log compaction could not write its snapshot; trying again later');
        this.#compactionRetryAtMs = this.#clock.nowMs() + compactionRetryDelayMs;
        throw error;
      },
    );
    return this.#compacting;
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    if (header.kind !== EnvelopeKind.Call) throw new LanesError(ErrorCode.INVALID_REQUEST, `group coordinator cannot handle envelope kind ${header.kind}`);
    this.#mutating = null;
    const call = decodeCall<GroupCalls>(envelope.subarray(envelopeHeaderBytes));
    const method: string = call.method;
    if (!isGroupMethod(method)) throw new LanesError(ErrorCode.INVALID_REQUEST, `group coordinator has no method ${method}`);
    this.#dispatch(call, header.correlationId);
  }

  #dispatch<M extends GroupMethod>(call: CallBody<GroupCalls, M>, correlationId: number): void {
    const entry: Dispatch<M> = dispatch[call.method];
    if (entry.mutates) {
      // Until its result is queued for the log, a failure may leave the coordinator's memory
      // ahead of what will be stored: classifyFailure takes the coordinator offline.
      this.#mutating = call.method;
      this.#apply(entry.run(this.#coordinator, this.#clock.nowMs(), correlationId, call.args[0]));
      this.#mutating = null;
      return;
    }
    this.#stateLog.replyValue(correlationId, entry.run(this.#coordinator, call.args[0]));
  }

  #apply(result: GroupResult): void {
    for (const event of result.events) {
      this.#logger.info({ ...event }, event.type === 'rebalance' ? 'group rebalanced' : 'group member removed');
      groupEvents.record(event);
    }
    let bytes = 0;
    const records = result.records.map((record): KeyedRecord => {
      const { key, value } = encodeGroupRecord(record);
      bytes += key.length + (value?.length ?? 0);
      return { key, value };
    });
    this.#stateLog.queue(records, bytes, result.replies.map((reply) => ({ correlationId: Number(reply.requestId), value: reply.response })));
  }

  classifyFailure(error: unknown, header: EnvelopeHeader | null): ActorFailure {
    const reason = error instanceof Error ? error.message : String(error);
    const mutating = this.#mutating;
    this.#mutating = null;
    if (header !== null && mutating === null) {
      // Decoding the request or a read-only call: nothing was changed.
      return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: `group coordinator failed: ${reason}`, offline: false };
    }
    this.#failedRequestId = header?.correlationId ?? null;
    const during = mutating ?? 'housekeeping';
    return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: `group coordinator offline after ${during} failed: ${reason}`, offline: true };
  }

  takeOffline(failure: ActorFailure): void {
    this.#offline = true;
    // Results not appended yet: their records never reach the log, so nobody is told success.
    this.#stateLog.halt(failure.errorCode, failure.message);
    for (const requestId of this.#coordinator.parkedRequests()) {
      if (Number(requestId) !== this.#failedRequestId) this.#stateLog.replyError(Number(requestId), failure.errorCode, failure.message);
    }
    // Replies whose records are appended (whole results from before the failure) still go out
    // once durable.
    this.#stateLog.flushIfAwaiting();
    this.#stateLog.publish();
  }

  endTurn(): void {
    this.#tickIfDue(this.#clock.nowMs());
    this.#stateLog.appendPending();
    this.#compactIfDue();
    this.#stateLog.flushIfAwaiting();
  }

  /** Why the offsets log is offline, or null (tests and diagnostics). */
  get offline(): string | null {
    return this.#stateLog.offline;
  }

  #tickIfDue(nowMs: number): void {
    const deadline = this.#coordinator.nextDeadlineMs();
    if (deadline !== undefined && deadline <= nowMs) this.#apply(this.#coordinator.tick(nowMs));
  }

  nextDeadlineMs(): number | undefined {
    return this.#coordinator.nextDeadlineMs();
  }

  /**
   * The host published a new topic catalogue: consumer-protocol groups subscribed to a topic
   * that appeared, went or grew get a new group epoch (their records go out like a tick's).
   */
  topicsChanged(): void {
    if (this.#closed || this.#offline) return;
    this.#apply(this.#coordinator.topicsChanged(this.#clock.nowMs()));
    this.#stateLog.appendPending();
    this.#stateLog.flushIfAwaiting();
    this.#stateLog.publish();
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
