// Starts a Lanes broker in a child process (bench/load/broker_child.ts through tsx) on a free
// port and returns its address: the load generator must not share its event loop, nor its CPU
// accounting, with the broker it measures. Exported for `lanes bench`.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BrokerProcessOptions {
  /** Shards; default one per core (workers), 1 (inline). */
  shards?: number;
  /** Shards on worker threads (the broker's default) or inline on the child's main thread. */
  shardThreads?: 'workers' | 'inline';
  /** Shared memory for logs and rings; default 2048 MiB. */
  memoryMiB?: number;
  /** Write V8 CPU profiles (one per thread: main and every shard worker) into this directory. */
  cpuProfileDir?: string;
  /** Print the child's GC pauses and event-loop delay when it stops (bench/load/gc_report.ts). */
  gcReport?: boolean;
  /** More node flags for the child. */
  execArgv?: string[];
  /** Milliseconds to wait for the listening line; default 30 s. */
  startTimeoutMs?: number;
  /** 'memory' (default) or 'disk' in `dataDir`, fsync before acks=-1 is answered (flush 'always'). */
  storage?: 'memory' | 'disk';
  /** Required for disk storage. */
  dataDir?: string;
  /** Serve an admin port (its /metrics: the broker's per-request service times); see adminUrl. */
  admin?: boolean;
}

export interface BrokerProcess {
  host: string;
  port: number;
  /** "host:port" */
  address: string;
  shards: number;
  shardThreads: 'workers' | 'inline';
  /** "http://127.0.0.1:port" of the admin port when asked for (options.admin), else null. */
  adminUrl: string | null;
  child: ChildProcess;
  /** SIGTERM, then wait for exit (profiles are written on exit); SIGKILL after 15 s. */
  stop(): Promise<void>;
}

const readyPrefix = 'lanes-load-ready ';
// Brokers still running when this process exits (a crash) are killed with it, not left holding
// a port, gigabytes of shared memory and a core.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
// From source (tsx) the child is broker_child.ts run through tsx; compiled (dist/, as `lanes
// bench` runs) it is the broker_child.js beside this file, run by plain node.
const compiled = import.meta.url.endsWith('.js');
const childEntry = fileURLToPath(new URL(compiled ? './broker_child.js' : './broker_child.ts', import.meta.url));

export async function startBrokerProcess(options: BrokerProcessOptions = {}): Promise<BrokerProcess> {
  const execArgv = [...(compiled ? [] : ['--import', 'tsx']), ...(options.execArgv ?? [])];
  if (options.cpuProfileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`);
  const env: NodeJS.ProcessEnv = { LANES_LOG_LEVEL: 'warn', ...process.env };
  if (options.shards !== undefined) env.LANES_LOAD_SHARDS = String(options.shards);
  if (options.shardThreads !== undefined) env.LANES_LOAD_SHARD_THREADS = options.shardThreads;
  if (options.memoryMiB !== undefined) env.LANES_LOAD_MEMORY_MIB = String(options.memoryMiB);
  if (options.gcReport === true) env.LANES_LOAD_GC_REPORT = '1';
  if (options.admin === true) env.LANES_LOAD_ADMIN = '1';
  if (options.storage === 'disk') {
    if (options.dataDir === undefined) throw new TypeError('startBrokerProcess: disk storage needs a dataDir');
    env.LANES_LOAD_STORAGE = 'disk';
    env.LANES_LOAD_DATA_DIR = options.dataDir;
  }
  const child = spawn(process.execPath, [...execArgv, childEntry], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const ready = await new Promise<{ host: string; port: number; shards: number; shardThreads: 'workers' | 'inline'; adminUrl: string | null }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the broker child did not start within ${timeoutMs} ms`)), timeoutMs);
    const onLine = (line: string) => {
      if (!line.startsWith(readyPrefix)) {
        process.stderr.write(`broker: ${line}\n`);
        return;
      }
      clearTimeout(timer);
      lines.off('line', onLine);
      lines.on('line', (later) => process.stderr.write(`broker: ${later}\n`));
      resolve(JSON.parse(line.slice(readyPrefix.length)) as { host: string; port: number; shards: number; shardThreads: 'workers' | 'inline'; adminUrl: string | null });
    };
    lines.on('line', onLine);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the broker child exited with code ${code} before listening`));
    });
  });
  let stopping: Promise<void> | null = null;
  return {
    ...ready,
    address: `${ready.host}:${ready.port}`,
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null) child.kill('SIGTERM');
        // A broker that does not finish stopping within 15 s is killed: the caller (a benchmark
        // moving on to its next system) must not hang on it. Profiles are lost in that case.
        const timer = setTimeout(() => {
          process.stderr.write(`broker child ${child.pid} did not stop within 15 s of SIGTERM; killing it\n`);
          child.kill('SIGKILL');
        }, 15_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
