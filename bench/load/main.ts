// `npx tsx bench/load/main.ts --mode end-to-end --records 5000000 --record-bytes 100 …`
//
// Runs one workload (workload.ts) against --brokers, or against a broker it starts itself in a
// child process (broker_process.ts: the `lanes start` composition, from source through tsx, on
// a free port, memory storage, dev-mode groups). Prints the command and machine facts, a
// progress bar while running, then a Markdown table; --json writes the whole result too.
// --cpu-prof-dir profiles the child broker (one .cpuprofile per thread: main and each shard).
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { printMachineFacts } from '../support/machine.js';
import { startBrokerProcess, type BrokerProcess } from './broker_process.js';
import { runWorkload, type WorkloadMode, type WorkloadProgress, type WorkloadResult } from './workload.js';
import type { LatencySummary } from './latency_recorder.js';

function integer(value: string): number {
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return parsed;
}

interface CliOptions {
  mode: WorkloadMode;
  brokers?: string;
  records: number;
  recordBytes: number;
  recordsPerBatch?: number;
  partitions: number;
  producers: number;
  consumers?: number;
  acks: string;
  group: string;
  rate?: number;
  durationMs?: number;
  warmupMs?: number;
  inFlight: number;
  shards?: number;
  memoryMib?: number;
  cpuProfDir?: string;
  gcReport?: boolean;
  json?: string;
  progress: boolean;
}

const program = new Command()
  .name('bench/load/main.ts')
  .description('Kafka wire-protocol load generator: pre-encoded produce, fetch, consumer groups, fixed-rate latency')
  .addOption(new Option('--mode <mode>', 'what to measure').choices(['produce', 'consume', 'end-to-end', 'latency']).default('end-to-end'))
  .option('--brokers <list>', 'host:port[,…] of a running broker (default: start one in a child process)')
  .option('--records <n>', 'records to produce (throughput modes)', integer, 1_000_000)
  .option('--record-bytes <n>', 'bytes per record value', integer, 100)
  .option('--records-per-batch <n>', 'records per RecordBatch (default: 128 KiB of values; latency: 10)', integer)
  .option('--partitions <n>', 'partitions of the topic', integer, 8)
  .option('--producers <n>', 'producer connections', integer, 2)
  .option('--consumers <n>', 'fetching connections (default 1; 0 in latency mode: acks only)', integer)
  .addOption(new Option('--acks <n>', 'Produce acks').choices(['-1', '0', '1', 'all']).default('-1'))
  .option('--group <id>', "consumer group id, or 'none' for plain fetchers", 'lanes-load')
  .option('--rate <n>', 'latency mode: records per second over all producers', integer)
  .option('--duration-ms <n>', 'latency mode: how long to send (default 10000)', integer)
  .option('--warmup-ms <n>', 'latency mode: not counted at the start (default 1000)', integer)
  .option('--in-flight <n>', 'produce requests in flight per producer connection', integer, 4)
  .option('--shards <n>', 'child broker: shard threads (default one per core)', integer)
  .option('--memory-mib <n>', 'child broker: shared memory (default 2048)', integer)
  .option('--cpu-prof-dir <dir>', 'child broker: write a CPU profile per thread here')
  .option('--gc-report', "child broker: print its main thread's GC pauses and event-loop delay when it stops")
  .option('--json <file>', 'also write the result, parameters and machine facts as JSON')
  .option('--no-progress', 'no progress bar');

program.parse(process.argv);
const options = program.opts<CliOptions>();
const command = `npx tsx bench/load/main.ts ${process.argv.slice(2).join(' ')}`;
const facts = printMachineFacts(`lanes load generator: ${options.mode}`, command);

let broker: BrokerProcess | null = null;
if (options.brokers === undefined) {
  broker = await startBrokerProcess({ shards: options.shards, memoryMiB: options.memoryMib, cpuProfileDir: options.cpuProfDir, gcReport: options.gcReport });
  console.log(`# broker: child process ${broker.child.pid} (actors/host broker + net listener via tsx), ${broker.shards} shards, memory storage, at ${broker.address}`);
} else {
  console.log(`# broker: ${options.brokers}`);
}

const bar = options.progress && process.stderr.isTTY
  ? new SingleBar({ format: '{phase} [{bar}] {percentage}% | produced {produced} | consumed {consumed} | {rate} rec/s', hideCursor: true, stream: process.stderr }, Presets.shades_classic)
  : null;
let barStarted = false;
let lastReported = { count: 0, atMs: 0 };
function onProgress(progress: WorkloadProgress): void {
  const count = options.mode === 'produce' || progress.phase === 'fill' ? progress.producedRecords : progress.consumedRecords;
  const rate = progress.elapsedMs > lastReported.atMs ? ((count - lastReported.count) * 1000) / (progress.elapsedMs - lastReported.atMs) : 0;
  lastReported = { count, atMs: progress.elapsedMs };
  const payload = { phase: progress.phase, produced: progress.producedRecords.toLocaleString('en'), consumed: progress.consumedRecords.toLocaleString('en'), rate: Math.round(Math.max(0, rate)).toLocaleString('en') };
  if (bar === null) return;
  if (!barStarted) {
    bar.start(Math.max(1, progress.targetRecords), 0, payload);
    barStarted = true;
  }
  bar.setTotal(Math.max(1, progress.targetRecords));
  bar.update(Math.min(count, progress.targetRecords), payload);
}

let result: WorkloadResult;
try {
  result = await runWorkload({
    brokers: options.brokers?.split(',') ?? [broker!.address],
    mode: options.mode,
    records: options.records,
    recordBytes: options.recordBytes,
    recordsPerBatch: options.recordsPerBatch,
    partitions: options.partitions,
    producers: options.producers,
    consumers: options.consumers,
    acks: options.acks === 'all' ? -1 : (Number(options.acks) as -1 | 0 | 1),
    groupId: options.group === 'none' ? null : options.group,
    ratePerSecond: options.rate,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    inFlightPerProducer: options.inFlight,
    onProgress,
  });
} finally {
  bar?.stop();
  await broker?.stop();
}

const parameters = result.parameters;
console.log(
  `# ${parameters.mode}: ${parameters.records.toLocaleString('en')} records of ${parameters.recordBytes} B, ${parameters.recordsPerBatch} per batch (${parameters.batchBytes} B batches), ` +
    `${parameters.partitions} partitions, ${parameters.producers} producers, ${parameters.consumers} consumers${parameters.consumers > 0 ? (parameters.groupId === null ? ' (plain fetch)' : ` (group ${parameters.groupId})`) : ''}, acks ${parameters.acks}` +
    (parameters.ratePerSecond === null ? '' : `, ${parameters.ratePerSecond.toLocaleString('en')} records/s for ${parameters.durationMs} ms (${parameters.warmupMs} ms warm-up)`),
);
const fixed = (value: number, digits: number) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const latency = (summary: LatencySummary | undefined) => (summary === undefined ? ['–', '–', '–', '–'] : [summary.p50, summary.p99, summary.p999, summary.max].map((value) => fixed(value, 3)));
console.log('');
console.log('| measured | records | seconds | records/s | MB/s | p50 ms | p99 ms | p99.9 ms | max ms |');
console.log('|---|--:|--:|--:|--:|--:|--:|--:|--:|');
const row = (name: string, figures: { records: number; seconds: number; recordsPerSecond: number; mbPerSecond: number }, summary?: LatencySummary) =>
  console.log(`| ${name} | ${figures.records.toLocaleString('en')} | ${fixed(figures.seconds, 2)} | ${Math.round(figures.recordsPerSecond).toLocaleString('en')} | ${fixed(figures.mbPerSecond, 1)} | ${latency(summary).join(' | ')} |`);
if (options.mode === 'consume') row('consumed', result.consumed!);
else {
  row(options.mode === 'latency' ? 'produce (ack)' : 'produced', result.produced, result.latencyMs);
  if (result.consumed !== null) row(options.mode === 'latency' ? 'end to end' : 'consumed (end to end)', result.consumed, result.endToEndLatencyMs);
  if (result.sendLagMs !== undefined) row('generator send lag', result.produced, result.sendLagMs);
}
if (options.json !== undefined) {
  writeFileSync(options.json, `${JSON.stringify({ command, machine: facts, result }, null, 2)}\n`);
  console.log(`# wrote ${options.json}`);
}
