// `lanes start` as a child process, run from the BUILT CLI (node bin/lanes.js, which loads
// dist/, checked fresh by built_cli.ts): what an operator runs. `npm run build:ts` first. A
// `prefix` runs it under another command (e.g. prlimit for a low open files limit) that execs
// node, so the pid stays node's.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { assertDistFresh, lanesBin, repoRoot } from './built_cli.js';
import { timeoutMs } from './timeouts.js';

/**
 * A start or stop that takes longer than this (scaled by the timeout knob) is hung: kill it so the
 * test fails rather than stalls. A broker that started is not bounded while it serves (a test file
 * may use it for longer than this on a busy machine); it is killed when the test process exits.
 */
const runBoundMs = 60_000;

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
  /** Lifts the hang bound (the broker started), or sets it again (it is being stopped). */
  bound(on: boolean): void;
}

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
  let timer: NodeJS.Timeout | null = null;
  const bound = (on: boolean) => {
    if (timer !== null) clearTimeout(timer);
    timer = on ? setTimeout(() => child.kill('SIGKILL'), timeoutMs(runBoundMs)) : null;
  };
  bound(true);
  // Unbounded while it serves, so it must not outlive the test process that forgot to stop it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const done = new Promise<BrokerRun>((resolve) => {
    child.on('close', (code, signal) => {
      bound(false);
      process.removeListener('exit', killOnExit);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, output: () => ({ stdout, stderr }), bound };
}

/** Runs `lanes start` expecting it to fail: its exit status and output. */
export function runFailingBroker(args: readonly string[], options: SpawnOptions = {}): Promise<BrokerRun> {
  const { child, done } = spawnBroker(args, options);
  // Should it start after all, stop it so the test sees a 0 exit instead of hanging.
  child.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('listening on')) child.kill('SIGTERM');
  });
  return done;
}

/** Starts `lanes start` and resolves once it listens; rejects with its output if it exits first. */
export async function startBroker(args: readonly string[], options: SpawnOptions = {}): Promise<RunningBroker> {
  const { child, done, output, bound } = spawnBroker(args, options);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', () => {
      const match = /listening on \S+:(\d+) \(Kafka protocol\)/.exec(output().stdout);
      if (match !== null) resolve(Number(match[1]));
    });
    void done.then((run) => reject(new Error(`lanes start exited (${run.code ?? run.signal}) before listening:\n${run.stderr}`)));
  });
  bound(false);
  return {
    child,
    port,
    output,
    stop: (signal = 'SIGTERM') => {
      bound(true);
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
