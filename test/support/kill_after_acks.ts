// Crash tests: run a TypeScript child (through tsx) that prints `acked <fields…>` for every
// acknowledged write, SIGKILL it after `acks` such lines, and hand back the fields of each line
// in order — what the child was told is durable when it died.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export async function killAfterAcks(script: string, args: string[], acks: number): Promise<string[][]> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LANES_LOG_LEVEL: 'warn' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const acked: string[][] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const [word, ...fields] = line.split(' ');
    if (word !== 'acked') continue;
    acked.push(fields);
    if (acked.length >= acks) {
      child.kill('SIGKILL');
      break;
    }
  }
  await exited;
  return acked;
}
