// `npx tsx bench/load/main.ts --mode end-to-end --records 5000000 --record-bytes 100 …`
//
// Runs one workload (workload.ts) against --brokers, or against a broker it starts itself in a
// child process (broker_process.ts: the `lanes start` composition, from source through tsx, on
// a free port, memory storage, dev-mode groups). Prints the command and machine facts, a
// progress bar while running, then a Markdown table; --json writes the whole result too.
// --cpu-prof-dir profiles the child broker (one .cpuprofile per thread: main and each shard).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { printMachineFacts } from '../support/machine.js';
import { processCpuSeconds } from '../support/process_cpu.js';
import { startBrokerProcess, type BrokerProcess } from './broker_process.js';
import { runWorkload, type WorkloadMode, type WorkloadProgress, type WorkloadResult } from './workload.js';
import type { LatencySummary } from './latency_recorder.js';
import { runRequestRate, type RequestRateResult } from './request_rate.js';

function integer(value: string): number {
  const parsed = Number(value.replace(/_/g, ''));
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return parsed;
}

interface CliOptions {
  mode: WorkloadMode | 'request-rate';
  brokers?: string;
  records: number;
  recordBytes: number;
  recordsPerBatch?: number;
  partitions: number;
  producers?: number;
  consumers?: number;
  acks: string;
  group: string;
  rate?: number;
  durationMs?: number;
  warmupMs?: number;
  inFlight?: number;
  inFlightSteps: string;
  shards?: number;
  shardThreads?: 'workers' | 'inline';
  storage: 'memory' | 'disk';
  dataDir?: string;
  memoryMib?: number;
  cpuProfDir?: string;
  gcReport?: boolean;
  json?: string;
  progress: boolean;
}

const program = new Command()
  .name('bench/load/main.ts')
  .description('Kafka wire-protocol load generator: pre-encoded produce, fetch, consumer groups, fixed-rate latency')
  .addOption(new Option('--mode <mode>', 'what to measure').choices(['produce', 'consume', 'end-to-end', 'latency', 'request-rate']).default('end-to-end'))
  .option('--brokers <list>', 'host:port[,…] of a running broker (default: start one in a child process)')
  .option('--records <n>', 'records to produce (throughput modes)', integer, 1_000_000)
  .option('--record-bytes <n>', 'bytes per record value', integer, 100)
  .option('--records-per-batch <n>', 'records per RecordBatch (default: 128 KiB of values; latency: 10)', integer)
  .option('--partitions <n>', 'partitions of the topic', integer, 8)
  .option('--producers <n>', 'producer connections (default 2; request-rate: 1)', integer)
  .option('--consumers <n>', 'fetching connections (default 1; 0 in latency mode: acks only)', integer)
  .addOption(new Option('--acks <n>', 'Produce acks').choices(['-1', '0', '1', 'all']).default('-1'))
  .option('--group <id>', "consumer group id, or 'none' for plain fetchers", 'lanes-load')
  .option('--rate <n>', 'latency mode: records per second over all producers', integer)
  .option('--duration-ms <n>', 'latency mode: how long to send (default 10000); request-rate: per step (default 5000)', integer)
  .option('--warmup-ms <n>', 'latency and request-rate modes: not counted at the start (of each step) (default 1000)', integer)
  .option('--in-flight <n>', 'produce requests in flight per producer connection (default 4)', integer)
  .option('--in-flight-steps <list>', 'request-rate: requests in flight per connection, one step each', '1,5,32')
  .option('--shards <n>', 'child broker: shards (default one per core; inline: 1)', integer)
  .addOption(new Option('--shard-threads <where>', 'child broker: shards on worker threads or inline on its main thread').choices(['workers', 'inline']))
  .addOption(new Option('--storage <kind>', "child broker: storage ('disk': fsync before each acks=-1 answer)").choices(['memory', 'disk']).default('memory'))
  .option('--data-dir <dir>', 'child broker: data directory for disk storage (default: a fresh temporary one)')
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
/** Disk storage without --data-dir: removed once the broker stopped. */
let temporaryDir: string | undefined;
async function stopBroker(): Promise<void> {
  await broker?.stop();
  if (temporaryDir !== undefined) rmSync(temporaryDir, { recursive: true, force: true });
}
if (options.brokers === undefined) {
  temporaryDir = options.storage === 'disk' && options.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'lanes-load-')) : undefined;
  const dataDir = options.storage === 'disk' ? (options.dataDir ?? temporaryDir) : undefined;
  broker = await startBrokerProcess({
    shards: options.shards,
    shardThreads: options.shardThreads,
    storage: options.storage,
    dataDir,
    memoryMiB: options.memoryMib,
    cpuProfileDir: options.cpuProfDir,
    gcReport: options.gcReport,
  });
  const storage = dataDir === undefined ? 'memory storage' : `disk storage in ${dataDir} (fsync before acks)`;
  console.log(`# broker: child process ${broker.child.pid} (actors/host broker + net listener via tsx), ${broker.shards} shards on ${broker.shardThreads === 'inline' ? 'its main thread (inline)' : 'worker threads'}, ${storage}, at ${broker.address}`);
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

if (options.mode === 'request-rate') {
  let rate: RequestRateResult;
  try {
    rate = await runRequestRate({
      brokers: options.brokers?.split(',') ?? [broker!.address],
      inFlightSteps: options.inFlightSteps.split(',').map(integer),
      connections: options.producers,
      partitions: options.partitions,
      recordsPerRequest: options.recordsPerBatch,
      recordBytes: options.recordBytes,
      acks: options.acks === '1' ? 1 : -1,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      brokerCpuSeconds: broker === null ? undefined : () => processCpuSeconds(broker!.child.pid!),
      onStep: (inFlight) => process.stderr.write(`# request-rate: ${inFlight} in flight per connection…\n`),
    });
  } finally {
    await stopBroker();
  }
  const p = rate.parameters;
  console.log(`# request-rate: ${p.connections} connection(s), ${p.recordsPerRequest} record(s) of ${p.recordBytes} B per request (${p.batchBytes} B batch), ${p.partitions} partition(s), acks ${p.acks}, ${p.durationMs} ms per step after ${p.warmupMs} ms warm-up`);
  console.log('');
  console.log('| in flight per connection | requests | requests/s | service p50 ms | p99 ms | p99.9 ms | max ms | broker CPU µs/request |');
  console.log('|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const step of rate.steps) {
    const ms = [step.serviceMs.p50, step.serviceMs.p99, step.serviceMs.p999, step.serviceMs.max].map((value) => value.toFixed(3));
    const cpu = step.brokerCpuUsPerRequest === null ? '–' : step.brokerCpuUsPerRequest.toFixed(0);
    console.log(`| ${step.inFlight} | ${step.requests.toLocaleString('en')} | ${Math.round(step.requestsPerSecond).toLocaleString('en')} | ${ms.join(' | ')} | ${cpu} |`);
  }
  if (options.json !== undefined) {
    writeFileSync(options.json, `${JSON.stringify({ command, machine: facts, result: rate }, null, 2)}\n`);
    console.log(`# wrote ${options.json}`);
  }
  process.exit(0);
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
  await stopBroker();
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
