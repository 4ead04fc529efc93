// `lanes start` as a child process, run from the BUILT CLI (node bin/lanes.js, which loads
// dist/, checked fresh by built_cli.ts): what an operator runs. `npm run build:ts` first. A
// `prefix` runs it under another command (e.g. prlimit for a low open files limit) that execs
// node, so the pid stays node's.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { assertDistFresh, lanesBin, repoRoot } from './built_cli.js';
import { timeoutMs } from './timeouts.js';

/**
 * A start (until it listens, or a failing run until it exits) or a stop (from the signal to the
 * exit) that takes longer than this is hung: kill it so the test fails rather than stalls. Only
 * those: a broker serving a test file's tests lives as long as they take.
 */
const hangBoundMs = timeoutMs(60_000);

export interface BrokerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningBroker {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** Output so far. */
  output(): { stdout: string; stderr: string };
  /** SIGTERM (default) or SIGKILL, then the run's result. */
  stop(signal?: NodeJS.Signals): Promise<BrokerRun>;
}

export interface SpawnOptions {
  prefix?: readonly string[];
  env?: Record<string, string>;
}

export interface SpawnedBroker {
  child: ChildProcessWithoutNullStreams;
  done: Promise<BrokerRun>;
  output: () => { stdout: string; stderr: string };
  /** SIGKILLs the child unless it exits within the hang bound from now; cancelled by `disarm`. */
  armHangBound(): void;
  disarm(): void;
}

/** Spawns `lanes start`; the caller arms the hang bound over the stretch it waits for. */
export function spawnBroker(args: readonly string[], options: SpawnOptions = {}): SpawnedBroker {
  assertDistFresh();
  const command = [...(options.prefix ?? []), process.execPath, lanesBin, 'start', '--port', '0', ...args];
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  // The child's level comes from its flags, not from the test runner's.
  delete env.LANES_LOG_LEVEL;
  delete env.VITEST;
  const child = spawn(command[0], command.slice(1), { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let timer: NodeJS.Timeout | undefined;
  const disarm = (): void => clearTimeout(timer);
  const armHangBound = (): void => {
    disarm();
    timer = setTimeout(() => child.kill('SIGKILL'), hangBoundMs);
  };
  // Unbounded while it serves, so it must not outlive the test process that forgot to stop it.
  const killOnExit = (): boolean => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const done = new Promise<BrokerRun>((resolve) => {
    child.on('close', (code, signal) => {
      disarm();
      process.removeListener('exit', killOnExit);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }), armHangBound, disarm };
}

/** Runs `lanes start` expecting it to fail: its exit status and output. */
export function runFailingBroker(args: readonly string[], options: SpawnOptions = {}): Promise<BrokerRun> {
  const { child, done, armHangBound } = spawnBroker(args, options);
  armHangBound();
  // Should it start after all, stop it so the test sees a 0 exit instead of hanging.
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('listening on')) child.kill('SIGTERM');
  });
  return done;
}

/** Starts `lanes start` and resolves once it listens; rejects with its output if it exits first. */
export async function startBroker(args: readonly string[], options: SpawnOptions = {}): Promise<RunningBroker> {
  const { child, done, output, armHangBound, disarm } = spawnBroker(args, options);
  armHangBound();
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (): void => {
      const match = /listening on \S+:(\d+) \(Kafka protocol[^)]*\)/.exec(output().stdout);
      if (match === null) return;
      // Started: the bound ends here (a later stop arms its own).
      child.stdout.off('data', onData);
      disarm();
      resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    void done.then((run) => reject(new Error(`lanes start exited (${run.code ?? run.signal}) before listening:\n${run.stderr}`)));
  });
  return {
    child,
    port,
    output,
    stop: (signal = 'SIGTERM') => {
      armHangBound();
      child.kill(signal);
      return done;
    },
  };
}

/** The lines of a run's stderr and stdout that are pino records, parsed. */
export function logRecords(text: string): { level: number; msg: string; component?: string; [key: string]: unknown }[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });
}

/** The lines of stderr that are not log records: what a user reads. */
export function plainLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
}
