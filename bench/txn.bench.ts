// Transactions over the wire: what they cost a producer, and how long a read_committed reader waits
// for a record. kafkajs 2.2.4 (the client most Lanes users run) against the BUILT `lanes start` in a
// child process (support/cli_broker.ts).
//
//   throughput  one producer, sends of --batch records of --size B each (acks −1, one send in
//               flight, sends alternating between the topic's two partitions) for --seconds:
//               `idempotent` (idempotence, no transactions), then `txn-1`, `txn-10`, `txn-100`
//               (that many sends per transaction: begin, sends, commit). Records/s acknowledged
//               (a transaction's records count once its commit is answered). Modes interleaved
//               over --rounds; median (min–max) across rounds.
//   latency     the same producer shape paced at --rate sends/s (latency counted from each send's
//               intended time, so a stall is not hidden), and a kafkajs consumer in
//               read_committed (its default) reading a fresh topic: time from a record's intended
//               send to the consumer's eachBatch, p50/p99 over every record, for `idempotent`,
//               `txn-1` and `txn-10`. A record of a transaction is readable only once the commit's
//               markers move the last stable offset past it, so txn-10 includes the wait for the
//               rest of its transaction. A last row reads txn-1 read_uncommitted: the difference
//               is the wait for the commit.
//
//   npm run build:ts && node dist/bench/txn.bench.js [--storage memory|disk] [--seconds 5]
//       [--rounds 2] [--batch 100] [--size 100] [--rate 10] [--latency-seconds 8]
//
// Prints the machine, the command and the load average (start and end), then two tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startCliBroker } from './support/cli_broker.js';
import { printMachineFacts } from './support/machine.js';
import { median, percentileNearestRank } from './e2e/stats.js';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'memory' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '2' },
    batch: { type: 'string', default: '100' },
    size: { type: 'string', default: '100' },
    rate: { type: 'string', default: '10' },
    'latency-seconds': { type: 'string', default: '8' },
  },
});

function positive(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`--${name} ${text}: want a number above 0`);
  return value;
}

const storage = values.storage === 'disk' ? 'disk' : values.storage === 'memory' ? 'memory' : null;
if (storage === null) throw new Error(`--storage ${values.storage}: want memory or disk`);
const seconds = positive('seconds', values.seconds);
const rounds = Math.round(positive('rounds', values.rounds));
const batch = Math.round(positive('batch', values.batch));
const size = Math.round(positive('size', values.size));
const rate = positive('rate', values.rate);
const latencySeconds = positive('latency-seconds', values['latency-seconds']);

/** Sends per transaction; 0: an idempotent producer without transactions. */
const modes = [
  { name: 'idempotent', perTxn: 0 },
  { name: 'txn-1', perTxn: 1 },
  { name: 'txn-10', perTxn: 10 },
  { name: 'txn-100', perTxn: 100 },
] as const;
/** read_committed readers, and one read_uncommitted reader of txn-1 to tell the visibility wait from the producer's. */
const latencyModes = [
  ...modes.filter((mode) => mode.perTxn <= 10).map((mode) => ({ ...mode, readUncommitted: false, label: mode.name })),
  { name: 'txn-1-uncommitted', perTxn: 1, readUncommitted: true, label: 'txn-1, read_uncommitted reader' },
];

const command = `node dist/bench/txn.bench.js --storage ${storage} --seconds ${seconds} --rounds ${rounds} --batch ${batch} --size ${size} --rate ${rate} --latency-seconds ${latencySeconds}`;
printMachineFacts('transactions: produce throughput and read_committed latency (kafkajs → lanes start)', command);
const loadAtStart = loadavg().map((value) => value.toFixed(1)).join(' ');

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-txn-bench-'));
const broker = await startCliBroker({ dataDir, storage, shards: 2 });
const kafka = new Kafka({ clientId: 'txn-bench', brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 50 } });
const admin = kafka.admin();
await admin.connect();

/** The messages of one send: `batch` values of `size` bytes, the first 20 carrying the intended send time. */
function messages(partition: number, intendedMs: number): { partition: number; value: Buffer }[] {
  const value = Buffer.alloc(size, 120);
  value.write(intendedMs.toFixed(3).padStart(20, '0'), 0, 'latin1');
  return Array.from({ length: batch }, () => ({ partition, value }));
}

let producers = 0;
async function producerFor(perTxn: number): Promise<Producer> {
  const producer = perTxn === 0
    ? kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    : kafka.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: `txn-bench-${producers++}` });
  await producer.connect();
  return producer;
}

/**
 * Sends `perTxn` sends per transaction (or plain idempotent sends) until `until()` says stop,
 * waiting for `pace(i)` before send i. Returns the records acknowledged.
 */
async function produce(producer: Producer, topic: string, perTxn: number, until: () => boolean, pace: (i: number) => Promise<number>): Promise<number> {
  let acknowledged = 0;
  let i = 0;
  while (!until()) {
    if (perTxn === 0) {
      const intendedMs = await pace(i);
      await producer.send({ topic, acks: -1, messages: messages(i++ % 2, intendedMs) });
      acknowledged += batch;
      continue;
    }
    const txn = await producer.transaction();
    for (let n = 0; n < perTxn; n++) {
      const intendedMs = await pace(i);
      await txn.send({ topic, acks: -1, messages: messages(i++ % 2, intendedMs) });
    }
    await txn.commit();
    acknowledged += perTxn * batch;
  }
  return acknowledged;
}

const noPace = async (): Promise<number> => performance.now();

// Throughput.
await admin.createTopics({ topics: modes.map((mode) => ({ topic: `tput-${mode.name}`, numPartitions: 2 })), waitForLeaders: true });
const throughput = new Map<string, number[]>(modes.map((mode) => [mode.name, []]));
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    const producer = await producerFor(mode.perTxn);
    // A short warm-up (connections, the producer id, the first transaction), not counted.
    const warmEnd = performance.now() + 1000;
    await produce(producer, `tput-${mode.name}`, mode.perTxn, () => performance.now() > warmEnd, noPace);
    const start = performance.now();
    const end = start + seconds * 1000;
    const records = await produce(producer, `tput-${mode.name}`, mode.perTxn, () => performance.now() > end, noPace);
    throughput.get(mode.name)!.push(records / ((performance.now() - start) / 1000));
    await producer.disconnect();
    process.stderr.write(`round ${round + 1}/${rounds} ${mode.name}: ${Math.round(throughput.get(mode.name)!.at(-1)!)} records/s\n`);
  }
}

// Latency seen by a read_committed reader.
await admin.createTopics({ topics: latencyModes.map((mode) => ({ topic: `lat-${mode.name}`, numPartitions: 2 })), waitForLeaders: true });
const latency = new Map<string, number[]>();
for (const mode of latencyModes) {
  const topic = `lat-${mode.name}`;
  const seen: number[] = [];
  const consumer = kafka.consumer({ groupId: `lat-reader-${mode.name}`, maxWaitTimeInMs: 100, readUncommitted: mode.readUncommitted });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.run({
    eachBatch: async ({ batch: fetched }) => {
      const atMs = performance.now();
      for (const message of fetched.messages) seen.push(atMs - Number(message.value!.toString('latin1', 0, 20)));
    },
  });
  while (!joined) await new Promise((resolve) => setTimeout(resolve, 20));
  const producer = await producerFor(mode.perTxn);
  const intervalMs = 1000 / rate;
  const start = performance.now() + 200;
  const sends = Math.round(latencySeconds * rate);
  // Whole transactions: the last one is not cut short.
  const total = mode.perTxn === 0 ? sends : Math.ceil(sends / mode.perTxn) * mode.perTxn;
  let sent = 0;
  const pace = async (i: number): Promise<number> => {
    const intendedMs = start + i * intervalMs;
    const waitMs = intendedMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    sent = i + 1;
    return intendedMs;
  };
  await produce(producer, topic, mode.perTxn, () => sent >= total, pace);
  const deadline = performance.now() + 30_000;
  while (seen.length < total * batch && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  if (seen.length < total * batch) process.stderr.write(`${mode.name}: ${seen.length} of ${total * batch} records read before the deadline\n`);
  latency.set(mode.name, seen);
  await producer.disconnect();
  await consumer.disconnect();
  process.stderr.write(`latency ${mode.name}: ${seen.length} records\n`);
}

await admin.disconnect();
await broker.stop();
rmSync(dataDir, { recursive: true, force: true });

const loadAtEnd = loadavg().map((value) => value.toFixed(1)).join(' ');
const thousands = (value: number) => `${(value / 1000).toFixed(1)} k`;
console.log(`# storage ${storage}, 2 shards; load average (1, 5, 15 min) at start ${loadAtStart}, at end ${loadAtEnd}`);
console.log('');
console.log(`| producer | records/s (${batch} × ${size} B per send) | vs idempotent |`);
console.log('|---|--:|--:|');
const baseline = median(throughput.get('idempotent')!);
for (const mode of modes) {
  const figures = throughput.get(mode.name)!;
  const middle = median(figures);
  console.log(`| ${mode.name} | ${thousands(middle)} (${thousands(Math.min(...figures))}–${thousands(Math.max(...figures))}) | ${(middle / baseline).toFixed(2)} |`);
}
console.log('');
console.log(`| producer, ${rate} sends/s | reader latency p50 | p99 | records |`);
console.log('|---|--:|--:|--:|');
for (const mode of latencyModes) {
  const figures = latency.get(mode.name)!;
  const show = (q: number) => (figures.length === 0 ? '–' : `${percentileNearestRank(figures, q).toFixed(1)} ms`);
  console.log(`| ${mode.label} | ${show(0.5)} | ${show(0.99)} | ${figures.length} |`);
}
