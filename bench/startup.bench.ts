// Start-up cost: how long until a broker serves, and what an idle one costs. The embedded use (a
// real broker inside a test suite) lives or dies by these figures. Every sample runs in a fresh
// child process, so nothing is warm (module cache, JIT, page cache of our own files aside):
//
//   import       `import('lanes')` in a fresh process (the main entry), in-process clock
//   cli          `lanes topic list --brokers <a running broker>`: spawn → exit, the whole command
//                (its CPU time from a hook preloaded with --import that prints it at exit)
//   embedded     in one child: Lanes.start() → ready; → first produce acknowledged (a producer
//                connected and one record sent, timed from before start() was called); stop();
//                then --warm more start/stop cycles in the same process (a per-test broker)
//   lanes start  `node bin/lanes.js start --storage memory --port 0`: spawn → "listening" on
//                stdout (CPU time: the child's, read from /proc when it says so); SIGTERM → exit
//   worker       a worker thread's boot, in CPU: one that imports nothing (Node's own floor) and
//                one that imports a shard's modules (shard/shard_instance), each to its first message
//   footprint    after Lanes.start() with memory storage: RSS and heap; with disk storage on an
//                empty data dir: RSS, files and bytes the start left in the directory
//
// Beside each duration, the CPU time the process spent meanwhile (user + system, every thread:
// process.cpuUsage() is process-wide), the figure that holds on a shared machine where wall-clock
// durations mostly measure the wait for a core.
//
// Median and p90 (nearest rank) over --samples samples. Run from a built tree:
//
//   npm run build:ts && node dist/bench/startup.bench.js [--samples 10] [--warm 5] [--shards N]
//                                                     [--only import,cli,embedded,start,worker,footprint]
//                                                     [--unbundled]
//
// import and embedded load the package entry a user gets (`lanes`: the bundle bin/bundle.js makes,
// when built); --unbundled loads the compiled modules under dist/actors instead. cli and start run
// bin/lanes.js, which takes the bundled CLI when built.
//
// The parent imports nothing of Lanes itself; a child re-runs this file with --child <what>.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '10' },
    warm: { type: 'string', default: '5' },
    shards: { type: 'string' },
    only: { type: 'string', default: 'import,cli,embedded,start,worker,footprint' },
    child: { type: 'string' },
    unbundled: { type: 'boolean', default: false },
  },
});

const here = fileURLToPath(import.meta.url);
/** The built package: dist/bench/startup.bench.js → the repository root. */
const root = fileURLToPath(new URL(here.endsWith('.ts') ? '..' : '../..', import.meta.url));
/**
 * The package entry as a user imports it: the bundle (dist/bundle/index.js, whose shards start the
 * bundled worker entry) when built, else the compiled modules; --unbundled takes the compiled
 * modules (and their workers) even beside a bundle, to compare the two.
 */
const bundleUrl = new URL('../bundle/index.js', import.meta.url);
const entryUrl = here.endsWith('.ts')
  ? new URL('../actors/host/index.ts', import.meta.url).href
  : !values.unbundled && existsSync(fileURLToPath(bundleUrl))
    ? bundleUrl.href
    : new URL('../actors/host/index.js', import.meta.url).href;
const shards = values.shards === undefined ? undefined : Number(values.shards);

interface ChildReport {
  [key: string]: number;
}

function report(result: ChildReport): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Threads of this process (Linux: /proc/self/task); NaN elsewhere. */
function threadCount(): number {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return Number.NaN;
  }
}

function directoryUsage(directory: string): { files: number; bytes: number; allocatedBytes: number } {
  let files = 0;
  let bytes = 0;
  let allocatedBytes = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const stat = statSync(join(entry.parentPath, entry.name));
    files += 1;
    bytes += stat.size;
    allocatedBytes += stat.blocks * 512;
  }
  return { files, bytes, allocatedBytes };
}

const MiB = 1024 * 1024;

/** CPU time (user + system, all threads of this process) since `since`, in ms. */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** CPU this process spends while a new worker imports `moduleUrl` (or nothing) and answers. */
async function workerBootCpuMs(moduleUrl: string | null): Promise<number> {
  const load = moduleUrl === null ? 'Promise.resolve()' : `import(${JSON.stringify(moduleUrl)})`;
  const before = process.cpuUsage();
  const worker = new Worker(`${load}.then(() => require('node:worker_threads').parentPort.postMessage('ready'));`, { eval: true });
  await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const cpuMs = cpuMsSince(before);
  await worker.terminate();
  return cpuMs;
}

async function child(what: string): Promise<void> {
  if (what === 'worker') {
    // Before anything of Lanes is loaded on this thread: the worker's figure is its own.
    const emptyWorkerCpuMs = await workerBootCpuMs(null);
    const shardModule = new URL(here.endsWith('.ts') ? '../actors/shard/shard_instance.ts' : '../actors/shard/shard_instance.js', import.meta.url).href;
    const shardWorkerCpuMs = await workerBootCpuMs(shardModule);
    return report({ emptyWorkerCpuMs, shardWorkerCpuMs });
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lanes = (await import(entryUrl)) as typeof import('../actors/host/index.js');
  const importMs = performance.now() - t0;
  const importCpuMs = cpuMsSince(cpu0);
  if (what === 'import') return report({ importMs, importCpuMs });
  if (what === 'embedded') {
    const warm = Number(values.warm);
    const beforeStart = performance.now();
    const cpuBeforeStart = process.cpuUsage();
    const broker = await lanes.Lanes.start({ shards });
    const readyMs = performance.now() - beforeStart;
    const readyCpuMs = cpuMsSince(cpuBeforeStart);
    const producer = broker.kafka({ clientId: 'startup' }).producer();
    await producer.connect();
    await producer.send({ topic: 'startup', messages: [{ value: 'x' }] });
    const firstProduceMs = performance.now() - beforeStart;
    const firstProduceCpuMs = cpuMsSince(cpuBeforeStart);
    await producer.disconnect();
    const beforeStop = performance.now();
    const cpuBeforeStop = process.cpuUsage();
    await broker.stop();
    const stopMs = performance.now() - beforeStop;
    const stopCpuMs = cpuMsSince(cpuBeforeStop);
    // A per-test broker: later starts in the same process (modules loaded, JIT warm).
    let warmReadyMs = 0;
    let warmStopMs = 0;
    for (let i = 0; i < warm; i++) {
      const before = performance.now();
      const again = await lanes.Lanes.start({ shards });
      const ready = performance.now();
      await again.stop();
      warmReadyMs += ready - before;
      warmStopMs += performance.now() - ready;
    }
    return report({
      importMs,
      importCpuMs,
      readyMs,
      readyCpuMs,
      firstProduceMs,
      firstProduceCpuMs,
      stopMs,
      stopCpuMs,
      warmReadyMs: warmReadyMs / Math.max(1, warm),
      warmStopMs: warmStopMs / Math.max(1, warm),
    });
  }
  if (what === 'footprint-memory') {
    const before = process.memoryUsage();
    const broker = await lanes.Lanes.start({ shards });
    // Let the shards finish booting their loops before reading the figures.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = process.memoryUsage();
    const threads = threadCount();
    await broker.stop();
    return report({ rssBeforeMiB: before.rss / MiB, rssMiB: after.rss / MiB, heapUsedMiB: after.heapUsed / MiB, threads });
  }
  if (what === 'footprint-disk') {
    const dataDir = mkdtempSync(join(tmpdir(), 'lanes-startup-'));
    try {
      const broker = await lanes.Lanes.start({ shards, storage: 'disk', dataDir });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const rss = process.memoryUsage().rss;
      const usage = directoryUsage(dataDir);
      await broker.stop();
      return report({ rssMiB: rss / MiB, files: usage.files, bytes: usage.bytes, allocatedKiB: usage.allocatedBytes / 1024 });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  throw new Error(`unknown --child ${what}`);
}

function runChild(what: string): Promise<ChildReport> {
  const args = [...process.execArgv, here, '--child', what, '--warm', values.warm];
  if (values.unbundled) args.push('--unbundled');
  if (shards !== undefined) args.push('--shards', String(shards));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LANES_LOG_LEVEL: 'warn' } });
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`child ${what} exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildReport);
    });
  });
}

const lanesBin = join(root, 'bin', 'lanes.js');

/** CPU time (user + system, every thread) process `pid` has used so far, from /proc (Linux; 10 ms ticks); NaN elsewhere. */
function procCpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Preloaded into a spawned command: writes its CPU time at exit to stderr on a marked line, since
 * a process that has exited can no longer be read from /proc.
 */
const cpuAtExitMarker = 'startup-bench-cpu-ms';
const cpuAtExit = `data:text/javascript,import{writeSync}from'node:fs';process.on('exit',()=>{const u=process.cpuUsage();writeSync(2,'${cpuAtExitMarker} '+(u.user+u.system)/1000+'\\n')})`;

/** `lanes start` (memory): spawn → "listening"; SIGTERM → exit. Resolves with the address too. */
function lanesStart(keep = false): Promise<{ listeningMs: number; listeningCpuMs: number; stopMs: number; address: string; stopNow?: () => Promise<number> }> {
  const args = [lanesBin, 'start', '--storage', 'memory', '--port', '0'];
  if (shards !== undefined) args.push('--shards', String(shards));
  return new Promise((resolve, reject) => {
    const spawned = performance.now();
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LANES_LOG_LEVEL: 'warn' } });
    let out = '';
    let listeningMs = -1;
    let exited: (ms: number) => void = () => {};
    const exit = new Promise<number>((resolveExit) => (exited = resolveExit));
    let killedAt = 0;
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (listeningMs < 0) reject(new Error(`lanes start exited (${code ?? signal}) before listening: ${out}`));
      exited(performance.now() - killedAt);
    });
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening on (\S+) /.exec(out);
      if (match === null || listeningMs >= 0) return;
      listeningMs = performance.now() - spawned;
      const listeningCpuMs = procCpuMs(proc.pid);
      const stopNow = () => {
        killedAt = performance.now();
        proc.kill('SIGTERM');
        return exit;
      };
      if (keep) resolve({ listeningMs, listeningCpuMs, stopMs: Number.NaN, address: match[1], stopNow });
      else void stopNow().then((stopMs) => resolve({ listeningMs, listeningCpuMs, stopMs, address: match[1] }));
    });
  });
}

/** A client command, spawn → exit, and the CPU time it used. */
function cliCommand(brokers: string): Promise<{ ms: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const proc = spawn(process.execPath, ['--import', cpuAtExit, lanesBin, 'topic', 'list', '--brokers', brokers], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const ms = performance.now() - started;
      const marked = new RegExp(`^${cpuAtExitMarker} (\\S+)$`, 'm').exec(err);
      process.stderr.write(err.replace(new RegExp(`^${cpuAtExitMarker} .*\\n`, 'm'), ''));
      if (code === 0) resolve({ ms, cpuMs: marked === null ? Number.NaN : Number(marked[1]) });
      else reject(new Error(`lanes topic list exited with ${code}`));
    });
  });
}

async function parent(): Promise<void> {
  const { printMachineFacts } = await import('./support/machine.js');
  const { median, percentileNearestRank } = await import('./e2e/stats.js');
  const samples = Number(values.samples);
  const only = new Set(values.only.split(','));
  printMachineFacts('start-up: import, start → ready, first produce, stop, footprint', `node dist/bench/startup.bench.js ${process.argv.slice(2).join(' ')}`.trim());
  const [one, five, fifteen] = loadavg().map((load) => load.toFixed(2));
  console.log(`# load average ${one} ${five} ${fifteen} (at the start); shards ${shards ?? `default (${availableParallelism()} here)`}; ${samples} samples, a fresh process each`);
  console.log(`# entry imported: ${fileURLToPath(entryUrl).slice(root.length)}`);
  console.log('');
  console.log('| measurement | median | p90 | unit |');
  console.log('|---|---:|---:|---|');
  const row = (name: string, figures: number[], unit: string, digits = 0) => {
    if (figures.length === 0) return;
    console.log(`| ${name} | ${median(figures).toFixed(digits)} | ${percentileNearestRank(figures, 0.9).toFixed(digits)} | ${unit} |`);
  };
  const collect = async (what: string) => {
    const reports: ChildReport[] = [];
    for (let i = 0; i < samples; i++) reports.push(await runChild(what));
    return (key: string) => reports.map((r) => r[key]);
  };
  if (only.has('import')) {
    const figures = await collect('import');
    row("import('lanes')", figures('importMs'), 'ms');
    row("import('lanes'), CPU", figures('importCpuMs'), 'ms');
  }
  if (only.has('embedded')) {
    const figures = await collect('embedded');
    row('Lanes.start() → ready (first in process)', figures('readyMs'), 'ms');
    row('Lanes.start() → ready, CPU (every thread: shard workers included)', figures('readyCpuMs'), 'ms');
    row('start() called → first produce acknowledged', figures('firstProduceMs'), 'ms');
    row('start() called → first produce acknowledged, CPU', figures('firstProduceCpuMs'), 'ms');
    row('stop() (first in process)', figures('stopMs'), 'ms');
    row('stop(), CPU', figures('stopCpuMs'), 'ms');
    if (Number(values.warm) > 0) {
      row(`Lanes.start() → ready (warm, mean of ${values.warm} per process)`, figures('warmReadyMs'), 'ms');
      row(`stop() (warm, mean of ${values.warm} per process)`, figures('warmStopMs'), 'ms');
    }
  }
  if (only.has('worker')) {
    const figures = await collect('worker');
    row('worker thread boot, importing nothing, CPU', figures('emptyWorkerCpuMs'), 'ms');
    row("worker thread boot, importing a shard's modules, CPU", figures('shardWorkerCpuMs'), 'ms');
  }
  if (only.has('start')) {
    const listening: number[] = [];
    const listeningCpu: number[] = [];
    const stopping: number[] = [];
    for (let i = 0; i < samples; i++) {
      const sample = await lanesStart();
      listening.push(sample.listeningMs);
      listeningCpu.push(sample.listeningCpuMs);
      stopping.push(sample.stopMs);
    }
    row('`lanes start` spawn → listening', listening, 'ms');
    row('`lanes start` spawn → listening, CPU (every thread; 10 ms ticks)', listeningCpu, 'ms');
    row('`lanes start` SIGTERM → exit', stopping, 'ms');
  }
  if (only.has('cli')) {
    const server = await lanesStart(true);
    const figures: { ms: number; cpuMs: number }[] = [];
    try {
      for (let i = 0; i < samples; i++) figures.push(await cliCommand(server.address));
    } finally {
      await server.stopNow!();
    }
    row('`lanes topic list` spawn → exit', figures.map((f) => f.ms), 'ms');
    row('`lanes topic list` spawn → exit, CPU', figures.map((f) => f.cpuMs), 'ms');
  }
  if (only.has('footprint')) {
    const memory = await collect('footprint-memory');
    row('RSS after import, before start', memory('rssBeforeMiB'), 'MiB', 1);
    row('RSS after start (memory storage)', memory('rssMiB'), 'MiB', 1);
    row('heap used after start (main thread)', memory('heapUsedMiB'), 'MiB', 1);
    row('threads after start', memory('threads'), 'threads');
    const disk = await collect('footprint-disk');
    row('RSS after start (disk, empty data dir)', disk('rssMiB'), 'MiB', 1);
    row('files in the data dir after start', disk('files'), 'files');
    row('bytes in the data dir after start', disk('bytes'), 'B');
    row('allocated in the data dir after start', disk('allocatedKiB'), 'KiB');
  }
  const [after] = loadavg();
  console.log('');
  console.log(`# load average ${after.toFixed(2)} (at the end)`);
}

if (values.child !== undefined) await child(values.child);
else await parent();
