// Embedded end to end: KafkaJS-shaped producer → Broker → a two-member consumer group, 100 B
// records. Measurements:
//   1. throughput, once with eachMessage and once with eachBatch: a producer sends as fast as the
//      group keeps up (bounded records in flight); records/s counts records whose value a handler
//      read. Each mode has a fresh topic and group.
//   2. the halves of (1) apart, to show which one bounds it: produce only (sends of --send-batch
//      records, 8 in flight, nobody consuming), then consume only (a 2-member group reads what was
//      produced, eachBatch, then eachMessage; the clock includes the group join).
//   3. latency at a fixed rate (eachMessage): one record per tick at --rate records/s, open loop;
//      each record carries its *intended* send time and the handler records (handled − intended),
//      so a stalled sender counts against latency (no coordinated omission). p50/p99 after a
//      warm-up second.
//
//   npx tsx bench/embedded.bench.ts [--seconds 5] [--partitions 8] [--rate 2000] [--record-bytes 100]
//                                   [--shards 2] [--send-batch 500] [--modes eachMessage,eachBatch]
//                                   [--split-records 2000000]   (0: skip measurement 2)
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Lanes, type Consumer, type Kafka, type KafkaMessage } from '../actors/host/index.js';
import { printMachineFacts } from './support/machine.js';
import { percentileOfSorted } from './e2e/stats.js';

type Mode = 'eachMessage' | 'eachBatch';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    partitions: { type: 'string', default: '8' },
    rate: { type: 'string', default: '2000' },
    'record-bytes': { type: 'string', default: '100' },
    shards: { type: 'string', default: '2' },
    'send-batch': { type: 'string', default: '500' },
    modes: { type: 'string', default: 'eachMessage,eachBatch' },
    'split-records': { type: 'string', default: '2000000' },
  },
});
const seconds = Number(values.seconds);
const partitions = Number(values.partitions);
const rate = Number(values.rate);
const recordBytes = Number(values['record-bytes']);
const shards = Number(values.shards);
const sendBatch = Number(values['send-batch']);
const modes = values.modes.split(',').filter((mode) => mode.length > 0) as Mode[];
const splitRecords = Number(values['split-records']);
const warmupMs = 1000;

printMachineFacts('embedded end-to-end: producer → broker → 2-member consumer group', `npx tsx bench/embedded.bench.ts ${process.argv.slice(2).join(' ')}`.trim());
console.log(`# ${partitions} partitions, ${shards} shards, ${recordBytes} B values, keyless (sticky), ${sendBatch} records per send(), acks=-1, autoCommit after each round`);

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function group(kafka: Kafka, mode: Mode, groupId: string, topic: string, onMessage: (message: KafkaMessage) => void): Promise<Consumer[]> {
  const members: Consumer[] = [];
  for (let i = 0; i < 2; i++) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    if (mode === 'eachMessage') {
      await consumer.run({ partitionsConsumedConcurrently: partitions, eachMessage: async ({ message }) => onMessage(message) });
    } else {
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) onMessage(message);
        },
      });
    }
    members.push(consumer);
  }
  return members;
}

async function assigned(members: Consumer[]): Promise<void> {
  while (members.some((member) => member.assignment().length === 0)) await sleep(10);
}

function perSecond(count: number, elapsedMs: number): string {
  return Math.round(count / (elapsedMs / 1000)).toLocaleString('en-US');
}

async function throughput(lanes: Lanes, mode: Mode): Promise<void> {
  const kafka = lanes.kafka({ clientId: `bench-throughput-${mode}` });
  const topic = `throughput-${mode}`;
  await kafka.admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
  let handled = 0;
  let valueBytes = 0;
  // The handler reads every value, as an application would.
  const members = await group(kafka, mode, topic, topic, (message) => {
    valueBytes += message.value!.length;
    handled++;
  });
  await assigned(members);
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(recordBytes, 7);
  const messages = Array.from({ length: sendBatch }, () => ({ value }));
  let sent = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const inFlightMax = 8 * sendBatch;
  const pending = new Set<Promise<unknown>>();
  while (performance.now() < deadline) {
    if (sent - handled > 50 * sendBatch || pending.size * sendBatch >= inFlightMax) {
      await Promise.race([...pending, sleep(1)]);
      continue;
    }
    const p: Promise<unknown> = producer.send({ topic, messages });
    pending.add(p);
    void p.finally(() => pending.delete(p));
    sent += sendBatch;
  }
  await Promise.all(pending);
  while (handled < sent) await sleep(5);
  const elapsedMs = performance.now() - started;
  console.log(`| end to end, ${mode} | ${sent} records | ${(elapsedMs / 1000).toFixed(2)} s | ${perSecond(handled, elapsedMs)} records/s | ${(valueBytes / (elapsedMs / 1000) / 1e6).toFixed(1)} MB/s values |`);
  await Promise.all(members.map((member) => member.disconnect()));
  await producer.disconnect();
  // Each phase frees its log memory for the next.
  await kafka.admin().deleteTopics({ topics: [topic] });
}

async function split(lanes: Lanes): Promise<void> {
  const kafka = lanes.kafka({ clientId: 'bench-split' });
  const topic = 'split';
  await kafka.admin().createTopics({ topics: [{ topic, numPartitions: partitions }] });
  const producer = kafka.producer();
  await producer.connect();
  const value = Buffer.alloc(recordBytes, 7);
  const messages = Array.from({ length: sendBatch }, () => ({ value }));
  const total = Math.ceil(splitRecords / sendBatch) * sendBatch;
  let started = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let sent = 0; sent < total; sent += sendBatch) {
    pending.push(producer.send({ topic, messages }));
    if (pending.length >= 8) await pending.shift();
  }
  await Promise.all(pending);
  console.log(`| produce only | ${total} records | ${((performance.now() - started) / 1000).toFixed(2)} s | ${perSecond(total, performance.now() - started)} records/s | |`);
  await producer.disconnect();
  // Retention may have dropped the oldest records: the group reads what the log still holds.
  const held = (await kafka.admin().fetchTopicOffsets(topic)).reduce((sum, { low, high }) => sum + Number(high) - Number(low), 0);
  for (const mode of ['eachBatch', 'eachMessage'] as const) {
    let handled = 0;
    started = performance.now();
    const members = await group(kafka, mode, `split-${mode}`, topic, (message) => {
      if (message.value !== null) handled++;
    });
    while (handled < held) await sleep(2);
    const elapsedMs = performance.now() - started;
    console.log(`| consume only, ${mode} (join included) | ${held} records | ${(elapsedMs / 1000).toFixed(2)} s | ${perSecond(held, elapsedMs)} records/s | |`);
    await Promise.all(members.map((member) => member.disconnect()));
  }
  await kafka.admin().deleteTopics({ topics: [topic] });
}

async function latency(lanes: Lanes): Promise<void> {
  const kafka = lanes.kafka({ clientId: 'bench-latency' });
  await kafka.admin().createTopics({ topics: [{ topic: 'latency', numPartitions: partitions }] });
  const samples: number[] = [];
  let handled = 0;
  let measuredFrom = Infinity;
  const members = await group(kafka, 'eachMessage', 'latency', 'latency', (message) => {
    handled++;
    const intended = message.value!.readDoubleLE(0);
    if (intended >= measuredFrom) samples.push(performance.now() - intended);
  });
  await assigned(members);
  const producer = kafka.producer();
  await producer.connect();
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  measuredFrom = started + warmupMs;
  for (let i = 0; i < total; i++) {
    // Open loop: each record goes at its scheduled time, however long earlier sends took, and
    // carries that time: latency counts from when it should have been sent.
    const due = started + i * intervalMs;
    // Timers are coarse (≥ 1 ms): sleep to just before the due time, then yield turn by turn.
    const wait = due - performance.now();
    if (wait > 2) await sleep(wait - 1.5);
    while (performance.now() < due) await new Promise((resolve) => setImmediate(resolve));
    const value = Buffer.alloc(recordBytes);
    value.writeDoubleLE(due, 0);
    void producer.send({ topic: 'latency', messages: [{ key: String(i), value }] });
  }
  while (handled < total) await sleep(5);
  const sorted = samples.slice().sort((a, b) => a - b);
  console.log(`| latency @ ${rate}/s, eachMessage | ${sorted.length} records after a ${warmupMs} ms warm-up | p50 ${percentileOfSorted(sorted, 0.5).toFixed(2)} ms | p99 ${percentileOfSorted(sorted, 0.99).toFixed(2)} ms | max ${sorted[sorted.length - 1].toFixed(2)} ms |`);
  await Promise.all(members.map((member) => member.disconnect()));
  await producer.disconnect();
}

const lanes = await Lanes.start({ storage: 'memory', shards, memoryBytes: 2048 * 1024 * 1024, topicDefaults: { retentionBytes: 32 * 1024 * 1024 } });
try {
  for (const mode of modes) await throughput(lanes, mode);
  if (splitRecords > 0) await split(lanes);
  await latency(lanes);
} finally {
  await lanes.stop();
}
