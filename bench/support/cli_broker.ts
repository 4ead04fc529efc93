// `lanes start` as a child process, the way a user runs it (the fuzzer, the soak and the crash
// tests start it here): the BUILT CLI (`node bin/lanes.js`,
// which loads dist/), not sources through tsx, so what the fuzzer and the soak exercise is what
// ships. Returns the Kafka address (and the admin URL when asked for), the child's pid for
// /proc sampling, its stderr so far, and stop (SIGTERM, wait) / kill (SIGKILL, wait).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CliBrokerOptions {
  dataDir: string;
  storage?: 'disk' | 'memory';
  shards?: number;
  /** Serve the admin HTTP port (dashboard, /metrics) on a free port. */
  admin?: boolean;
  /** More `lanes start` flags. */
  args?: string[];
  /** More node flags for the child (e.g. --heapsnapshot-signal=SIGUSR2). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** Called with each stderr chunk (the broker's pino log lines). */
  onStderr?: (text: string) => void;
}

export interface CliBroker {
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  /** "host:port" */
  readonly address: string;
  /** The admin port's base URL, or null. */
  readonly adminUrl: string | null;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Everything the child wrote on stderr (the last 1 MiB). */
  stderr(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<number | string>;
  /** SIGKILL (a crash), then wait for the exit. */
  kill(): Promise<number | string>;
}

const repositoryRoot = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../' : '../../', import.meta.url));
const cliEntry = `${repositoryRoot}bin/lanes.js`;
const stderrKept = 1 << 20;

// Brokers still running when this process exits are killed with it rather than left holding a
// port and shared memory.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export async function startCliBroker(options: CliBrokerOptions): Promise<CliBroker> {
  if (!existsSync(`${repositoryRoot}dist/actors/host/cli.js`)) throw new Error('dist/ is missing: run `npm run build:ts` first (the broker runs from the built CLI)');
  const args = [
    ...(options.execArgv ?? []),
    cliEntry,
    'start',
    '--port', '0',
    '--storage', options.storage ?? 'disk',
    '--data-dir', options.dataDir,
    '--dev',
    ...(options.shards === undefined ? [] : ['--shards', String(options.shards)]),
    ...(options.admin === true ? ['--admin-port', '0'] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: repositoryRoot,
    env: { ...process.env, LANES_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  // The last stderrKept characters, as chunks: joined only when asked for. (Joining and slicing
  // a megabyte per chunk made a long fuzz run's own process its bottleneck.)
  const stderrChunks: string[] = [];
  let stderrLength = 0;
  const stderr = (): string => {
    const joined = stderrChunks.join('').slice(-stderrKept);
    stderrChunks.length = 0;
    stderrChunks.push(joined);
    stderrLength = joined.length;
    return joined;
  };
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    stderrChunks.push(text);
    stderrLength += text.length;
    while (stderrChunks.length > 1 && stderrLength - stderrChunks[0].length >= stderrKept) stderrLength -= stderrChunks.shift()!.length;
    options.onStderr?.(text);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  let stdout = '';
  const ready = await new Promise<{ host: string; port: number; adminUrl: string | null }>((resolve, reject) => {
    const onBanner = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const listening = /listening on ([\d.]+):(\d+)/.exec(stdout);
      const admin = /admin on (http:\/\/[^\s]+)/.exec(stdout);
      // The banner is written in one piece; wait for its last line so the admin line is in.
      if (listening !== null && /stop with Ctrl-C/.test(stdout)) {
        // Done with stdout: what follows is drained, not kept (a long run's log would grow it
        // without bound, and searching all of it per chunk is quadratic).
        child.stdout!.off('data', onBanner);
        child.stdout!.resume();
        stdout = '';
        resolve({ host: listening[1], port: Number(listening[2]), adminUrl: admin === null ? null : admin[1].replace(/\/$/, '') });
      }
    };
    child.stdout!.on('data', onBanner);
    void exited.then((code) => reject(new Error(`lanes start exited (${code}) before listening:\n${stderr()}`)));
  });
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return {
    pid: child.pid!,
    ...ready,
    address: `${ready.host}:${ready.port}`,
    child,
    exited,
    stderr,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
