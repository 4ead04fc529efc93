// The workload loops for systems driven through a Node client library (Lanes embedded, Redis
// Streams, NATS JetStream): the same producer pacing, in-flight windows, group of K consumers,
// timing and latency bookkeeping for each, so the systems differ only in their adapter.
// (Lanes over the wire uses bench/load's pre-encoded generator instead: lanes_wire.ts.)
//
// Latency records carry their send's latency base, min(intended, actually sent) (see
// bench/load/pacer.ts), as a float64 (little endian) in bytes 0–7 of the value and a marker in
// byte 8: 1 on the first record of each paced send, so one sample is taken per send, as the wire
// generator takes one per batch.
//
// Thread: the caller's event loop; every client is asynchronous.
import { performance } from 'node:perf_hooks';
import { randomFillSync } from 'node:crypto';
import { assert } from '../../core/assert.js';
import { LatencyRecorder } from '../load/latency_recorder.js';
import { pace, type Pacer } from '../load/pacer.js';
import { figures, type LiveCounters, type Measurement, type Workload } from './workloads.js';

export interface ClientProducer {
  /** Sends the values as records; resolves when the system has acknowledged all of them. */
  send(values: Buffer[]): Promise<void>;
  close(): Promise<void>;
}

export interface ClientConsumer {
  /** Resolves once the member receives records (joined, assigned, subscribed). */
  ready: Promise<void>;
  /** Reads no more; resolves when its connection is closed. */
  close(): Promise<void>;
}

/** One system's adapter, for one workload: a fresh topic/stream per workload. */
export interface ClientTopic {
  producer(index: number): Promise<ClientProducer>;
  /** A group member; calls onValues with every batch of values it is handed. */
  consumer(index: number, onValues: (values: readonly Uint8Array[]) => void): Promise<ClientConsumer>;
  /** Deletes the topic/stream so the next workload starts empty. */
  dispose(): Promise<void>;
}

const markerByte = 8;

function payload(recordBytes: number): Buffer {
  return randomFillSync(Buffer.alloc(recordBytes));
}

export async function runClientWorkload(workload: Workload, topic: ClientTopic, counters: LiveCounters): Promise<Measurement> {
  assert(workload.consumers >= 1 || workload.kind === 'produce', 'a group needs at least one consumer');
  const producers = await Promise.all(Array.from({ length: workload.producers }, (_, index) => topic.producer(index)));
  try {
    if (workload.kind === 'latency') return await latency(workload, topic, producers, counters);
    return await throughput(workload, topic, producers, counters);
  } finally {
    await Promise.all(producers.map((producer) => producer.close()));
  }
}

/** Every producer keeps inFlight sends of recordsPerSend records going until the budget is spent. */
async function produceAll(workload: Workload, producers: ClientProducer[], counters: LiveCounters, count: (records: number) => void): Promise<void> {
  const values = Array.from({ length: workload.recordsPerSend }, () => payload(workload.recordBytes));
  let left = workload.records;
  const take = (): number => {
    const records = Math.min(left, workload.recordsPerSend);
    left -= records;
    return records;
  };
  await Promise.all(
    producers.map(async (producer) => {
      const lane = async () => {
        for (let records = take(); records > 0; records = take()) {
          await producer.send(records === values.length ? values : values.slice(0, records));
          count(records);
          counters.produced += records;
        }
      };
      await Promise.all(Array.from({ length: workload.inFlightPerProducer }, lane));
    }),
  );
  assert(left === 0, 'every record of the budget was sent');
}

interface Group {
  consumers: ClientConsumer[];
  /** Resolves when `target()` records were consumed, or rejects after the drain timeout. */
  done(target: () => number, deadlineMs: () => number): Promise<void>;
  lastRecordAtMs(): number;
  consumed(): number;
}

async function startGroup(workload: Workload, topic: ClientTopic, counters: LiveCounters, onValues?: (values: readonly Uint8Array[], arrivedMs: number) => void): Promise<Group> {
  let consumed = 0;
  let lastRecordAtMs = performance.now();
  let check = () => {};
  const consumers = await Promise.all(
    Array.from({ length: workload.consumers }, (_, index) =>
      topic.consumer(index, (values) => {
        if (values.length === 0) return;
        const now = performance.now();
        consumed += values.length;
        counters.consumed += values.length;
        lastRecordAtMs = now;
        onValues?.(values, now);
        check();
      }),
    ),
  );
  await Promise.all(consumers.map((consumer) => consumer.ready));
  return {
    consumers,
    consumed: () => consumed,
    lastRecordAtMs: () => lastRecordAtMs,
    done: (target, deadlineMs) =>
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (performance.now() > deadlineMs()) finish();
        }, 50);
        const finish = () => {
          clearInterval(timer);
          check = () => {};
          resolve();
        };
        check = () => {
          if (consumed >= target()) finish();
        };
        check();
      }),
  };
}

async function closeGroup(group: Group): Promise<void> {
  await Promise.all(group.consumers.map((consumer) => consumer.close()));
}

async function throughput(workload: Workload, topic: ClientTopic, producers: ClientProducer[], counters: LiveCounters): Promise<Measurement> {
  const { kind, records, recordBytes } = workload;
  if (kind === 'produce') {
    const started = performance.now();
    await produceAll(workload, producers, counters, () => {});
    return { ...figures(records, recordBytes, (performance.now() - started) / 1000) };
  }
  let group: Group;
  let started: number;
  if (kind === 'consume') {
    await produceAll(workload, producers, counters, () => {}); // the fill: untimed
    started = performance.now();
    group = await startGroup(workload, topic, counters);
  } else {
    group = await startGroup(workload, topic, counters);
    started = performance.now();
    await produceAll(workload, producers, counters, () => {});
  }
  // Sending is over (e2e) or never counted (consume): what is left is reading, at 10k records/s
  // at the very least, plus the drain allowance.
  const deadline = performance.now() + workload.drainTimeoutMs + (workload.records / 10_000) * 1000;
  try {
    await group.done(() => records, () => deadline);
  } finally {
    await closeGroup(group);
  }
  const consumed = Math.min(group.consumed(), records);
  const measured = figures(consumed, recordBytes, (group.lastRecordAtMs() - started) / 1000);
  return consumed < records ? { ...measured, note: `consumed ${consumed} of ${records} records before the drain timeout` } : measured;
}

/**
 * Each producer p sends recordsPerTick records at start + p × interval / P + k × interval, paced
 * by bench/load/pacer.ts — the same pacer as the wire generator: a ~1 ms timer tick sends every
 * send intended before the next expected tick (up to a tick early, never needlessly late), a late
 * tick sends the whole backlog at once, and latencies count from min(intended, actually sent).
 */
async function latency(workload: Workload, topic: ClientTopic, producers: ClientProducer[], counters: LiveCounters): Promise<Measurement> {
  const rate = workload.ratePerSecond;
  assert(rate !== null && rate > 0, 'a latency workload has a rate');
  assert(workload.recordBytes >= markerByte + 1, 'latency records carry a time and a marker: at least 9 bytes');
  const ack = new LatencyRecorder();
  const endToEnd = new LatencyRecorder();
  const sendLag = new LatencyRecorder();
  let recordAfterMs = Infinity;
  const group = await startGroup(workload, topic, counters, (values, arrivedMs) => {
    for (const value of values) {
      if (value[markerByte] !== 1) continue;
      const baseMs = Buffer.from(value.buffer, value.byteOffset, value.byteLength).readDoubleLE(0);
      if (baseMs >= recordAfterMs) endToEnd.record(arrivedMs - baseMs);
    }
  });
  const intervalMs = (1000 * workload.recordsPerTick * producers.length) / rate;
  const startMs = performance.now() + 20;
  recordAfterMs = startMs + workload.warmupMs;
  const endMs = startMs + workload.durationMs;
  const template = payload(workload.recordBytes);
  let sent = 0;
  let unacknowledged = 0;
  let failure: Error | null = null;
  await Promise.all(
    producers.map(
      (producer, index) =>
        new Promise<void>((resolve, reject) => {
          let pacer: Pacer | null = null;
          let outstanding = 0;
          let finished = false;
          const settle = () => {
            if (finished || pacer === null) return;
            if (failure !== null) pacer.stop();
            if (pacer.finished && outstanding === 0) {
              finished = true;
              clearTimeout(giveUp);
              if (failure === null) resolve();
              else reject(failure);
            }
          };
          // A system that fell behind the rate may owe acknowledgements long after sending ends:
          // wait for them only as long as the drain allowance (the run is then left out).
          const giveUp = setTimeout(() => {
            if (finished) return;
            finished = true;
            pacer?.stop();
            unacknowledged += outstanding;
            resolve();
          }, endMs + workload.drainTimeoutMs - performance.now());
          pacer = pace(
            { startMs: startMs + (index * intervalMs) / producers.length, intervalMs, endMs },
            (send) => {
              if (failure !== null) {
                settle();
                return;
              }
              const values = Array.from({ length: workload.recordsPerTick }, (_, at) => {
                const value = Buffer.from(template);
                value.writeDoubleLE(send.baseMs, 0);
                value[markerByte] = at === 0 ? 1 : 0;
                return value;
              });
              const counted = send.baseMs >= recordAfterMs;
              if (counted) sendLag.record(send.lagMs);
              outstanding++;
              sent += values.length;
              producer.send(values).then(
                () => {
                  if (counted) ack.record(performance.now() - send.baseMs);
                  counters.produced += values.length;
                  outstanding--;
                  settle();
                },
                (error: unknown) => {
                  failure ??= error instanceof Error ? error : new Error(String(error));
                  outstanding--;
                  settle();
                },
              );
            },
            { onFinished: () => queueMicrotask(settle) },
          );
          settle();
        }),
    ),
  );
  const deadline = endMs + workload.drainTimeoutMs;
  try {
    await group.done(() => sent, () => deadline);
  } finally {
    await closeGroup(group);
  }
  const consumed = group.consumed();
  const measured: Measurement = {
    ...figures(consumed, workload.recordBytes, (group.lastRecordAtMs() - startMs) / 1000),
    ackLatencyMs: ack.summary() ?? undefined,
    endToEndLatencyMs: endToEnd.summary() ?? undefined,
    sendLagMs: sendLag.summary() ?? undefined,
  };
  if (unacknowledged > 0) measured.note = `${unacknowledged} sends still unacknowledged ${workload.drainTimeoutMs} ms after sending ended: the system fell behind the rate`;
  else if (consumed < sent) measured.note = `consumed ${consumed} of ${sent} records before the drain timeout; latency covers only what arrived`;
  return measured;
}
