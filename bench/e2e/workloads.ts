// What `lanes bench` measures and what a measurement holds, shared by the runner and every
// system driver. Pure data: no sockets, no timers.
import type { LatencySummary } from '../load/latency_recorder.js';
import type { ServiceSummary } from './broker_service.js';

export type WorkloadKind = 'produce' | 'consume' | 'end-to-end' | 'latency';

export interface Workload {
  /** Stable name in tables and JSON: produce, consume, end-to-end, latency-10k, … */
  id: string;
  kind: WorkloadKind;
  /** Records to produce (throughput kinds); the same for every system. */
  records: number;
  recordBytes: number;
  /** Producer connections (clients). */
  producers: number;
  /** K: consumers in one group. */
  consumers: number;
  /** Records per producer call in throughput kinds: 128 KiB of values, as the wire generator. */
  recordsPerSend: number;
  /** Producer calls outstanding per producer (pipelines, requests, publish windows). */
  inFlightPerProducer: number;
  /** Latency: records per second over all producers; null otherwise. */
  ratePerSecond: number | null;
  /** Latency: sending time, and the warm-up not counted at its start. */
  durationMs: number;
  warmupMs: number;
  /** Latency: records per paced send (one batch, one pipeline, one publish burst). */
  recordsPerTick: number;
  /** Peers give up draining after this long past the end of sending; the result says so. */
  drainTimeoutMs: number;
}

export interface Measurement {
  /** Records counted: consumed (consume, end-to-end, latency), else produced. */
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /** 10^6 bytes of record values per second. */
  mbPerSecond: number;
  /** Latency: send (min(intended, actual), bench/load/pacer.ts) → acknowledged by the system. */
  ackLatencyMs?: LatencySummary;
  /** Latency: send (as above) → handed to a consumer in the group. */
  endToEndLatencyMs?: LatencySummary;
  /** Latency: intended send → actually sent, when later (the generator's own lateness; 0 when on time or early). */
  sendLagMs?: LatencySummary;
  /**
   * Lanes over the wire: the broker's own service time per API for the requests of this run
   * (lanes_request_service_seconds scraped before and after; bucket estimates), beside the
   * client's figures above.
   */
  brokerService?: Record<string, ServiceSummary>;
  /** Set when a run ended short (drain timeout): what happened. */
  note?: string;
}

/** Counters the progress bar reads while a run goes on; drivers only add to them. */
export interface LiveCounters {
  produced: number;
  consumed: number;
}

export interface SystemSession {
  run(workload: Workload, counters: LiveCounters): Promise<Measurement>;
  stop(): Promise<void>;
}

export interface SessionContext {
  /** A fresh temporary directory for this session's server data; removed by the runner. */
  dataDir: string;
  /** Largest data the session will hold, to size memory stores. */
  expectedBytes: number;
}

export interface SystemDriver {
  /** Stable id for --systems and the JSON: lanes-wire, redis-aof, jetstream-file, … */
  id: string;
  /** Shown in tables and the chart. */
  label: string;
  /** What an acknowledgement means for this system, for the caveats. */
  durability: string;
  /** Comparison class: systems are paired with the Lanes variant of the same class. */
  durable: boolean;
  /** Why this system cannot run here (its server binary is missing), or null. */
  missing(): string | null;
  start(context: SessionContext): Promise<SystemSession>;
}

export function figures(records: number, recordBytes: number, seconds: number): Pick<Measurement, 'records' | 'seconds' | 'recordsPerSecond' | 'mbPerSecond'> {
  return {
    records,
    seconds,
    recordsPerSecond: seconds > 0 ? records / seconds : 0,
    mbPerSecond: seconds > 0 ? (records * recordBytes) / seconds / 1e6 : 0,
  };
}

export interface WorkloadPlanOptions {
  records: number;
  recordBytes: number;
  consumers: number;
  producers: number;
  rates: number[];
  latencyDurationMs: number;
  latencyWarmupMs: number;
  /** The single-record latency run: one record per send at this many sends/s (0: none). */
  singleRecordRate: number;
  /** How long past the end of sending a run may drain before it is cut short (and left out). */
  drainTimeoutMs: number;
}

const KiB = 1024;

/** The workloads of one round, in the order each system runs them. */
export function planWorkloads(options: WorkloadPlanOptions): Workload[] {
  const base = {
    records: options.records,
    recordBytes: options.recordBytes,
    producers: options.producers,
    consumers: options.consumers,
    recordsPerSend: Math.max(1, Math.floor((128 * KiB) / options.recordBytes)),
    inFlightPerProducer: 4,
    ratePerSecond: null,
    durationMs: 0,
    warmupMs: 0,
    recordsPerTick: 10,
    drainTimeoutMs: options.drainTimeoutMs,
  };
  const throughput: Workload[] = (['produce', 'consume', 'end-to-end'] as const).map((kind) => ({ ...base, id: kind, kind }));
  const latency: Workload[] = options.rates.map((rate) => ({
    ...base,
    id: `latency-${rateName(rate)}`,
    kind: 'latency',
    ratePerSecond: rate,
    durationMs: options.latencyDurationMs,
    warmupMs: options.latencyWarmupMs,
  }));
  // One record per send: the client's per-call cost and the broker's per-request cost, not
  // batching, decide this one.
  const single: Workload[] =
    options.singleRecordRate > 0
      ? [
          {
            ...base,
            id: `single-${rateName(options.singleRecordRate)}`,
            kind: 'latency',
            ratePerSecond: options.singleRecordRate,
            durationMs: options.latencyDurationMs,
            warmupMs: options.latencyWarmupMs,
            recordsPerTick: 1,
          },
        ]
      : [];
  return [...throughput, ...latency, ...single];
}

/** 10000 → "10k", 1500000 → "1.5M". */
export function rateName(rate: number): string {
  if (rate >= 1e6 && rate % 1e5 === 0) return `${rate / 1e6}M`;
  if (rate >= 1e3 && rate % 100 === 0) return `${rate / 1e3}k`;
  return String(rate);
}
