// `lanes lab` as a user runs it: the built CLI as a child process. A scenario that cannot run is
// refused before anything runs, with what to fix (the built-in names for an unknown one, one line
// per schema problem for a bad file); a run writes report.json and a report.html that stands alone.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { failureLine, runCli, tableRows } from '../cli/support.js';

const dir = mkdtempSync(join(tmpdir(), 'lanes-lab-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('lists the built-in scenarios', async () => {
  const result = await runCli(['lab', 'list']);
  expect(result.code).toBe(0);
  const names = tableRows(result.stdout, 'NAME').map((row) => row[0]);
  expect(names).toEqual(expect.arrayContaining(['scaling-problem', 'orders', '1m-events', 'commit-before-after']));
});

it('refuses an unknown scenario in one line that names the built-in ones', async () => {
  const line = failureLine(await runCli(['lab', 'run', 'no-such-scenario', '--out', dir]));
  expect(line).toMatch(/^lanes: no scenario "no-such-scenario": not a built-in one \(.*scaling-problem.*orders.*\) nor a file$/);
});

it('refuses a bad scenario file with one line per problem, naming where it is', async () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ name: 'bad', durationMs: 1000, topics: 3, groups: [] }));
  const result = await runCli(['lab', 'run', file, '--out', dir]);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toContain(`lanes: ${file}: (scenario).topics: expected a list of objects, got 3`);
  for (const line of lines) expect(line.startsWith(`lanes: ${file}: (scenario).`)).toBe(true);
});

it('runs a built-in scenario in virtual time with --vary and writes the comparison as JSON and HTML', async () => {
  const out = join(dir, 'orders');
  const result = await runCli(['lab', 'run', 'orders', '--vary', 'assignor=range,cooperative-sticky', '--seed', '3', '--out', out, '--no-progress']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(tableRows(result.stdout, 'RUN').map((row) => row[0])).toEqual(['assignor=range', 'assignor=cooperative-sticky']);
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { format: string; reports: { engine: string; seed: number; variant: unknown }[] };
  expect(json.format).toBe('lanes-lab-comparison');
  expect(json.reports.map((r) => [r.engine, r.seed, r.variant])).toEqual([
    ['virtual', 3, { key: 'assignor', value: 'range' }],
    ['virtual', 3, { key: 'assignor', value: 'cooperative-sticky' }],
  ]);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html).toContain('data-chart="lag-partition:1"');
  // Self-contained: nothing for the browser to fetch.
  expect(html).not.toMatch(/<script|<link|src="|href="http/);
});

it('refuses a --vary value the scenario cannot take, before running anything', async () => {
  const out = join(dir, 'never');
  const result = await runCli(['lab', 'run', 'orders', '--vary', 'assignor=range,no-such-assignor', '--out', out, '--no-progress']);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^lanes: --vary: .*no-such-assignor/);
});
