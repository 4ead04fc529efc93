// Crash tests: run a plain-JavaScript child on the build in dist/ (no TypeScript loader, so it
// starts quickly however busy the machine) that prints `acked <fields…>` for every acknowledged
// write, SIGKILL it after `acks` such lines, and hand back the fields of each line in order —
// what the child was told is durable when it died.
import { createInterface } from 'node:readline';
import { spawnBuiltFixture } from './built_cli.js';

export async function killAfterAcks(script: string, args: string[], acks: number): Promise<string[][]> {
  const child = spawnBuiltFixture(script, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const acked: string[][] = [];
  for await (const line of createInterface({ input: child.stdout! })) {
    const [word, ...fields] = line.split(' ');
    if (word !== 'acked') continue;
    acked.push(fields);
    if (acked.length >= acks) {
      child.kill('SIGKILL');
      break;
    }
  }
  // A child that died by itself (its error is on our stderr) proves nothing about a crash.
  if ((await exited) !== 'SIGKILL') throw new Error(`${script} exited by itself after ${acked.length} of ${acks} acknowledgements`);
  return acked;
}
