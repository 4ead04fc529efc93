// Request-rate mode: how many small Produce requests per second the broker serves when a client
// keeps only a few in flight, as real clients do (@platformatic/kafka: 5 per connection; an
// awaited `send` in a loop: 1). Each request carries ONE batch of `recordsPerRequest` records
// (default 1) for one partition. Closed loop: each connection keeps exactly N requests
// outstanding and sends the next the moment a response arrives, so the rate is what the broker
// sustains at that depth, and service time (send → response) is the per-request cost it shows.
//
// One step per N (default 1, 5, 32), each on fresh connections after a warm-up that is not
// counted. Service time is measured from the socket write to the response's arrival; with a
// closed loop there is no intended send time, so no coordinated-omission correction applies.
import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { produceByNameVersionMax } from '../../core/protocol/messages/produce.js';
import { encodeRecordBatch } from '../../core/records/batch_builder.js';
import { KafkaConnection } from '../../actors/net/kafka_client.js';
import { LatencyRecorder, type LatencySummary } from './latency_recorder.js';
import { encodeFrameBuffer, WireConnection } from './wire_connection.js';
import { checkProduceResponse, clientId, createTopic, parseAddress } from './workload.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

export interface RequestRateOptions {
  /** "host:port" of the broker; the first one is used. */
  brokers: string[];
  /** Requests in flight per connection, one step each. Default [1, 5, 32]. */
  inFlightSteps?: number[];
  /** Connections, each with its own partition (round robin). Default 1. */
  connections?: number;
  /** Partitions of the topic. Default: one per connection. */
  partitions?: number;
  /** Records per request (one batch). Default 1. */
  recordsPerRequest?: number;
  /** Bytes of each record's value. Default 100. */
  recordBytes?: number;
  /** -1 or 1 (0 has no response to time). Default -1. */
  acks?: -1 | 1;
  /** Counted time per step. Default 5000 ms. */
  durationMs?: number;
  /** Uncounted time at the start of each step. Default 1000 ms. */
  warmupMs?: number;
  topic?: string;
  /** Called when a step starts. */
  onStep?: (inFlight: number) => void;
  /** The broker's CPU seconds so far (bench/support/process_cpu.ts), or null: CPU per request is then not reported. */
  brokerCpuSeconds?: () => number | null;
}

export interface RequestRateStep {
  inFlight: number;
  connections: number;
  /** Responses that arrived after the warm-up and before the end (service times: those sent after it, too). */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  /** Socket write → response, in ms. */
  serviceMs: LatencySummary;
  /** The broker's CPU time over the counted window per request counted, in µs; null if unknown. */
  brokerCpuUsPerRequest: number | null;
}

export interface RequestRateResult {
  steps: RequestRateStep[];
  parameters: Required<Omit<RequestRateOptions, 'onStep' | 'topic' | 'brokerCpuSeconds'>> & { topic: string; batchBytes: number };
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`runRequestRate: ${name} must be a positive integer, got ${value}`);
  return value;
}

export async function runRequestRate(options: RequestRateOptions): Promise<RequestRateResult> {
  if (options.brokers.length === 0) throw new RangeError('runRequestRate: brokers must name at least one host:port');
  const inFlightSteps = (options.inFlightSteps ?? [1, 5, 32]).map((n) => positiveInteger('inFlightSteps', n));
  const connections = positiveInteger('connections', options.connections ?? 1);
  const partitions = positiveInteger('partitions', options.partitions ?? connections);
  const recordsPerRequest = positiveInteger('recordsPerRequest', options.recordsPerRequest ?? 1);
  const recordBytes = positiveInteger('recordBytes', options.recordBytes ?? 100);
  const acks = options.acks ?? -1;
  if (acks !== -1 && acks !== 1) throw new RangeError(`runRequestRate: acks must be -1 or 1, got ${String(acks)}`);
  const durationMs = positiveInteger('durationMs', options.durationMs ?? 5000);
  const warmupMs = options.warmupMs ?? 1000;
  const topic = options.topic ?? `lanes-rate-${process.pid}-${Date.now().toString(36)}`;
  const { host, port } = parseAddress(options.brokers[0]);
  const batch = encodeRecordBatch(
    Array.from({ length: recordsPerRequest }, () => ({ key: null, value: randomFillSync(new Uint8Array(recordBytes)) })),
    { baseTimestamp: Date.now() },
  );

  const setup = await KafkaConnection.connect({ host, port, clientId });
  try {
    await createTopic(setup, topic, partitions);
    const produceVersion = Math.min(setup.version(ApiKey.Produce), produceByNameVersionMax);
    const frames = Array.from({ length: partitions }, (_, partitionIndex) =>
      encodeFrameBuffer(ApiKey.Produce, produceVersion, 1, clientId, {
        transactionalId: null,
        acks,
        timeoutMs: 30_000,
        topics: [{ topicName: topic, topicId: zeroTopicId(), partitions: [{ partitionIndex, records: batch }] }],
      }),
    );
    const steps: RequestRateStep[] = [];
    for (const inFlight of inFlightSteps) {
      options.onStep?.(inFlight);
      steps.push(await runStep(host, port, frames, produceVersion, connections, inFlight, warmupMs, durationMs, options.brokerCpuSeconds ?? (() => null)));
    }
    return {
      steps,
      parameters: { brokers: options.brokers, inFlightSteps, connections, partitions, recordsPerRequest, recordBytes, acks, durationMs, warmupMs, topic, batchBytes: batch.length },
    };
  } finally {
    setup.close();
  }
}

async function runStep(
  host: string,
  port: number,
  frames: Buffer[],
  produceVersion: number,
  connections: number,
  inFlight: number,
  warmupMs: number,
  durationMs: number,
  brokerCpuSeconds: () => number | null,
): Promise<RequestRateStep> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => WireConnection.connect(host, port)));
  const service = new LatencyRecorder();
  const startedMs = performance.now();
  const countFromMs = startedMs + warmupMs;
  const stopAtMs = countFromMs + durationMs;
  let counted = 0;
  let cpuAtStart: number | null = null;
  let cpuAtEnd: number | null = null;
  const cpuStart = setTimeout(() => (cpuAtStart = brokerCpuSeconds()), warmupMs);
  const cpuEnd = setTimeout(() => (cpuAtEnd = brokerCpuSeconds()), warmupMs + durationMs);
  try {
    await Promise.all(
      sockets.map(
        (connection, index) =>
          new Promise<void>((resolve, reject) => {
            const frame = frames[index % frames.length];
            // Send times of the requests in flight, oldest first: responses come in request order.
            const sentAt = new Float64Array(inFlight);
            let oldest = 0;
            let newest = 0;
            const send = () => {
              sentAt[newest] = performance.now();
              newest = (newest + 1) % inFlight;
              connection.request(frame, onResponse);
            };
            const onResponse = (response: Uint8Array) => {
              const nowMs = performance.now();
              const sentMs = sentAt[oldest];
              oldest = (oldest + 1) % inFlight;
              try {
                checkProduceResponse(produceVersion, response);
              } catch (error) {
                reject(error as Error);
                return;
              }
              if (nowMs >= countFromMs && nowMs <= stopAtMs) {
                counted++;
                if (sentMs >= countFromMs) service.record(nowMs - sentMs);
              }
              if (nowMs < stopAtMs) send();
              else if (connection.inFlight === 0) resolve();
            };
            connection.onError(reject);
            for (let i = 0; i < inFlight; i++) send();
          }),
      ),
    );
  } finally {
    clearTimeout(cpuStart);
    clearTimeout(cpuEnd);
    // The last response may beat a late end-of-window timer: read the CPU now then.
    if (cpuAtEnd === null && cpuAtStart !== null) cpuAtEnd = brokerCpuSeconds();
    for (const connection of sockets) connection.close();
  }
  const seconds = durationMs / 1000;
  const serviceMs = service.summary() ?? { count: 0, p50: Number.NaN, p99: Number.NaN, p999: Number.NaN, max: Number.NaN };
  // The CPU window is read on timers (±a tick of the window's 1–5 s): plenty for a per-request cost.
  const brokerCpuUsPerRequest = cpuAtStart === null || cpuAtEnd === null || counted === 0 ? null : ((cpuAtEnd - cpuAtStart) * 1e6) / counted;
  return { inFlight, connections, requests: counted, seconds, requestsPerSecond: counted / seconds, serviceMs, brokerCpuUsPerRequest };
}
