// The soak: does the broker's memory level off under steady traffic and regular rebalances?
//
// A broker child (`lanes start`, the built CLI, disk storage, admin port for its heap figures), a
// producer at a steady rate and a consumer group of two members (the Lanes wire client), one of
// which leaves and rejoins every `--rebalance-every-s` seconds: every cycle is two rebalances
// (leave, join). Every `--sample-every-s` seconds the broker's RSS, open fds and threads
// (/proc/<pid>/status, /proc/<pid>/fd) and its main thread's V8 heap (nodejs_heap_size_used_bytes
// from /metrics) are sampled; samples go to CSV and JSON in bench/results/, and the summary at the
// end gives RSS and heap after the warm-up: min, max and least-squares slope per minute.
//
//   npm run soak -- --minutes 60
//   npm run soak -- --minutes 10 --heap-snapshots /tmp/soak-heaps   # V8 heap snapshots of the
//       broker's main thread after the warm-up and at the end (node --heapsnapshot-signal)
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { Kafka } from '../../actors/host/index.js';
import type { Consumer } from '../../actors/client/consumer.js';
import { startCliBroker } from '../support/cli_broker.js';
import { printMachineFacts } from '../support/machine.js';
import { readProcessSample } from '../support/proc_sample.js';
import { leastSquaresSlope, summarize } from './series.js';
import { positiveNumber } from '../support/positive_number.js';

const program = new Command()
  .name('soak')
  .description('broker memory under steady produce/consume with a rebalance every minute')
  .option('--minutes <n>', 'how long to run', positiveNumber, 10)
  .option('--warmup-minutes <n>', 'not counted in the summary', positiveNumber, 2)
  .option('--rate <n>', 'records per second produced', positiveNumber, 500)
  .option('--record-bytes <n>', 'value size', positiveNumber, 200)
  .option('--partitions <n>', 'partitions of the soak topic', positiveNumber, 6)
  .option('--rebalance-every-s <n>', 'one member leaves and rejoins this often', positiveNumber, 60)
  .option('--sample-every-s <n>', 'sampling period', positiveNumber, 10)
  .option('--shards <n>', 'broker shard threads (default one per core)', positiveNumber)
  .option('--heap-snapshots <dir>', "write V8 heap snapshots of the broker's main thread here after the warm-up and at the end")
  .option('--out <prefix>', 'file prefix for the CSV and JSON (default bench/results/soak-<time>)');
program.parse(process.argv);
const options = program.opts<{
  minutes: number;
  warmupMinutes: number;
  rate: number;
  recordBytes: number;
  partitions: number;
  rebalanceEveryS: number;
  sampleEveryS: number;
  shards?: number;
  heapSnapshots?: string;
  out?: string;
}>();

const command = `npm run soak -- ${process.argv.slice(2).join(' ')}`;
const facts = printMachineFacts('lanes soak: memory under steady traffic and a rebalance per cycle', command);
const outPrefix = options.out ?? join('bench', 'results', `soak-${facts.date.replace(/[:.]/g, '-')}`);
mkdirSync(join(outPrefix, '..'), { recursive: true });

const dataDir = mkdtempSync(join(tmpdir(), 'lanes-soak-'));
const execArgv: string[] = [];
if (options.heapSnapshots !== undefined) {
  mkdirSync(options.heapSnapshots, { recursive: true });
  execArgv.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${options.heapSnapshots}`);
}
const broker = await startCliBroker({ dataDir, storage: 'disk', shards: options.shards, admin: true, execArgv, onStderr: (text) => process.stderr.write(`broker: ${text}`) });
console.log(`# broker: pid ${broker.pid}, lanes start --storage disk --dev --admin-port 0, at ${broker.address}, data in ${dataDir}`);
console.log(
  `# parameters: ${options.minutes} min, warm-up ${options.warmupMinutes} min, ${options.rate} records/s of ${options.recordBytes} B, ` +
    `${options.partitions} partitions, 2 group members, one leaves and rejoins every ${options.rebalanceEveryS} s, sample every ${options.sampleEveryS} s`,
);
let brokerExited: number | string | null = null;
void broker.exited.then((code) => {
  brokerExited = code;
});

const kafka = new Kafka({ clientId: 'soak', brokers: [broker.address] });
const topic = 'soak';
const groupId = 'soak-group';
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions }] });
await admin.disconnect();

// Producer: a steady rate, sent every 100 ms; each value carries its sequence number.
const producer = kafka.producer();
await producer.connect();
const padding = 'x'.repeat(Math.max(0, options.recordBytes - 16));
let produced = 0;
let produceErrors = 0;
let sendInFlight = false;
const perTick = options.rate / 10;
let owed = 0;
const produceTimer = setInterval(() => {
  owed += perTick;
  if (sendInFlight) return;
  const count = Math.floor(owed);
  if (count === 0) return;
  owed -= count;
  const messages = Array.from({ length: count }, (_, i) => ({ key: `k${(produced + i) % 1000}`, value: `${String(produced + i).padStart(15, '0')}:${padding}` }));
  sendInFlight = true;
  producer
    .send({ topic, acks: -1, messages })
    .then(
      () => (produced += count),
      (error: unknown) => {
        produceErrors++;
        console.error(`produce failed: ${String(error)}`);
      },
    )
    .finally(() => (sendInFlight = false));
}, 100);

// The group: member 0 stays, member 1 leaves and rejoins every cycle.
let consumed = 0;
let rebalances = 0;
async function startMember(index: number): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  consumer.on(consumer.events.GROUP_JOIN, () => rebalances++);
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async () => {
      consumed++;
    },
  });
  void index;
  return consumer;
}
const stable = await startMember(0);
let cycling = await startMember(1);
let cycles = 0;
let cycleBusy = false;
const rebalanceTimer = setInterval(() => {
  if (cycleBusy) return;
  cycleBusy = true;
  (async () => {
    await cycling.disconnect();
    cycling = await startMember(1);
    cycles++;
  })()
    .catch((error: unknown) => console.error(`member cycle failed: ${String(error)}`))
    .finally(() => (cycleBusy = false));
}, options.rebalanceEveryS * 1000);

// Sampling.
interface Sample {
  elapsedS: number;
  rssMiB: number;
  rssAnonMiB: number;
  rssFileMiB: number;
  rssShmemMiB: number;
  heapUsedMiB: number | null;
  heapTotalMiB: number | null;
  externalMiB: number | null;
  openFds: number;
  threads: number;
  produced: number;
  consumed: number;
  rebalances: number;
}
const samples: Sample[] = [];
const MiB = 1024 * 1024;
const round1 = (value: number) => Math.round(value * 10) / 10;

async function heapFigures(): Promise<{ used: number; total: number; external: number } | null> {
  if (broker.adminUrl === null) return null;
  try {
    const text = await (await fetch(`${broker.adminUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    return { used: metric('nodejs_heap_size_used_bytes'), total: metric('nodejs_heap_size_total_bytes'), external: metric('nodejs_external_memory_bytes') };
  } catch {
    return null;
  }
}

const startedAt = performance.now();
async function sample(): Promise<void> {
  const proc = readProcessSample(broker.pid);
  if (proc === null) return;
  const heap = await heapFigures();
  const row: Sample = {
    elapsedS: Math.round((performance.now() - startedAt) / 1000),
    rssMiB: round1(proc.rssBytes / MiB),
    rssAnonMiB: round1(proc.rssAnonBytes / MiB),
    rssFileMiB: round1(proc.rssFileBytes / MiB),
    rssShmemMiB: round1(proc.rssShmemBytes / MiB),
    heapUsedMiB: heap === null ? null : round1(heap.used / MiB),
    heapTotalMiB: heap === null ? null : round1(heap.total / MiB),
    externalMiB: heap === null ? null : round1(heap.external / MiB),
    openFds: proc.openFds,
    threads: proc.threads,
    produced,
    consumed,
    rebalances,
  };
  samples.push(row);
  console.log(
    `t=${String(row.elapsedS).padStart(5)}s  rss ${row.rssMiB.toFixed(1).padStart(7)} MiB (anon ${row.rssAnonMiB.toFixed(0)}, file ${row.rssFileMiB.toFixed(0)}, shmem ${row.rssShmemMiB.toFixed(0)})  heap ${String(row.heapUsedMiB ?? '-').padStart(6)} MiB  ` +
      `fds ${String(row.openFds).padStart(4)}  produced ${produced}  consumed ${consumed}  member cycles ${cycles}  group joins ${rebalances}`,
  );
}

const warmupS = options.warmupMinutes * 60;
let snapshotsTaken = 0;
const totalMs = options.minutes * 60_000;
while (performance.now() - startedAt < totalMs && brokerExited === null) {
  await new Promise((resolve) => setTimeout(resolve, options.sampleEveryS * 1000));
  await sample();
  if (options.heapSnapshots !== undefined && snapshotsTaken === 0 && samples.at(-1)!.elapsedS >= warmupS) {
    broker.child.kill('SIGUSR2');
    snapshotsTaken++;
  }
}
if (options.heapSnapshots !== undefined && brokerExited === null) {
  broker.child.kill('SIGUSR2');
  snapshotsTaken++;
  // Writing a snapshot blocks the broker's main thread for seconds; let it finish.
  await new Promise((resolve) => setTimeout(resolve, 15_000));
}

clearInterval(produceTimer);
clearInterval(rebalanceTimer);
while (cycleBusy) await new Promise((resolve) => setTimeout(resolve, 100));
await Promise.allSettled([cycling.disconnect(), stable.disconnect(), producer.disconnect()]);
const diedDuringRun = brokerExited;
const exitCode = diedDuringRun ?? (await broker.stop());

const counted = samples.filter((row) => row.elapsedS >= warmupS);
const rss = summarize(counted.map((row) => row.rssMiB));
const heapRows = counted.filter((row) => row.heapUsedMiB !== null);
const heap = summarize(heapRows.map((row) => row.heapUsedMiB!));
const fds = summarize(counted.map((row) => row.openFds));
const result = {
  command,
  machine: facts,
  parameters: options,
  brokerExit: exitCode,
  brokerDiedDuringRun: diedDuringRun !== null,
  produced,
  consumed,
  produceErrors,
  memberCycles: cycles,
  groupJoins: rebalances,
  afterWarmup: {
    samples: counted.length,
    rssMiB: {
      ...rss,
      slopePerMinute: round1(leastSquaresSlope(counted.map((row) => [row.elapsedS / 60, row.rssMiB]))),
      // A leak climbs in both halves; memory that levels off has a second-half slope near zero.
      slopePerMinuteFirstHalf: round1(leastSquaresSlope(counted.slice(0, counted.length >> 1).map((row) => [row.elapsedS / 60, row.rssMiB]))),
      slopePerMinuteSecondHalf: round1(leastSquaresSlope(counted.slice(counted.length >> 1).map((row) => [row.elapsedS / 60, row.rssMiB]))),
    },
    heapUsedMiB: { ...heap, slopePerMinute: round1(leastSquaresSlope(heapRows.map((row) => [row.elapsedS / 60, row.heapUsedMiB!]))) },
    openFds: fds,
  },
  heapSnapshots: options.heapSnapshots === undefined ? [] : readdirSync(options.heapSnapshots).filter((name) => name.endsWith('.heapsnapshot')),
  samples,
};
writeFileSync(`${outPrefix}.json`, `${JSON.stringify(result, null, 2)}\n`);
const columns = Object.keys(samples[0] ?? { elapsedS: 0 }) as (keyof Sample)[];
writeFileSync(`${outPrefix}.csv`, [columns.join(','), ...samples.map((row) => columns.map((column) => row[column] ?? '').join(','))].join('\n') + '\n');
rmSync(dataDir, { recursive: true, force: true });

console.log('');
console.log(`## soak summary (${counted.length} samples after a ${options.warmupMinutes} min warm-up)`);
console.log(`broker: ${diedDuringRun === null ? `ran throughout, exit ${exitCode} on SIGTERM` : `DIED during the run (${diedDuringRun})`}`);
console.log(`traffic: produced ${produced}, consumed ${consumed} (at-least-once, so ≥ produced when all caught up), produce errors ${produceErrors}`);
console.log(`group: ${cycles} leave/rejoin cycles, ${rebalances} group joins`);
console.log(
  `RSS MiB: min ${rss.min} max ${rss.max} first ${rss.first} last ${rss.last}, slope ${result.afterWarmup.rssMiB.slopePerMinute} MiB/min ` +
    `(first half ${result.afterWarmup.rssMiB.slopePerMinuteFirstHalf}, second half ${result.afterWarmup.rssMiB.slopePerMinuteSecondHalf})`,
);
console.log(`heap used MiB (main thread): min ${heap.min} max ${heap.max}, slope ${result.afterWarmup.heapUsedMiB.slopePerMinute} MiB/min`);
console.log(`open fds: min ${fds.min} max ${fds.max}`);
console.log(`samples: ${outPrefix}.csv, ${outPrefix}.json${snapshotsTaken > 0 ? `; heap snapshots in ${options.heapSnapshots}` : ''}`);
process.exit(diedDuringRun === null && produceErrors === 0 ? 0 : 1);
