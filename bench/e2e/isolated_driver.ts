// A system driver run in a child process of its own (driver_host.ts serves it there): the
// client library of each row — kafkajs, @platformatic/kafka, librdkafka, ioredis, nats.js, and
// Lanes embedded with its broker — runs apart from the benchmark, so a client that crashes
// (a stack overflow in its socket handler ended a whole `lanes bench` once, in its third round)
// costs the run it happened in: that run is recorded with the child's exit and last words, the
// next run of the system starts a fresh child, and the other systems never notice.
//
// Thread: the benchmark's event loop; the driver's work happens in the child.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DriverReply, DriverRequest } from './driver_host.js';
import type { LiveCounters, Measurement, SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

/** How long a child may take to stop its session (servers, clients) before it is killed. */
const stopTimeoutMs = 30_000;
/** Lines of the child's stderr kept to explain an exit. */
const lastWordsLines = 40;

/**
 * What explains a child's exit in its last lines of stderr: the last error line Node printed
 * ("RangeError: Maximum call stack size exceeded"), else the last line that is not a stack frame.
 */
export function lastWordsOf(lines: readonly string[]): string | null {
  const errorLine = lines.findLast((line) => /^[A-Za-z]*(Error|Exception)\b.*:/.test(line));
  return errorLine ?? lines.findLast((line) => !line.startsWith('at ') && !line.startsWith('Node.js v')) ?? null;
}

// Compiled (dist/, as `lanes bench` runs) the child is bench_driver.js beside this file, bundled
// or not; from source (tsx) it is bench_driver.ts through tsx.
const compiled = import.meta.url.endsWith('.js');
const defaultEntry = fileURLToPath(new URL(compiled ? './bench_driver.js' : './bench_driver.ts', import.meta.url));

// Children still running when this process exits are killed with it, with their servers.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface IsolationOptions {
  /** The child's entry: a script that calls serveDriver() with the driver (default: bench_driver). */
  entry?: string;
}

export function isolated(driver: SystemDriver, options: IsolationOptions = {}): SystemDriver {
  const entry = options.entry ?? defaultEntry;
  return {
    id: driver.id,
    label: driver.label,
    durability: driver.durability,
    durable: driver.durable,
    missing: () => driver.missing(),
    async start(context: SessionContext): Promise<SystemSession> {
      let restarts = 0;
      let child = await DriverChild.start(entry, driver.id, context);
      return {
        async run(workload: Workload, counters: LiveCounters): Promise<Measurement> {
          if (!child.alive) {
            // The last run's child died: a fresh one, on a fresh data directory of its own.
            restarts += 1;
            const dataDir = join(context.dataDir, `restart-${restarts}`);
            mkdirSync(dataDir, { recursive: true });
            child = await DriverChild.start(entry, driver.id, { ...context, dataDir });
          }
          return child.run(workload, counters);
        },
        stop: () => child.stop(),
      };
    },
  };
}

/** One forked child serving the driver, and the one request it is answering. */
class DriverChild {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #lastWords: string[] = [];
  #waiting: { resolve: (reply: DriverReply) => void; reject: (error: Error) => void; counters: LiveCounters | null } | null = null;
  #exit: string | null = null;

  private constructor(entry: string, id: string) {
    const execArgv = compiled || !entry.endsWith('.ts') ? [] : ['--import', 'tsx'];
    this.#child = fork(entry, [id], { execArgv, serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    running.add(this.#child);
    // The child's output goes to stderr: stdout carries the benchmark's table.
    this.#child.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.#lastWords.push(line.trim());
      this.#lastWords.splice(0, Math.max(0, this.#lastWords.length - lastWordsLines));
    });
    this.#child.on('message', (reply: DriverReply) => this.#receive(reply));
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        running.delete(this.#child);
        this.#exit = signal !== null ? `signal ${signal}` : `code ${code}`;
        const lastWords = lastWordsOf(this.#lastWords);
        const words = lastWords !== null ? `: ${lastWords}` : '';
        this.#settle(null, new Error(`the ${id} client process ended (${this.#exit})${words}`));
        resolve();
      });
    });
  }

  static async start(entry: string, id: string, context: SessionContext): Promise<DriverChild> {
    const child = new DriverChild(entry, id);
    try {
      await child.#ask({ kind: 'start', context }, null);
    } catch (error) {
      await child.stop();
      throw error;
    }
    return child;
  }

  get alive(): boolean {
    return this.#exit === null;
  }

  async run(workload: Workload, counters: LiveCounters): Promise<Measurement> {
    const reply = await this.#ask({ kind: 'run', workload }, counters);
    if (reply.kind !== 'measured') throw new Error(`unexpected reply ${reply.kind} to a run`);
    return reply.measurement;
  }

  async stop(): Promise<void> {
    if (this.alive && this.#child.connected) {
      // A stop that fails or hangs still ends in the child's exit (killed below).
      this.#ask({ kind: 'stop' }, null).catch(() => {});
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), stopTimeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #ask(request: DriverRequest, counters: LiveCounters | null): Promise<DriverReply> {
    if (!this.alive) return Promise.reject(new Error(`the client process has ended (${this.#exit})`));
    if (this.#waiting !== null) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject, counters };
      this.#child.send(request);
    });
  }

  #receive(reply: DriverReply): void {
    if (reply.kind === 'counters') {
      if (this.#waiting?.counters != null) {
        this.#waiting.counters.produced = reply.produced;
        this.#waiting.counters.consumed = reply.consumed;
      }
      return;
    }
    if (reply.kind === 'failed') this.#settle(null, new Error(reply.message));
    else this.#settle(reply, null);
  }

  #settle(reply: DriverReply | null, error: Error | null): void {
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting === null) return;
    if (error !== null) waiting.reject(error);
    else if (reply !== null) waiting.resolve(reply);
  }
}
