// Embedded end to end: KafkaJS-shaped producer → Broker → a two-member consumer group's
// eachMessage, 100 B records. Two measurements:
//   1. throughput: a producer sends as fast as the group keeps up (bounded records in flight);
//      records/s counts records handed to a handler.
//   2. latency at a fixed rate: the producer sends one record per tick at --rate records/s, each
//      carrying its send time; the handler records (handled − sent). p50/p99 over the run.
//
//   npx tsx bench/embedded.bench.ts [--seconds 5] [--partitions 8] [--rate 2000] [--record-bytes 100]
//                                   [--shards 2] [--send-batch 500]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Lanes, type Consumer, type Kafka } from '../actors/host/index.js';
import { printMachineFacts } from './support/machine.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    partitions: { type: 'string', default: '8' },
    rate: { type: 'string', default: '2000' },
    'record-bytes': { type: 'string', default: '100' },
    shards: { type: 'string', default: '2' },
    'send-batch': { type: 'string', default: '500' },
  },
});
const seconds = Number(values.seconds);
const partitions = Number(values.partitions);
const rate = Number(values.rate);
const recordBytes = Number(values['record-bytes']);
const shards = Number(values.shards);
const sendBatch = Number(values['send-batch']);

printMachineFacts('embedded end-to-end: producer → broker → 2-member consumer group (eachMessage)', `npx tsx bench/embedded.bench.ts ${process.argv.slice(2).join(' ')}`.trim());
console.log(`# ${partitions} partitions, ${shards} shards, ${recordBytes} B values, keyless (sticky), acks=-1, autoCommit after each batch`);

async function group(kafka: Kafka, groupId: string, topic: string, onMessage: (value: Buffer) => void): Promise<Consumer[]> {
  const members: Consumer[] = [];
  for (let i = 0; i < 2; i++) {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ partitionsConsumedConcurrently: partitions, eachMessage: async ({ message }) => onMessage(message.value!) });
    members.push(consumer);
  }
  // Both members own partitions before the clock starts.
  while (members.some((member) => member.assignment().length === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
  return members;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function throughput(lanes: Lanes): Promise<void> {
  const kafka = lanes.kafka({ clientId: 'bench-throughput' });
  await kafka.admin().createTopics({ topics: [{ topic: 'throughput', numPartitions: partitions }] });
  let handled = 0;
  const members = await group(kafka, 'throughput', 'throughput', () => void handled++);
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
      await Promise.race([...pending, new Promise((resolve) => setTimeout(resolve, 1))]);
      continue;
    }
    const p: Promise<unknown> = producer.send({ topic: 'throughput', messages });
    pending.add(p);
    void p.finally(() => pending.delete(p));
    sent += sendBatch;
  }
  await Promise.all(pending);
  while (handled < sent) await new Promise((resolve) => setTimeout(resolve, 5));
  const elapsed = (performance.now() - started) / 1000;
  console.log(`| throughput | ${sent} records | ${elapsed.toFixed(2)} s | ${Math.round(handled / elapsed).toLocaleString('en-US')} records/s | ${((handled * recordBytes) / elapsed / 1e6).toFixed(1)} MB/s values |`);
  await Promise.all(members.map((member) => member.disconnect()));
  await producer.disconnect();
}

async function latency(lanes: Lanes): Promise<void> {
  const kafka = lanes.kafka({ clientId: 'bench-latency' });
  await kafka.admin().createTopics({ topics: [{ topic: 'latency', numPartitions: partitions }] });
  const samples: number[] = [];
  const members = await group(kafka, 'latency', 'latency', (value) => samples.push(performance.now() - value.readDoubleLE(0)));
  const producer = kafka.producer();
  await producer.connect();
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    // Open loop: each record goes at its scheduled time, however long earlier sends took.
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const value = Buffer.alloc(recordBytes);
    value.writeDoubleLE(performance.now(), 0);
    void producer.send({ topic: 'latency', messages: [{ key: String(i), value }] });
  }
  while (samples.length < total) await new Promise((resolve) => setTimeout(resolve, 5));
  const sorted = samples.slice().sort((a, b) => a - b);
  console.log(`| latency @ ${rate}/s | ${total} records | p50 ${percentile(sorted, 50).toFixed(2)} ms | p99 ${percentile(sorted, 99).toFixed(2)} ms | max ${sorted[sorted.length - 1].toFixed(2)} ms |`);
  await Promise.all(members.map((member) => member.disconnect()));
  await producer.disconnect();
}

const lanes = await Lanes.start({ storage: 'memory', shards, memoryBytes: 1024 * 1024 * 1024, topicDefaults: { retentionBytes: 64 * 1024 * 1024 } });
try {
  await throughput(lanes);
  await latency(lanes);
} finally {
  await lanes.stop();
}
