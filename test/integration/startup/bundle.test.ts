// Goal: the bundles (`npm run build:ts` → bin/bundle.js → dist/bundle/) are what the package
// serves, and they stand alone: the package entry's shard workers start from the bundled worker
// entry beside it, not from the compiled modules under dist/actors (a bundle that reached back
// there would load ~140 modules per thread again, or break where dist/actors is absent).
// Method: a copy of the package holding only package.json, dist/bundle/ and the WASM kernels, and
// a child process that imports `lanes` from it by its exports, starts a broker with two worker
// shards, has a record acknowledged and stops; then the CLI of the same copy answers --version.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertDistFresh, repoRoot } from '../../support/built_cli.js';
import { timeoutMs } from '../../support/timeouts.js';

const copies: string[] = [];
afterAll(() => {
  for (const copy of copies) rmSync(copy, { recursive: true, force: true });
});

/** The package with nothing compiled but its bundles: package.json, bin/, dist/bundle/, wasm/build/. */
function bundleOnlyCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), 'lanes-bundle-only-'));
  copies.push(copy);
  cpSync(join(repoRoot, 'package.json'), join(copy, 'package.json'));
  cpSync(join(repoRoot, 'bin'), join(copy, 'bin'), { recursive: true });
  mkdirSync(join(copy, 'dist'));
  cpSync(join(repoRoot, 'dist', 'bundle'), join(copy, 'dist', 'bundle'), { recursive: true });
  cpSync(join(repoRoot, 'wasm', 'build'), join(copy, 'wasm', 'build'), { recursive: true });
  return copy;
}

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, LANES_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const embedded = `
import { Lanes } from 'lanes';
const broker = await Lanes.start({ shards: 2, shardThreads: 'workers' });
const producer = broker.kafka({ clientId: 'bundle-only' }).producer();
await producer.connect();
const [ack] = await producer.send({ topic: 'bundled', messages: [{ value: 'v' }] });
await producer.disconnect();
await broker.stop();
console.log(JSON.stringify({ baseOffset: ack.baseOffset, entry: import.meta.resolve('lanes') }));
`;

describe('the bundles', () => {
  it('serve the package on their own: worker shards start from the bundled worker entry', { timeout: timeoutMs(60_000) }, async () => {
    assertDistFresh();
    const copy = bundleOnlyCopy();
    // Inside the copy, so `lanes` resolves to it by its own name (package.json exports).
    const result = await run(['--input-type=module', '-e', embedded], copy);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout.trim()) as { baseOffset: string; entry: string };
    expect(report).toEqual({ baseOffset: '0', entry: expect.stringMatching(/\/dist\/bundle\/index\.js$/) });

    const version = await run([join(copy, 'bin', 'lanes.js'), '--version'], copy);
    expect(version).toEqual({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/), stderr: '' });
  });

  // The CLI's commands that start a thread or process of their own find its entry beside the
  // bundled chunk that starts it: `lanes lab`'s member workers and `lanes bench`'s broker child
  // (both were missing from the bundle once, and each command failed at its first start); and
  // `lanes bench`'s client rows load their CommonJS clients as Node does (bundled, kafkajs's
  // exports were reshaped and every kafkajs, ioredis and nats row failed).
  it('run lanes lab with real members and lanes bench with its broker child', { timeout: timeoutMs(120_000) }, async () => {
    assertDistFresh();
    const copy = bundleOnlyCopy();
    const lanes = join(copy, 'bin', 'lanes.js');
    const lab = await run([lanes, 'lab', 'run', 'orders', '--engine', 'real', '--no-progress', '--out', join(copy, 'lab')], copy);
    expect(lab).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(join(copy, 'lab', 'report.json'))).toBe(true);
    // From the repository's own bin/lanes.js (the bundled CLI too), where the clients are installed.
    const bench = await run([join(repoRoot, 'bin', 'lanes.js'), 'bench', '--quick', '--rounds', '1', '--systems', 'lanes-wire,lanes-kafkajs,lanes-embedded', '--rates', '10000', '--single-rate', '0', '--no-progress', '--out', join(copy, 'bench')], repoRoot);
    expect(bench.code).toBe(0);
    // Every row ran: the kafkajs one imports a CommonJS client the bundle must leave to Node.
    expect(bench.stdout).not.toMatch(/Runs left out/);
    expect(bench.stdout).toMatch(/Lanes \(wire, memory\) ← kafkajs \| [\d.]+k? \|/);
  });
});
