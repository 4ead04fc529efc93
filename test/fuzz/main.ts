// The long fuzz run: `npm run fuzz -- --minutes 30` (see fuzz_run.ts for what it does). Prints
// progress (frames sent, rate, broker RSS, errors) and at the end the figures RELIABILITY.md
// quotes; writes every crash (frames as hex, broker stderr) to a JSON file. A crash does not stop
// the run: the broker is restarted on the same data and fuzzing goes on. Exit status 1 when the
// broker crashed, the good client failed, or acked data was missing after the restart.
//
//   npm run fuzz -- --minutes 30 [--frames N] [--data-dir-max-mib 20480] [--disk-free-min-mib 2048] [--seed N] [--connections 16] [--pipeline 1] [--sentinel-wait-ms 10000] [--frames-per-write 16]
//                   [--mutation-chance 0.7] [--apis Produce,Fetch] [--no-skip-list] [--report fuzz-report.json]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { Command } from 'commander';
import { printMachineFacts } from '../../bench/support/machine.js';
import { runFuzz, type FuzzStats } from './fuzz_run.js';
import { positiveNumber } from '../../bench/support/positive_number.js';

const program = new Command()
  .name('fuzz')
  .description('fuzz a `lanes start --storage disk` broker over TCP beside a good client')
  .option('--minutes <n>', 'fuzzing time (default 30, or no limit with --frames)', positiveNumber)
  .option('--frames <n>', 'stop once the broker has read this many frames, if before --minutes (the same seed then sends about the same frames whatever the machine\'s load)', positiveNumber)
  // A long unattended run must not fill the disk: fuzzing stops (and the run fails, saying why)
  // before either bound is crossed. See RELIABILITY.md for the data directory's measured growth.
  .option('--data-dir-max-mib <n>', 'stop fuzzing if the broker\'s data directory grows past this', positiveNumber, 20_480)
  .option('--disk-free-min-mib <n>', 'stop fuzzing if its file system has less free than this', positiveNumber, 2048)
  .option('--seed <n>', 'seed (default: LANES_SEED, else a fresh one)', (value) => Number(value) >>> 0)
  .option('--connections <n>', 'parallel fuzz connections (each waits for its sentinel; more of them overlap the waits)', positiveNumber, 16)
  .option('--pipeline <n>', 'writes outstanding at once per connection (each ends in its sentinel; more than 1 loses the writes queued behind a close)', positiveNumber, 1)
  // Longer than the bounded test's 3 s: an abandoned write's requests still cost the broker their
  // work, so on a loaded machine a short wait sends new writes faster than the broker finishes the
  // old ones and the run collapses into abandoned writes (measured: 16 connections, answers stopped
  // for minutes while abandons went on at 16 per 3 s).
  .option('--sentinel-wait-ms <ms>', 'how long the oldest unanswered sentinel is waited for before the connection is abandoned', positiveNumber, 10_000)
  .option('--frames-per-write <n>', 'at most this many frames per write (then the sentinel)', positiveNumber, 16)
  .option('--mutation-chance <p>', 'the chance that a write ends in a mutated frame', Number, 0.7)
  .option('--prefill-partitions <n>', 'create this many partitions before fuzzing, to measure the steady state of a long run (whose fuzzed CreateTopics fill the partition cap)', positiveNumber)
  .option('--shards <n>', 'broker shard threads (default one per core)', positiveNumber)
  .option('--apis <names>', 'fuzz only these APIs, comma-separated Kafka names (e.g. JoinGroup,SyncGroup)', (value) => value.split(','))
  .option('--no-skip-list', 'send the known crashes too (to check their fixes)')
  .option('--report <file>', 'JSON report with every crash, skipped example and figure', 'fuzz-report.json');
program.parse(process.argv);
const options = program.opts<{ apis?: string[]; minutes?: number; frames?: number; dataDirMaxMib: number; diskFreeMinMib: number; prefillPartitions?: number; seed?: number; connections: number; pipeline: number; sentinelWaitMs: number; framesPerWrite: number; mutationChance: number; shards?: number; skipList: boolean; report: string }>();

const seed = options.seed ?? (process.env.LANES_SEED ? Number(process.env.LANES_SEED) >>> 0 : (Math.random() * 0x1_0000_0000) >>> 0);
const skipList = options.skipList && process.env.LANES_FUZZ_NO_SKIP !== '1';
printMachineFacts('lanes fuzz: mutated frames over TCP to `lanes start --storage disk`, a good client beside', `npm run fuzz -- ${process.argv.slice(2).join(' ')}`);
console.log(`# seed ${seed} (replay: LANES_SEED=${seed}), ${options.connections} connections × ${options.pipeline} writes in flight × ${options.framesPerWrite} frames per write, sentinel wait ${options.sentinelWaitMs} ms, mutation chance ${options.mutationChance}, skip-list ${skipList ? 'on' : 'OFF'}`);

let crashCount = 0;
let lastFrames = 0;
let lastAt = 0;
const rates: number[] = [];
function line(stats: FuzzStats): string {
  const rate = stats.elapsedMs > lastAt ? ((stats.framesSent - lastFrames) * 1000) / (stats.elapsedMs - lastAt) : 0;
  lastFrames = stats.framesSent;
  lastAt = stats.elapsedMs;
  rates.push(rate);
  const skipped = Object.values(stats.skipped).reduce((total, count) => total + count, 0);
  return (
    `${(stats.elapsedMs / 1000).toFixed(0).padStart(6)}s  frames ${stats.framesSent.toLocaleString('en')} (${Math.round(rate).toLocaleString('en')}/s)  ` +
    `closed ${stats.closedByBroker} answered ${stats.sentinelsAnswered} abandoned ${stats.abandoned} unread ${stats.unreadWrites} skipped ${skipped}  ` +
    `cpu ms/1k frames broker ${perThousand(stats.cpuMs.broker, stats.framesSent)} main ${perThousand(stats.cpuMs.brokerMain, stats.framesSent)} fuzzer ${perThousand(stats.cpuMs.fuzzer, stats.framesSent)}  ` +
    `rss ${stats.rssMiB.last.toFixed(0)} MiB (${stats.rssMiB.min.toFixed(0)}–${stats.rssMiB.max.toFixed(0)})  data dir ${stats.dataDir.mib.toFixed(0)} MiB  ` +
    `good acked ${stats.good.acked} read ${stats.good.consumed} errors ${stats.good.errors.length}  crashes ${stats.crashes.length}  survived bugs ${stats.survivedBugs.count}`
  );
}

function perMillion(value: number, frames: number): string {
  return frames === 0 ? '-' : ((value * 1e6) / frames).toFixed(0);
}

/** CPU ms per 1,000 frames the broker read, so far. */
function perThousand(cpuMs: number, frames: number): string {
  return frames === 0 ? '-' : Math.round((cpuMs * 1000) / frames).toLocaleString('en');
}

const result = await runFuzz({
  seed,
  durationMs: options.minutes !== undefined ? options.minutes * 60_000 : options.frames !== undefined ? Infinity : 30 * 60_000,
  dataDirMiBMax: options.dataDirMaxMib,
  prefillPartitions: options.prefillPartitions,
  diskFreeMiBMin: options.diskFreeMinMib,
  framesMax: options.frames,
  connections: options.connections,
  pipeline: options.pipeline,
  sentinelWaitMs: options.sentinelWaitMs,
  framesPerWrite: options.framesPerWrite,
  mutationChance: options.mutationChance,
  shards: options.shards,
  apis: options.apis,
  skipList,
  stopOnCrash: false,
  progressEveryMs: 10_000,
  onProgress: (stats) => console.log(line(stats)),
  onCrash: (crash) => {
    const file = options.report.replace(/\.json$/, '') + `.crash-${++crashCount}.json`;
    writeFileSync(file, `${JSON.stringify(crash, null, 2)}\n`);
    const reason = /^\w*Error: .*$/m.exec(crash.stderrTail)?.[0] ?? crash.stderrTail.split('\n').find((text) => text.trim() !== '') ?? '';
    console.log(`CRASH ${crashCount} at ${(crash.atMs / 1000).toFixed(0)} s (${crash.known ?? 'UNKNOWN'}, exit ${crash.exit}): ${reason.slice(0, 200)} → ${file}`);
  },
});

writeFileSync(options.report, `${JSON.stringify(result, null, 2)}\n`);
const seconds = result.elapsedMs / 1000;
console.log('');
console.log(`## fuzz summary (seed ${seed})`);
console.log(`frames: ${result.framesSent.toLocaleString('en')} in ${seconds.toFixed(0)} s = ${Math.round(result.framesSent / seconds).toLocaleString('en')} frames/s (${result.mutatedFrames.toLocaleString('en')} mutated)`);
console.log(`writes: ${result.writes.toLocaleString('en')}; sentinel answered ${result.sentinelsAnswered}, closed by the broker ${result.closedByBroker}, abandoned (long poll or wait) ${result.abandoned}; not read (queued behind a close) ${result.unreadWrites.toLocaleString('en')}`);
// What the run would make on this machine idle: the broker's main thread and the fuzzer are one
// thread each, and the two processes share the cores.
const cores = os.availableParallelism();
const ceiling = (cpuMs: number, threads: number): number => (cpuMs === 0 ? Infinity : (result.framesSent * 1000 * threads) / cpuMs);
const idleRate = Math.min(ceiling(result.cpuMs.brokerMain, 1), ceiling(result.cpuMs.fuzzer, 1), ceiling(result.cpuMs.broker + result.cpuMs.fuzzer, cores));
console.log(
  `CPU while fuzzing, ms per 1,000 frames: broker ${perThousand(result.cpuMs.broker, result.framesSent)} (every thread; ${(result.cpuMs.broker / 1000).toFixed(1)} s), ` +
    `its main thread ${perThousand(result.cpuMs.brokerMain, result.framesSent)}, fuzzer and good client ${perThousand(result.cpuMs.fuzzer, result.framesSent)} (${(result.cpuMs.fuzzer / 1000).toFixed(1)} s); ` +
    `idle-machine projection ${Number.isFinite(idleRate) ? Math.round(idleRate).toLocaleString('en') : '-'} frames/s ` +
    `(the least of 1,000 / main thread, 1,000 / fuzzer, ${cores} × 1,000 / (broker + fuzzer)); load average at the end ${os.loadavg().map((load) => load.toFixed(1)).join(' ')}`,
);
const threadShares = Object.entries(result.brokerThreadsCpuMs).filter(([, ms]) => ms > 0);
console.log(`broker CPU per thread, ms per 1,000 frames (main, then other threads by thread id − pid: V8 platform, libuv pool, shard workers): ${threadShares.map(([thread, ms]) => `${thread} ${perThousand(ms, result.framesSent)}`).join(', ')}`);
console.log(`broker RSS: min ${result.rssMiB.min.toFixed(1)} MiB, max ${result.rssMiB.max.toFixed(1)} MiB`);
console.log(
  `data dir: ${result.dataDir.mib.toFixed(1)} MiB when fuzzing stopped (most ${result.dataDir.maxMiB.toFixed(1)} MiB; ${perMillion(result.dataDir.mib, result.framesSent)} MiB per million frames), ` +
    `${(result.dataDir.diskFreeMiB / 1024).toFixed(1)} GiB free on its file system${result.stoppedBy === null ? '' : `; fuzzing STOPPED EARLY: ${result.stoppedBy}`}`,
);
console.log(`skip-list: ${JSON.stringify(result.skipped)}; protected drops ${result.protectedDrops}`);
console.log(`crashes: ${result.crashes.length} (${result.crashes.map((crash) => crash.known ?? 'UNKNOWN').join(', ') || 'none'}); broker restarts ${result.brokerRestarts}`);
console.log(`bugs survived (error lines of the broker: a request failed in its actor, an actor taken offline, an answer not encodable): ${result.survivedBugs.count}`);
for (const bug of result.survivedBugs.lines.slice(0, 5)) console.log(`  ${bug.slice(0, 600)}`);
console.log(`good client: acked ${result.good.acked}, errors ${result.good.errors.length}${result.good.errors.length > 0 ? `: ${result.good.errors.slice(0, 3).join(' | ')}` : ''}`);
console.log(`data after kill -9 and restart: ${result.missingAfterRestart.length} acked records missing; before restart ${result.missingBeforeRestart.length} not read back`);
console.log(`budget bytes held once every client left: ${result.bytesHeldAfterClients === null ? 'not read' : `requests ${result.bytesHeldAfterClients.requests}, responses ${result.bytesHeldAfterClients.responses}`}`);
console.log(`broker exit on SIGTERM: ${result.finalExit}`);
console.log(`report: ${options.report}`);
const failures = [
  result.crashes.length > 0 ? `${result.crashes.length} broker exits` : null,
  result.survivedBugs.count > 0 ? `${result.survivedBugs.count} bugs survived` : null,
  result.good.errors.length > 0 ? `${result.good.errors.length} good-client errors` : null,
  result.missingBeforeRestart.length > 0 ? `${result.missingBeforeRestart.length} acked records not read back` : null,
  result.missingAfterRestart.length > 0 ? `${result.missingAfterRestart.length} acked records missing after kill -9` : null,
  result.finalExit !== 0 ? `exit ${result.finalExit} on SIGTERM` : null,
  result.bytesHeldAfterClients !== null && (result.bytesHeldAfterClients.requests !== 0 || result.bytesHeldAfterClients.responses !== 0)
    ? `budgets not returned once every client left (${JSON.stringify(result.bytesHeldAfterClients)})`
    : null,
  result.stoppedBy !== null ? `stopped early: ${result.stoppedBy}` : null,
].filter((failure) => failure !== null);
console.log(
  failures.length === 0
    ? `VERDICT: PASS — ${result.framesSent.toLocaleString('en')} frames, 0 broker exits, broker RSS ${result.rssMiB.min.toFixed(0)}–${result.rssMiB.max.toFixed(0)} MiB, good client ${result.good.acked} acked and 0 errors, 0 records missing after kill -9 and restart`
    : `VERDICT: FAIL — ${failures.join('; ')}`,
);
process.exit(failures.length > 0 ? 1 : 0);
