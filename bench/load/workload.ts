// The load generator: many producer connections writing PRE-ENCODED Produce frames (record
// batches built once with core/records encodeRecordBatch, request frames once with
// core/protocol encodeRequestFrame), and readers fetching what was written, plainly or as a
// consumer group that joins, syncs (range assignor), fetches its partitions and commits.
//
// Modes (see README.md for the full API):
//   produce     producers send `records` as fast as acks allow (inFlight requests per connection)
//   consume     the topic is filled first (untimed), then consumers read it all; timed
//   end-to-end  producers and consumers run together; timed until the last record is read
//   latency     producers send one batch at a time at a fixed rate (ratePerSecond records/s),
//               paced by pacer.ts (a ~1 ms timer tick sends every batch due before the next
//               tick); latency is measured per batch from min(intended, actually sent): a late
//               batch from its INTENDED send time, so a stall of the broker (or of this
//               generator) counts against every batch that should have gone out during it
//               (this avoids coordinated omission, where a stalled system skips the samples
//               that would have shown the stall); a batch sent
//               up to a tick early from when it really went. Consumers read the batches back;
//               that base time travels in the first record's value, so end-to-end latency is
//               measured too. With a group, sending starts once its first rebalance is over
//               (every member stable, every partition owned), as bench/e2e waits for the real
//               clients' members: a record sent while members still join waits for them.
//
// Everything runs on the caller's event loop: producers and consumers are asynchronous loops
// over non-blocking sockets. The broker under test should be another process
// (broker_process.ts).
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert.js';
import { ErrorCode, errorCodeName } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { decodeResponse } from '../../core/protocol/codec.js';
import { decodeResponseHeader, responseHeaderVersion } from '../../core/protocol/header.js';
import { Reader } from '../../core/protocol/reader.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { crc32c } from '../../core/records/crc32c.js';
import { BatchField, readInt32, readInt64, writeInt32 } from '../../core/records/record_batch.js';
import { readVarint, readVarlong, type Cursor } from '../../core/records/varint.js';
import { KafkaConnection } from '../../actors/net/kafka_client.js';
import { GroupMember } from './group_member.js';
import { LatencyRecorder, type LatencySummary } from './latency_recorder.js';
import { pace, type Pacer } from './pacer.js';
import { encodeFrameBuffer, WireConnection } from './wire_connection.js';
import { fetchByNameVersionMax } from '../../core/protocol/messages/fetch.js';
import { produceByNameVersionMax } from '../../core/protocol/messages/produce.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

export type WorkloadMode = 'produce' | 'consume' | 'end-to-end' | 'latency';

export interface WorkloadOptions {
  /** "host:port" of the broker; the first one is used. */
  brokers: string[];
  mode: WorkloadMode;
  /** Records to produce (produce, consume, end-to-end). Default 1,000,000. */
  records?: number;
  /** Bytes of each record's value (keys are null). Default 100. */
  recordBytes?: number;
  /** Records per RecordBatch. Default: 128 KiB of values per batch (throughput), 10 (latency). */
  recordsPerBatch?: number;
  /** Partitions of the topic. Default 8. */
  partitions?: number;
  /** Producer connections. Default 2. */
  producers?: number;
  /** Fetching connections (consume, end-to-end, latency). Default 1; 0 in latency measures acks only. */
  consumers?: number;
  /** Default -1 (all in-sync replicas; with one node: in the log). */
  acks?: -1 | 0 | 1;
  /** Consumers join this group (JoinGroup/SyncGroup/commit); null: plain fetchers. Default 'lanes-load'. */
  groupId?: string | null;
  /** Latency mode: records per second, over all producers. Default 10,000. */
  ratePerSecond?: number;
  /** Latency mode: how long to send (default 10 s). Throughput modes: stop producing after this. */
  durationMs?: number;
  /** Latency mode: batches intended before this are not counted. Default 1000. */
  warmupMs?: number;
  /** Produce requests in flight per producer connection (throughput modes). Default 4. */
  inFlightPerProducer?: number;
  /** Fetch response size limit. Default 16 MiB (partitionMaxBytes 4 MiB). */
  fetchMaxBytes?: number;
  /** Topic name; default a fresh one per run. */
  topic?: string;
  /** Called every progressIntervalMs (default 250) while running. */
  onProgress?: (progress: WorkloadProgress) => void;
  progressIntervalMs?: number;
}

export interface WorkloadProgress {
  phase: 'fill' | 'run' | 'drain';
  producedRecords: number;
  consumedRecords: number;
  /** Records the phase aims for (latency: the records the schedule sends). */
  targetRecords: number;
  elapsedMs: number;
}

export interface ThroughputFigures {
  records: number;
  /** Bytes of record values (records × recordBytes). */
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  /** 10^6 bytes of record values per second. */
  mbPerSecond: number;
}

export interface WorkloadResult extends ThroughputFigures {
  mode: WorkloadMode;
  /** Latency mode: send (min(intended, actual), pacer.ts) → Produce response, per batch. */
  latencyMs?: LatencySummary;
  /** Latency mode with consumers: send (as above) → the Fetch response carrying the batch. */
  endToEndLatencyMs?: LatencySummary;
  /** Latency mode: intended send → written to the socket when later (the generator's own lateness; 0 when on time or early). */
  sendLagMs?: LatencySummary;
  produced: ThroughputFigures;
  consumed: ThroughputFigures | null;
  /** The parameters after defaults, for the result's record. */
  parameters: Required<Omit<WorkloadOptions, 'onProgress' | 'durationMs' | 'ratePerSecond' | 'groupId'>> & {
    durationMs: number | null;
    ratePerSecond: number | null;
    groupId: string | null;
    batchBytes: number;
  };
}

export const clientId = 'lanes-load';
const KiB = 1024;
const MiB = 1024 * KiB;

function figures(records: number, recordBytes: number, seconds: number): ThroughputFigures {
  const bytes = records * recordBytes;
  return {
    records,
    bytes,
    seconds,
    recordsPerSecond: seconds > 0 ? records / seconds : 0,
    mbPerSecond: seconds > 0 ? bytes / seconds / 1e6 : 0,
  };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`runWorkload: ${name} must be a positive integer, got ${value}`);
  return value;
}

export function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw new RangeError(`runWorkload: broker address must be host:port, got ${JSON.stringify(address)}`);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`runWorkload: bad port in ${JSON.stringify(address)}`);
  return { host: address.slice(0, colon), port };
}

/** Shared state of one run. */
interface Run {
  host: string;
  port: number;
  topic: string;
  partitions: number;
  produceVersion: number;
  fetchVersion: number;
  recordBytes: number;
  producedRecords: number;
  consumedRecords: number;
  /** Set when producing is over and `producedRecords` is final. */
  producingDone: boolean;
  failure: Error | null;
  /** Resolves when every consumer may stop. */
  consumersDone: () => boolean;
  ackLatency: LatencyRecorder;
  endToEndLatency: LatencyRecorder;
  sendLag: LatencyRecorder;
  /** Latency mode: batches intended before this time are not recorded. */
  recordAfterMs: number;
}

export async function runWorkload(options: WorkloadOptions): Promise<WorkloadResult> {
  const mode = options.mode;
  if (!['produce', 'consume', 'end-to-end', 'latency'].includes(mode)) throw new RangeError(`runWorkload: unknown mode ${String(mode)}`);
  if (options.brokers.length === 0) throw new RangeError('runWorkload: brokers must name at least one host:port');
  const recordBytes = positiveInteger('recordBytes', options.recordBytes ?? 100);
  const latencyMode = mode === 'latency';
  const recordsPerBatch = positiveInteger('recordsPerBatch', options.recordsPerBatch ?? (latencyMode ? 10 : Math.max(1, Math.floor((128 * KiB) / recordBytes))));
  const partitions = positiveInteger('partitions', options.partitions ?? 8);
  const producers = positiveInteger('producers', options.producers ?? 2);
  const consumers = mode === 'produce' ? 0 : (options.consumers ?? 1);
  if (!Number.isInteger(consumers) || consumers < 0) throw new RangeError(`runWorkload: consumers must be a non-negative integer, got ${consumers}`);
  if ((mode === 'consume' || mode === 'end-to-end') && consumers === 0) throw new RangeError(`runWorkload: mode ${mode} needs at least one consumer`);
  const acks = options.acks ?? -1;
  if (acks !== -1 && acks !== 0 && acks !== 1) throw new RangeError(`runWorkload: acks must be -1, 0 or 1, got ${String(acks)}`);
  if (latencyMode && acks === 0) throw new RangeError('runWorkload: latency mode measures acknowledgements; acks must be -1 or 1');
  const records = positiveInteger('records', options.records ?? 1_000_000);
  const ratePerSecond = latencyMode ? positiveInteger('ratePerSecond', options.ratePerSecond ?? 10_000) : null;
  const durationMs = options.durationMs ?? (latencyMode ? 10_000 : null);
  const warmupMs = options.warmupMs ?? 1000;
  const inFlightPerProducer = positiveInteger('inFlightPerProducer', options.inFlightPerProducer ?? 4);
  const fetchMaxBytes = positiveInteger('fetchMaxBytes', options.fetchMaxBytes ?? 16 * MiB);
  const groupId = options.groupId === undefined ? 'lanes-load' : options.groupId;
  const topic = options.topic ?? `lanes-load-${process.pid}-${Date.now().toString(36)}`;
  const { host, port } = parseAddress(options.brokers[0]);

  // One batch, built once; every produce request repeats it (latency mode patches a copy).
  const value = new Uint8Array(recordBytes);
  const batch = encodeRecordBatch(
    Array.from({ length: recordsPerBatch }, () => ({ key: null, value: randomFillSync(new Uint8Array(recordBytes)) })),
    { baseTimestamp: Date.now() },
  );
  void value;
  if (batch.length > MiB) {
    throw new RangeError(`runWorkload: a batch of ${recordsPerBatch} × ${recordBytes} B records is ${batch.length} bytes, over the 1 MiB max.message.bytes; lower recordsPerBatch`);
  }
  if (latencyMode && recordBytes < 8) throw new RangeError('runWorkload: latency mode carries the intended send time in the value; recordBytes must be ≥ 8');

  const setup = await KafkaConnection.connect({ host, port, clientId });
  let stopProgress = () => {};
  try {
    await createTopic(setup, topic, partitions);
    const run: Run = {
      host,
      port,
      topic,
      partitions,
      produceVersion: Math.min(setup.version(ApiKey.Produce), produceByNameVersionMax),
      fetchVersion: Math.min(setup.version(ApiKey.Fetch), fetchByNameVersionMax),
      recordBytes,
      producedRecords: 0,
      consumedRecords: 0,
      producingDone: false,
      failure: null,
      consumersDone: () => false,
      ackLatency: new LatencyRecorder(),
      endToEndLatency: new LatencyRecorder(),
      sendLag: new LatencyRecorder(),
      recordAfterMs: 0,
    };
    const started = performance.now();
    let phase: WorkloadProgress['phase'] = mode === 'consume' ? 'fill' : 'run';
    let target = latencyMode ? Math.round(((ratePerSecond ?? 0) * (durationMs ?? 0)) / 1000) : records;
    if (options.onProgress !== undefined) {
      const onProgress = options.onProgress;
      const timer = setInterval(
        () => onProgress({ phase, producedRecords: run.producedRecords, consumedRecords: run.consumedRecords, targetRecords: target, elapsedMs: performance.now() - started }),
        options.progressIntervalMs ?? 250,
      );
      stopProgress = () => clearInterval(timer);
    }
    const layout = producerPartitions(partitions, producers);
    const parameters: WorkloadResult['parameters'] = {
      brokers: options.brokers,
      mode,
      records,
      recordBytes,
      recordsPerBatch,
      partitions,
      producers,
      consumers,
      acks,
      groupId,
      ratePerSecond,
      durationMs,
      warmupMs,
      inFlightPerProducer,
      fetchMaxBytes,
      topic,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      batchBytes: batch.length,
    };

    if (latencyMode) {
      const runStarted = performance.now();
      run.recordAfterMs = runStarted + warmupMs;
      const readers = await startConsumers(run, consumers, groupId, fetchMaxBytes, true);
      // Latency is the steady state's: sending starts once the group's first rebalance is over
      // (records sent while it runs wait for it, a cost the rebalance benchmarks measure).
      await untilSettled(run, readers, groupSettleTimeoutMs);
      const sendStarted = performance.now();
      run.recordAfterMs = sendStarted + warmupMs;
      const intervalMs = (1000 * recordsPerBatch * producers) / (ratePerSecond ?? 1);
      await Promise.all(layout.map((owned, index) => pacedProducer(run, owned, batch, acks, sendStarted + (index * intervalMs) / producers, intervalMs, durationMs ?? 0)));
      run.producingDone = true;
      phase = 'drain';
      run.consumersDone = () => run.consumedRecords >= run.producedRecords;
      await readers.finished;
      const seconds = (performance.now() - sendStarted) / 1000;
      const produced = figures(run.producedRecords, recordBytes, seconds);
      const consumed = consumers > 0 ? figures(run.consumedRecords, recordBytes, seconds) : null;
      failIfFailed(run);
      return {
        mode,
        ...(consumed ?? produced),
        latencyMs: run.ackLatency.summary() ?? undefined,
        endToEndLatencyMs: run.endToEndLatency.summary() ?? undefined,
        sendLagMs: run.sendLag.summary() ?? undefined,
        produced,
        consumed,
        parameters,
      };
    }

    const stopAtMs = durationMs === null ? Infinity : started + durationMs;
    const budget = { recordsLeft: records };
    if (mode === 'consume') {
      await Promise.all(layout.map((owned) => throughputProducer(run, owned, batch, recordsPerBatch, acks, inFlightPerProducer, budget, Infinity)));
      failIfFailed(run);
      phase = 'run';
      target = run.producedRecords;
      run.producingDone = true;
      run.consumersDone = () => run.consumedRecords >= run.producedRecords;
      const consumeStarted = performance.now();
      const readers = await startConsumers(run, consumers, groupId, fetchMaxBytes, false);
      await readers.finished;
      failIfFailed(run);
      const consumed = figures(run.consumedRecords, recordBytes, (readers.lastRecordAtMs() - consumeStarted) / 1000);
      return { mode, ...consumed, produced: figures(run.producedRecords, recordBytes, 0), consumed, parameters };
    }

    run.consumersDone = () => run.producingDone && run.consumedRecords >= run.producedRecords;
    const readers = consumers > 0 ? await startConsumers(run, consumers, groupId, fetchMaxBytes, false) : null;
    const produceStarted = performance.now();
    await Promise.all(layout.map((owned) => throughputProducer(run, owned, batch, recordsPerBatch, acks, inFlightPerProducer, budget, stopAtMs)));
    const produced = figures(run.producedRecords, recordBytes, (performance.now() - produceStarted) / 1000);
    run.producingDone = true;
    failIfFailed(run);
    if (readers === null) return { mode, ...produced, produced, consumed: null, parameters };
    phase = 'drain';
    await readers.finished;
    failIfFailed(run);
    const consumed = figures(run.consumedRecords, recordBytes, (readers.lastRecordAtMs() - produceStarted) / 1000);
    return { mode, ...consumed, produced, consumed, parameters };
  } finally {
    stopProgress();
    setup.close();
  }
}

function failIfFailed(run: Run): void {
  if (run.failure !== null) throw run.failure;
}

export async function createTopic(setup: KafkaConnection, topic: string, partitions: number): Promise<void> {
  const created = await setup.send(ApiKey.CreateTopics, {
    topics: [{ topicName: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  const code = created.topics[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS) throw new Error(`CreateTopics ${topic}: ${errorCodeName(code)}`);
}

/** The partitions each producer writes: round robin; with more producers than partitions, shared. */
export function producerPartitions(partitions: number, producers: number): number[][] {
  const layout: number[][] = Array.from({ length: producers }, () => []);
  for (let partition = 0; partition < Math.max(partitions, producers); partition++) layout[partition % producers].push(partition % partitions);
  for (const owned of layout) assert(owned.length > 0, 'every producer writes at least one partition');
  return layout;
}

function produceFrame(run: Run, partitions: readonly number[], batch: Uint8Array, acks: number, correlationId: number): Buffer {
  return encodeFrameBuffer(ApiKey.Produce, run.produceVersion, correlationId, clientId, {
    transactionalId: null,
    acks,
    timeoutMs: 30_000,
    topics: [{ topicName: run.topic, topicId: zeroTopicId(), partitions: partitions.map((partitionIndex) => ({ partitionIndex, records: batch })) }],
  });
}

/** Throws (into run.failure) when a Produce response carries an error. */
/** A reader at the body of a response frame (size prefix already cut): past the header of its version. */
function responseBodyReader(apiKey: number, apiVersion: number, frame: Uint8Array): Reader {
  const reader = new Reader(frame);
  decodeResponseHeader(reader, responseHeaderVersion(apiKey, apiVersion));
  return reader;
}

export function checkProduceResponse(produceVersion: number, frame: Uint8Array): void {
  const response = decodeResponse(ApiKey.Produce, produceVersion, responseBodyReader(ApiKey.Produce, produceVersion, frame));
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      if (partition.errorCode !== ErrorCode.NONE) {
        throw new Error(`Produce ${topic.topicName}[${partition.partitionIndex}]: ${errorCodeName(partition.errorCode)} ${partition.errorMessage ?? ''}`);
      }
    }
  }
}

/**
 * Sends the pre-encoded request (one batch per owned partition) until the shared budget is
 * spent, keeping `inFlight` requests outstanding; acks = 0 keeps the socket's buffer full instead.
 */
async function throughputProducer(
  run: Run,
  owned: readonly number[],
  batch: Uint8Array,
  recordsPerBatch: number,
  acks: number,
  inFlight: number,
  budget: { recordsLeft: number },
  stopAtMs: number,
): Promise<void> {
  const connection = await WireConnection.connect(run.host, run.port);
  const frame = produceFrame(run, owned, batch, acks, 1);
  const recordsPerRequest = recordsPerBatch * owned.length;
  const take = () => {
    if (budget.recordsLeft <= 0 || run.failure !== null || performance.now() >= stopAtMs) return false;
    budget.recordsLeft -= recordsPerRequest;
    return true;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      connection.onError(reject);
      if (acks === 0) {
        let writing = 0;
        const pump = () => {
          while (!connection.congested && take()) {
            writing++;
            connection.send(frame, () => {
              writing--;
              run.producedRecords += recordsPerRequest;
            });
          }
          if (budget.recordsLeft > 0 && run.failure === null && performance.now() < stopAtMs) void connection.drain().then(pump);
          else void connection.drain().then(function settle(): void {
            if (writing === 0) resolve();
            else setImmediate(settle);
          });
        };
        pump();
        return;
      }
      const onResponse = (response: Uint8Array) => {
        try {
          checkProduceResponse(run.produceVersion, response);
        } catch (error) {
          run.failure ??= error as Error;
          reject(error);
          return;
        }
        run.producedRecords += recordsPerRequest;
        if (take()) connection.request(frame, onResponse);
        else if (connection.inFlight === 0) resolve();
      };
      let started = 0;
      while (started < inFlight && take()) {
        connection.request(frame, onResponse);
        started++;
      }
      if (started === 0) resolve();
    });
  } finally {
    connection.close();
  }
}

/** Where the first record's value starts inside a batch (latency mode writes a time there). */
function firstValuePosition(batch: Uint8Array): number {
  const cursor: Cursor = { position: BatchField.records };
  readVarint(batch, cursor, batch.length); // record length
  cursor.position += 1; // attributes
  readVarlong(batch, cursor, batch.length); // timestamp delta
  readVarint(batch, cursor, batch.length); // offset delta
  const keyBytes = readVarint(batch, cursor, batch.length);
  if (keyBytes > 0) cursor.position += keyBytes;
  const valueBytes = readVarint(batch, cursor, batch.length);
  assert(valueBytes >= 8, 'the first value holds a float64');
  return cursor.position;
}

/**
 * Latency mode: one batch per request, rotating over the owned partitions, paced by pacer.ts:
 * send k is intended at start + k × interval; a timer tick (~1 ms) sends every batch intended
 * before the next expected tick (so up to a tick early, never needlessly late) and a late tick
 * sends the whole backlog at once. Latencies count from min(intended, actually sent) — the
 * earlier of the two — which the batch carries to the consumers in its first record's value.
 */
async function pacedProducer(run: Run, owned: readonly number[], batch: Uint8Array, acks: number, startMs: number, intervalMs: number, durationMs: number): Promise<void> {
  const connection = await WireConnection.connect(run.host, run.port);
  const frames = owned.map((partition) => produceFrame(run, [partition], batch, acks, 1));
  const batchStart = frames[0].indexOf(Buffer.from(batch.buffer, batch.byteOffset, batch.length));
  assert(batchStart > 0, 'the batch lies inside the frame');
  const valueAt = batchStart + firstValuePosition(batch);
  const recordCount = readInt32(batch, BatchField.recordCount);
  try {
    await new Promise<void>((resolve, reject) => {
      let pacer: Pacer | null = null;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        pacer?.stop();
        reject(error);
      };
      const settle = () => {
        if (pacer !== null && pacer.finished && connection.inFlight === 0) resolve();
      };
      connection.onError(fail);
      pacer = pace(
        { startMs, intervalMs, endMs: startMs + durationMs },
        (send) => {
          if (failed) return;
          if (run.failure !== null) {
            fail(run.failure);
            return;
          }
          const frame = Buffer.from(frames[send.index % frames.length]);
          frame.writeDoubleBE(send.baseMs, valueAt);
          writeInt32(frame, batchStart + BatchField.crc, crc32c(frame, batchStart + BatchField.attributes, batchStart + batch.length));
          const counted = send.baseMs >= run.recordAfterMs;
          if (counted) run.sendLag.record(send.lagMs);
          connection.request(frame, (response) => {
            try {
              checkProduceResponse(run.produceVersion, response);
            } catch (error) {
              run.failure ??= error as Error;
              fail(run.failure);
              return;
            }
            if (counted) run.ackLatency.record(performance.now() - send.baseMs);
            run.producedRecords += recordCount;
            settle();
          });
        },
        { onFinished: () => queueMicrotask(settle) },
      );
      if (failed) pacer.stop(); // failed during the first tick, before `pacer` was set
      settle();
    });
  } finally {
    connection.close();
  }
}

interface Readers {
  finished: Promise<void>;
  /** When the last record was read (performance.now()). */
  lastRecordAtMs(): number;
  /** True once every partition is being read: at once for plain fetchers, after the group's first rebalance for members. */
  settled(): boolean;
}

async function startConsumers(run: Run, consumers: number, groupId: string | null, fetchMaxBytes: number, latencyMode: boolean): Promise<Readers> {
  let lastRecordAtMs = performance.now();
  const onRead = () => {
    lastRecordAtMs = performance.now();
  };
  const loops: Promise<void>[] = [];
  const members: GroupMember[] = [];
  for (let index = 0; index < consumers; index++) {
    const fetchConnection = await WireConnection.connect(run.host, run.port);
    if (groupId === null) {
      const owned: number[] = [];
      for (let partition = index; partition < run.partitions; partition += consumers) owned.push(partition);
      loops.push(fetchLoop(run, fetchConnection, owned, null, fetchMaxBytes, latencyMode, onRead));
    } else {
      const member = new GroupMember({ host: run.host, port: run.port, clientId: `${clientId}-${index}` }, { groupId, topic: run.topic });
      members.push(member);
      loops.push(
        fetchLoop(run, fetchConnection, [], member, fetchMaxBytes, latencyMode, onRead).finally(async () => {
          await member.leave().catch(() => undefined);
        }),
      );
    }
  }
  // Group members join inside their loops, together, so the first generation includes most of them.
  // A failing member (a bad JoinGroup answer) must fail the run, not the process: in end-to-end
  // mode nobody awaits `finished` until the producers are done, so the rejection is recorded in
  // run.failure (producers stop) and marked handled here; awaiting `finished` still throws it.
  const finished = Promise.all(loops).then(() => undefined);
  finished.catch((error: unknown) => {
    run.failure ??= error instanceof Error ? error : new Error(String(error));
  });
  // Settled: every member stable in one generation, owning every partition between them.
  const settled = () => {
    if (members.length === 0) return true;
    const generation = members[0].generationId;
    if (!members.every((member) => member.stable && member.generationId === generation)) return false;
    const owned = new Set(members.flatMap((member) => member.ownedPartitions()));
    return owned.size === run.partitions;
  };
  return {
    finished,
    lastRecordAtMs: () => lastRecordAtMs,
    settled,
  };
}

/** Resolves once the readers read every partition (the group's first rebalance is over). */
async function untilSettled(run: Run, readers: Readers, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!readers.settled()) {
    if (run.failure !== null) throw run.failure;
    if (performance.now() > deadline) throw new Error(`the consumer group did not settle within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const commitIntervalMs = 1000;
/** How long latency mode waits for its group's first rebalance before failing the run. */
const groupSettleTimeoutMs = 60_000;

/**
 * Fetches `owned` (or the member's assignment) from offset 0 (or the committed offsets) until
 * the run says every consumer is done. One Fetch in flight per connection; the long poll waits
 * at most 100 ms so the loop notices the end promptly.
 */
async function fetchLoop(
  run: Run,
  connection: WireConnection,
  owned: number[],
  member: GroupMember | null,
  fetchMaxBytes: number,
  latencyMode: boolean,
  onRead: () => void,
): Promise<void> {
  const offsets = new Map<number, number>();
  for (const partition of owned) offsets.set(partition, 0);
  let correlationId = 0;
  let lastCommitMs = performance.now();
  const failed = new Promise<never>((_, reject) => connection.onError(reject));
  failed.catch(() => undefined);
  try {
    if (member !== null) {
      member.track(offsets);
      await member.start();
    }
    for (;;) {
      if (run.failure !== null) throw run.failure;
      if (run.consumersDone()) break;
      if (member !== null) {
        if (member.failure !== null) throw member.failure;
        member.polled();
        if (member.assignmentChanged()) {
          const committed = await member.committedOffsets();
          offsets.clear();
          for (const [partition, offset] of committed) offsets.set(partition, offset);
        }
      }
      if (offsets.size === 0) {
        // Nothing assigned (more consumers than partitions): wait for a rebalance or the end.
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      correlationId = (correlationId + 1) & 0x7fff_ffff;
      const partitionMaxBytes = Math.min(4 * MiB, fetchMaxBytes);
      const frame = encodeFrameBuffer(ApiKey.Fetch, run.fetchVersion, correlationId, clientId, {
        clusterId: null,
        replicaId: -1,
        replicaState: { replicaId: -1, replicaEpoch: -1 },
        maxWaitMs: 100,
        minBytes: 1,
        maxBytes: fetchMaxBytes,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topicName: run.topic,
            topicId: new Uint8Array(16),
            partitions: [...offsets].map(([partitionIndex, fetchOffset]) => ({
              partitionIndex,
              currentLeaderEpoch: -1,
              fetchOffset,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes,
              replicaDirectoryId: new Uint8Array(16),
            })),
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      });
      const response = await Promise.race([failed, new Promise<Uint8Array>((resolve) => connection.request(frame, resolve))]);
      const arrivedMs = performance.now();
      const read = readFetchResponse(run, response, offsets, latencyMode ? arrivedMs : null);
      if (read > 0) {
        run.consumedRecords += read;
        onRead();
      }
      if (member !== null && arrivedMs - lastCommitMs >= commitIntervalMs) {
        lastCommitMs = arrivedMs;
        await member.commit(offsets);
      }
    }
    if (member !== null) await member.commit(offsets);
  } finally {
    connection.close();
  }
}

/** Counts the records of a Fetch response and advances `offsets`; returns the records read. */
function readFetchResponse(run: Run, frame: Uint8Array, offsets: Map<number, number>, arrivedMs: number | null): number {
  const response = decodeResponse(ApiKey.Fetch, run.fetchVersion, responseBodyReader(ApiKey.Fetch, run.fetchVersion, frame));
  if (response.errorCode !== ErrorCode.NONE) throw new Error(`Fetch: ${errorCodeName(response.errorCode)}`);
  let read = 0;
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      if (partition.errorCode !== ErrorCode.NONE) throw new Error(`Fetch ${topic.topicName}[${partition.partitionIndex}]: ${errorCodeName(partition.errorCode)}`);
      const fetchOffset = offsets.get(partition.partitionIndex);
      if (fetchOffset === undefined) continue;
      let next = fetchOffset;
      for (const bytes of partition.records ?? []) {
        for (let at = 0; at + BatchField.records <= bytes.length; ) {
          const total = 12 + readInt32(bytes, at + BatchField.batchLength);
          if (at + total > bytes.length) break; // a partial batch at the end of the response
          const baseOffset = readInt64(bytes, at + BatchField.baseOffset);
          const lastOffset = baseOffset + readInt32(bytes, at + BatchField.lastOffsetDelta);
          if (lastOffset >= next) {
            // A batch starting before the fetch offset holds records already read.
            read += lastOffset - Math.max(baseOffset, next) + 1;
            next = lastOffset + 1;
            if (arrivedMs !== null) {
              const batch = bytes.subarray(at, at + total);
              // The send's latency base, min(intended, sent): see pacedProducer.
              const baseMs = new DataView(batch.buffer, batch.byteOffset + firstValuePosition(batch), 8).getFloat64(0);
              if (baseMs >= run.recordAfterMs) run.endToEndLatency.record(arrivedMs - baseMs);
            }
          }
          at += total;
        }
      }
      offsets.set(partition.partitionIndex, next);
    }
  }
  return read;
}
