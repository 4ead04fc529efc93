// The group coordinator actor: one per shard, owning every group whose id hashes to the shard
// (host/shard_router.ts). It runs core/group's pure state machine and makes its decisions real:
//
//   request (Call envelope) → GroupCoordinator.<api>(now, correlationId, request) → GroupResult
//     records → appended to this shard's internal offsets log (Kafka's __consumer_offsets),
//               one RecordBatch per result, keys and values from encodeGroupRecord;
//     replies → sent once the records they depend on are durable under the flush policy (an
//               acknowledged commit survives kill -9), or at once when the result wrote nothing;
//     events  → rebalance telemetry through pino.
//
// On start the internal log is replayed into a fresh coordinator (GroupCoordinator.replay), so
// committed offsets and group membership survive a restart; members then expire by their
// session timeouts unless they heartbeat, as in Kafka.
import { deserialize, serialize } from 'node:v8';
import { ErrorCode, LanesError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { decodeSubscription } from '../../core/assignors/consumer_protocol.js';
import { GroupCoordinator, type GroupResult } from '../../core/group/coordinator.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import { decodeGroupRecord, encodeGroupRecord, type GroupRecord } from '../../core/group/group_record.js';
import type { GroupReply } from '../../core/group/group_api.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { readRecords } from '../../core/records/record_reader.js';
import { dataViewOf, envelopeHeaderBytes, EnvelopeKind, writeEnvelopeHeader, type EnvelopeHeader } from '../envelope.js';
import type { Logger } from '../logger.js';
import { groupCoordinatorActorId, type Actor, type ReplySink } from './actor.js';
import type { PartitionLog } from './partition_actor.js';
import { groupEvents } from './group_event_buffer.js';

/** Requests that change state: they may write records and park. */
const mutatingApis = new Set(['joinGroup', 'syncGroup', 'heartbeat', 'leaveGroup', 'offsetCommit', 'offsetDelete', 'deleteGroups']);

export class GroupActor implements Actor {
  readonly actorId = groupCoordinatorActorId;
  readonly #coordinator: GroupCoordinator;
  readonly #log: PartitionLog;
  readonly #sink: ReplySink;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Replies waiting for the flush that makes their records durable. */
  #awaitingFlush: GroupReply[] = [];
  #flushing: Promise<void> | null = null;
  #closed = false;

  private constructor(coordinator: GroupCoordinator, log: PartitionLog, sink: ReplySink, clock: Clock, logger: Logger) {
    this.#coordinator = coordinator;
    this.#log = log;
    this.#sink = sink;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Replays the internal log into a coordinator; `partitionCount` answers from the host's topics. */
  static open(options: {
    log: PartitionLog;
    sink: ReplySink;
    clock: Clock;
    logger: Logger;
    config?: Partial<GroupConfig>;
    partitionCount: (topic: string) => number | undefined;
  }): GroupActor {
    const records: GroupRecord[] = [];
    for (let offset = options.log.logStartOffset; offset < options.log.highWatermark; ) {
      const { batches } = options.log.read(offset, 8 * 1024 * 1024);
      if (batches.length === 0) break;
      for (const batch of batches) {
        for (const record of readRecords(batch)) {
          if (record.key !== null) records.push(decodeGroupRecord(record.key, record.value));
          offset = record.offset + 1;
        }
      }
    }
    const coordinator = GroupCoordinator.replay(records, options.clock.nowMs(), {
      config: options.config,
      partitionCount: options.partitionCount,
      decodeSubscribedTopics: (metadata) => {
        try {
          return decodeSubscription(metadata).topics;
        } catch {
          return undefined;
        }
      },
    });
    options.logger.info({ records: records.length }, 'group coordinator loaded');
    return new GroupActor(coordinator, options.log, options.sink, options.clock, options.logger);
  }

  receive(envelope: Uint8Array, header: EnvelopeHeader): void {
    if (header.kind !== EnvelopeKind.Call) throw new LanesError(ErrorCode.INVALID_REQUEST, `group coordinator cannot handle envelope kind ${header.kind}`);
    const { method, args } = deserialize(envelope.subarray(envelopeHeaderBytes)) as { method: string; args: unknown[] };
    const nowMs = this.#clock.nowMs();
    const coordinator = this.#coordinator as unknown as Record<string, (...callArgs: unknown[]) => unknown>;
    if (mutatingApis.has(method)) {
      this.#apply(coordinator[method].call(this.#coordinator, nowMs, header.correlationId, args[0]) as GroupResult);
      return;
    }
    let value: unknown;
    switch (method) {
      case 'offsetFetch':
        value = this.#coordinator.offsetFetch(args[0] as Parameters<GroupCoordinator['offsetFetch']>[0]);
        break;
      case 'describeGroups':
        value = this.#coordinator.describeGroups(args[0] as string[]);
        break;
      case 'listGroups':
        value = this.#coordinator.listGroups(args[0] as string[]);
        break;
      default:
        throw new LanesError(ErrorCode.INVALID_REQUEST, `group coordinator has no method ${method}`);
    }
    this.#replyValue(header.correlationId, value);
  }

  #apply(result: GroupResult): void {
    for (const event of result.events) {
      this.#logger.info({ ...event }, event.type === 'rebalance' ? 'group rebalanced' : 'group member removed');
      groupEvents.record(event);
    }
    if (result.records.length > 0) {
      const batch = encodeRecordBatch(
        result.records.map((record) => {
          const { key, value } = encodeGroupRecord(record);
          return { key, value };
        }),
        { baseTimestamp: this.#clock.nowMs() },
      );
      this.#log.append(batch, 0, batch.length);
    }
    if (result.records.length > 0 && this.#log.flushBeforeAck) {
      this.#awaitingFlush.push(...result.replies);
      return;
    }
    for (const reply of result.replies) this.#replyValue(Number(reply.requestId), reply.response);
  }

  #replyValue(correlationId: number, value: unknown): void {
    const body = serialize({ ok: true, value });
    this.#sink.reply(envelopeHeaderBytes + body.length, (view) => {
      writeEnvelopeHeader(dataViewOf(view), EnvelopeKind.CallResult, this.actorId, correlationId);
      view.set(body, envelopeHeaderBytes);
    });
  }

  endTurn(): void {
    this.#tickIfDue(this.#clock.nowMs());
    if (this.#awaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
  }

  #startFlush(): void {
    const replies = this.#awaitingFlush;
    this.#awaitingFlush = [];
    this.#flushing = this.#log.flush().then(
      () => {
        for (const reply of replies) this.#replyValue(Number(reply.requestId), reply.response);
        this.#sink.publish();
        this.#flushing = null;
        if (this.#awaitingFlush.length > 0) this.#startFlush();
      },
      (error: unknown) => {
        // Not durable: the coordinator's memory is ahead of its log. Stop loudly rather than
        // acknowledge commits a restart would lose.
        this.#logger.fatal({ err: error }, 'offsets log flush failed');
        setImmediate(() => {
          throw error;
        });
      },
    );
  }

  #tickIfDue(nowMs: number): void {
    const deadline = this.#coordinator.nextDeadlineMs();
    if (deadline !== undefined && deadline <= nowMs) this.#apply(this.#coordinator.tick(nowMs));
  }

  nextDeadlineMs(): number | undefined {
    return this.#coordinator.nextDeadlineMs();
  }

  tick(nowMs: number): void {
    this.#tickIfDue(nowMs);
    this.#log.tick(nowMs);
    if (this.#awaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
    this.#sink.publish();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#awaitingFlush.length > 0 && this.#flushing === null) this.#startFlush();
    await this.#flushing;
    await this.#log.close();
  }
}
