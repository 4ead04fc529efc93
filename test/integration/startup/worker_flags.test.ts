// Goal: an embedded broker starts whatever flags its process was started with. Shard workers
// used to inherit the parent's `process.execArgv`; in `node --input-type=module -e "…"` (a
// one-liner, or a tool that evaluates ESM that way) every shard then died at once with
// ERR_INPUT_TYPE_NOT_ALLOWED. Method: run exactly that one-liner against the built package
// (two worker shards, a produce acknowledged, stop) and expect it to finish cleanly; and check
// which of a parent's flags workerExecArgv passes on.
import { describe, expect, it } from 'vitest';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { workerExecArgv } from '../../../actors/spawn.js';
import { assertDistFresh, repoRoot } from '../../support/built_cli.js';
import { timeoutMs } from '../../support/timeouts.js';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, LANES_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('shard workers and the parent process flags', () => {
  it('an embedded broker starts, acknowledges a produce and stops under node --input-type=module -e', { timeout: timeoutMs(60_000) }, async () => {
    assertDistFresh();
    const entry = pathToFileURL(join(repoRoot, 'dist', 'actors', 'host', 'index.js')).href;
    const script = [
      `import { Lanes } from ${JSON.stringify(entry)};`,
      `const lanes = await Lanes.start({ shards: 2, shardThreads: 'workers' });`,
      `const producer = lanes.kafka().producer();`,
      `await producer.connect();`,
      `const [ack] = await producer.send({ topic: 't', messages: [{ value: 'v' }] });`,
      `await producer.disconnect();`,
      `await lanes.stop();`,
      `console.log('acked at', ack.baseOffset);`,
    ].join('\n');
    const result = await run(['--input-type=module', '--enable-source-maps', '-e', script]);
    expect(result.stderr).not.toMatch(/ERR_/);
    expect(result.stdout.trim()).toBe('acked at 0');
    expect(result.code).toBe(0);
  });

  it('workers get the diagnostic flags of the parent, not its entry point, loaders or process-wide options', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'code', '--enable-source-maps'])).toEqual(['--enable-source-maps']);
    expect(workerExecArgv(['--eval', 'x', '--print', 'y', '--import', 'tsx', '--max-old-space-size=512', '--expose-gc'])).toEqual([]);
    expect(workerExecArgv(['--conditions', 'development', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '-C', 'x'])).toEqual(['--conditions', 'development', '--cpu-prof', '--cpu-prof-dir=/tmp/p', '-C', 'x']);
    // A flag's value is never read as a flag of its own.
    expect(workerExecArgv(['--eval', '--enable-source-maps'])).toEqual([]);
  });
});
