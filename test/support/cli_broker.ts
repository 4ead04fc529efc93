// Crash tests: the built CLI (`node bin/lanes.js start`, from dist/ — run `npm run build:ts`
// first) as a child process on a free port, so a test can SIGKILL the real broker process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/lanes.js', import.meta.url));

export interface CliBroker {
  readonly address: string;
  readonly child: ChildProcess;
  /** SIGKILL (kill -9) and wait for the process to be gone. */
  kill(): Promise<void>;
}

/** Starts `lanes start` on `dataDir` and resolves once it prints where it listens. */
export async function startCliBroker(dataDir: string, extraArgs: readonly string[] = []): Promise<CliBroker> {
  const child = spawn(process.execPath, [bin, 'start', '--data-dir', dataDir, '--port', '0', '--dev', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LANES_LOG_LEVEL: process.env.LANES_LOG_LEVEL ?? 'warn' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let address: string | null = null;
  for await (const line of createInterface({ input: child.stdout! })) {
    const match = /listening on (\S+) /.exec(line);
    if (match !== null) {
      address = match[1];
      break;
    }
  }
  if (address === null) throw new Error(`lanes start exited before listening (exit code ${child.exitCode}); is dist/ built (npm run build:ts)?`);
  // Keep draining stdout so the child never blocks on a full pipe.
  child.stdout!.resume();
  return {
    address,
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
