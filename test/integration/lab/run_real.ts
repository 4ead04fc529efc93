// Runs a scenario in the real-time engine from the BUILT modules in a child process
// (fixtures/run_real.mjs, as `lanes lab run --engine real` runs it: its members are worker threads
// that load the built client) and returns what the fixture prints of the report. The child must
// print nothing on stderr and exit 0.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import type { AssignmentRecord, RebalanceRecord } from '../../../core/lab/report.js';
import { spawnBuiltFixture } from '../../support/built_cli.js';

const fixture = fileURLToPath(new URL('./fixtures/run_real.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lanes-lab-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

export interface RealRun {
  assignments: AssignmentRecord[];
  rebalances: RebalanceRecord[];
  time: number[];
  throughputByMember: Record<string, number[]>;
  finalCommitted: Record<string, Record<string, number>>;
  finalLogEnd: Record<string, number>;
  failures: string[];
  recordsProduced: number;
  skipped: number;
}

let runs = 0;

export async function runRealFixture(scenarioJson: object, options: { seed: number; drainMs: number; memberThreads?: number }): Promise<RealRun> {
  const file = join(dir, `scenario-${++runs}.json`);
  writeFileSync(file, JSON.stringify(scenarioJson));
  const args = [file, String(options.seed), String(options.drainMs), ...(options.memberThreads === undefined ? [] : [String(options.memberThreads)])];
  const child = spawnBuiltFixture(fixture, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as RealRun;
}
