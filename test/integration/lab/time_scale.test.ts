// `lanes lab run NAME --engine real --time-scale K` as a user runs it (the built CLI): a 3-minute
// built-in scenario played 18× faster in about 10 s. The report must read in the scenario's time
// (the kill at 60 s shows at 60 s, not at 60/18 s), carry the scenario's record count × the run's
// scale (rates × K, then scaled to what the machine holds), and say so. Bounds are loose for a
// busy machine and tight enough to fail if either time or rates were not compressed.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { builtinScenario } from '../../../core/lab/builtin_scenarios.js';
import { failureLine, runCli } from '../cli/support.js';
import { timeoutMs } from '../../support/timeouts.js';

const dir = mkdtempSync(join(tmpdir(), 'lanes-lab-time-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  engine: string;
  scale: number;
  timeScale: number;
  note: string;
  scenario: { durationMs: number };
  rebalances: { group: string; startMs: number; trigger: string }[];
  summary: { recordsProduced: number };
}

it(
  'plays commit-before-after 18× faster and reports in the scenario\'s time and counts × scale',
  async () => {
    const out = join(dir, 'cba');
    const k = 18;
    const result = await runCli(['lab', 'run', 'commit-before-after', '--engine', 'real', '--time-scale', String(k), '--out', out, '--no-progress']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const scenario = builtinScenario('commit-before-after')!;
    expect(report.engine).toBe('real');
    expect(report.timeScale).toBe(k);
    expect(report.scenario.durationMs).toBe(scenario.durationMs);
    // 800 records/s × 18 is more than the machine's budget: the run is scaled to it.
    const rate = scenario.producers[0].ratePerSec;
    expect(report.scale).toBeCloseTo(5_000 / (rate * k), 6);
    expect(report.note).toBe(`played ${k}× faster (times are the scenario's); counts are × ${Number(report.scale.toPrecision(3))} of the scenario's (rates scaled to what this machine holds).`);
    // The scenario's records × scale: all of them when the producers keep their schedule, at
    // least half on a machine busy enough to hold them back (uncompressed rates would give 1/18).
    const expected = (rate * scenario.durationMs * report.scale) / 1_000;
    expect(report.summary.recordsProduced).toBeGreaterThan(expected / 2);
    expect(report.summary.recordsProduced).toBeLessThanOrEqual(Math.ceil(expected));
    // The kill at 60 s starts a rebalance in both groups at 60 s of the report's clock (an
    // uncompressed clock would put it at 60 / 18 s).
    for (const group of ['commit-before', 'commit-after']) {
      const kill = report.rebalances.find((rebalance) => rebalance.group === group && rebalance.trigger.includes('kill c1'));
      expect(kill?.startMs, group).toBeGreaterThanOrEqual(60_000);
      expect(kill?.startMs, group).toBeLessThan(90_000);
    }
  },
  timeoutMs(90_000),
);

it('refuses --time-scale without --engine real, out of range, or when compression breaks the scenario', async () => {
  const out = join(dir, 'never');
  expect(failureLine(await runCli(['lab', 'run', 'orders', '--time-scale', '10', '--out', out, '--no-progress']))).toBe(
    'lanes: --time-scale needs --engine real (the virtual engine already runs an hour in seconds)',
  );
  expect(failureLine(await runCli(['lab', 'run', 'orders', '--engine', 'real', '--time-scale', '0', '--out', out, '--no-progress']))).toBe(
    "lanes: option '--time-scale <k>' argument '0' is invalid. expected a number from 1 to 3600",
  );
  const broken = await runCli(['lab', 'run', 'orders', '--engine', 'real', '--time-scale', '100', '--out', out, '--no-progress']);
  expect(broken.code).toBe(1);
  expect(broken.stdout).toBe('');
  expect(broken.stderr.trim().split('\n')).toEqual(['lanes: --time-scale 100: orders: (scenario).groups[0].heartbeatIntervalMs: expected less than sessionTimeoutMs (1), got 1']);
});
