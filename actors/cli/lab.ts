// `lanes lab`: consumer-group designs run as experiments (core/lab: scenarios, the virtual-time
// engine, the report model; actors/lab: the real-time engine and the HTML report).
//
// `lanes lab list` prints the built-in scenarios; `lanes lab run NAME|FILE` runs one in virtual
// time (default: deterministic for --seed, an hour in seconds) or in real time (--engine real: a
// broker, producers and member threads on this machine, for the scenario's duration, at a scale
// the machine holds), `--vary key=v1,v2` once per value side by side, and writes report.json and
// report.html to --out. `--time-scale K` plays a real run K times faster (an hour in a minute at
// 60); `lanes lab list` shows the K each built-in takes about a minute at. Progress goes to stderr; a bad scenario is one line per problem, exit 1.
// The engines are imported when the command runs, so other commands never load them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError } from './cli_error.js';
import { formatTable, nonNegativeInteger, reportFailure } from './common.js';
import type { LabComparison, LabReport } from '../../core/lab/report.js';
import type { Scenario } from '../../core/lab/scenario.js';
import { labRealTimeScaleMax } from '../../core/limits.js';

function timeScale(text: string): number {
  const k = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(k >= 1 && k <= labRealTimeScaleMax)) throw new InvalidArgumentError(`expected a number from 1 to ${labRealTimeScaleMax}`);
  return k;
}

/** One line per problem of the scenario played `k` times faster (times rounded to whole ms may break its rules). */
async function checkCompressed(scenario: Scenario, k: number, label: string): Promise<void> {
  const [{ compressTime }, { scenarioErrors }] = await Promise.all([import('../../core/lab/time_scale.js'), import('../../core/lab/scenario.js')]);
  const errors = scenarioErrors(compressTime(scenario, k));
  if (errors.length > 0) throw new CliError(errors.map((error) => `lanes: --time-scale ${k}: ${label}: ${error}`).join('\n'));
}

interface RunFlags {
  engine: 'virtual' | 'real';
  seed: number;
  vary?: { key: string; values: string[] };
  out?: string;
  progress: boolean;
  adminPort?: number;
  timeScale?: number;
}

function variation(text: string): { key: string; values: string[] } {
  const equals = text.indexOf('=');
  if (equals < 1 || equals === text.length - 1) throw new InvalidArgumentError('expected key=value1,value2 (e.g. assignor=range,cooperative-sticky)');
  return { key: text.slice(0, equals), values: text.slice(equals + 1).split(',').map((value) => value.trim()) };
}

/** A built-in scenario by name, else a JSON file; one line per problem otherwise. */
async function loadScenario(nameOrFile: string): Promise<Scenario> {
  const { builtinScenario, listScenarios } = await import('../../core/lab/builtin_scenarios.js');
  const builtin = builtinScenario(nameOrFile);
  if (builtin !== undefined) return builtin;
  if (!existsSync(nameOrFile)) {
    throw new CliError(`lanes: no scenario "${nameOrFile}": not a built-in one (${listScenarios().map((s) => s.name).join(', ')}) nor a file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrFile, 'utf8'));
  } catch (error) {
    throw new CliError(`lanes: ${nameOrFile}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const { parseScenario } = await import('../../core/lab/scenario.js');
  const parsed = parseScenario(json);
  if (!parsed.ok) throw new CliError(parsed.errors.map((error) => `lanes: ${nameOrFile}: ${error}`).join('\n'));
  return parsed.scenario;
}

/** A bar on stderr over the run's time (virtual or real), one line per variant. */
async function progressBar(enabled: boolean): Promise<{ start(label: string, totalMs: number): void; update(atMs: number): void; stop(): void }> {
  if (!enabled) return { start() {}, update() {}, stop() {} };
  const { Presets, SingleBar } = await import('cli-progress');
  const bar = new SingleBar({ format: '{label} [{bar}] {percentage}% | {value}/{total} ms of the run', hideCursor: true, stream: process.stderr }, Presets.shades_classic);
  let running = false;
  return {
    start(label, totalMs) {
      if (running) bar.stop();
      bar.start(totalMs, 0, { label });
      running = true;
    },
    update(atMs) {
      if (running) bar.update(Math.round(atMs));
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}

async function runCommand(nameOrFile: string, flags: RunFlags): Promise<void> {
  const scenario = await loadScenario(nameOrFile);
  const [{ runVirtual }, { planVariants, comparisonOf }, { renderLabReport }] = await Promise.all([
    import('../../core/lab/virtual_engine.js'),
    import('../../core/lab/compare.js'),
    import('../lab/report_html.js'),
  ]);
  const variants: Array<{ scenario: Scenario; variant?: { key: string; value: string } }> = [];
  if (flags.vary === undefined) variants.push({ scenario });
  else {
    const plan = planVariants(scenario, flags.vary.key, flags.vary.values);
    if (!plan.ok) throw new CliError(plan.errors.map((error) => `lanes: --vary: ${error}`).join('\n'));
    variants.push(...plan.variants);
  }
  if (flags.timeScale !== undefined) {
    if (flags.engine !== 'real') throw new CliError('lanes: --time-scale needs --engine real (the virtual engine already runs an hour in seconds)');
    for (const { scenario: run } of variants) await checkCompressed(run, flags.timeScale, run.name);
  }
  const bar = await progressBar(flags.progress);
  const reports: LabReport[] = [];
  try {
    for (const { scenario: run, variant } of variants) {
      const label = variant === undefined ? run.name : `${variant.key}=${variant.value}`;
      bar.start(`${label} (${flags.engine})`, run.durationMs);
      if (flags.engine === 'virtual') {
        reports.push(runVirtual(run, { seed: flags.seed, variant, onSample: (atMs) => bar.update(atMs) }));
      } else {
        const { runReal } = await import('../lab/real_engine.js');
        const report = await runReal({
          scenario: run,
          seed: flags.seed,
          timeScale: flags.timeScale,
          adminPort: flags.adminPort,
          onAdmin: (url) => process.stderr.write(`lanes: dashboard of the run at ${url}\n`),
          onProgress: (atMs) => bar.update(atMs),
        });
        for (const failure of report.failures) process.stderr.write(`lanes: in the run: ${failure}\n`);
        reports.push(variant === undefined ? report : { ...report, variant });
      }
      bar.update(run.durationMs);
    }
  } finally {
    bar.stop();
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = resolve(flags.out ?? join('lanes-lab', `${scenario.name}-${stamp}`));
  mkdirSync(out, { recursive: true });
  const json: LabReport | LabComparison = flags.vary === undefined ? reports[0] : comparisonOf(flags.vary.key, flags.vary.values, reports);
  writeFileSync(join(out, 'report.json'), `${JSON.stringify(json)}\n`);
  writeFileSync(join(out, 'report.html'), renderLabReport(reports));
  const rows = reports.map((report) => [
    report.variant === undefined ? report.scenario.name : `${report.variant.key}=${report.variant.value}`,
    String(report.summary.maxBacklog),
    String(report.summary.finalBacklog),
    String(report.summary.rebalanceCount),
    String(report.summary.processedTwice),
    String(report.summary.skipped),
    report.summary.idleMembers.join(' ') || '-',
  ]);
  process.stdout.write(`${formatTable(['RUN', 'MAX-BACKLOG', 'FINAL-BACKLOG', 'REBALANCES', 'PROCESSED-TWICE', 'SKIPPED', 'IDLE'], rows)}\n`);
  process.stdout.write(`\nlanes: report in ${join(out, 'report.html')} (and report.json)\n`);
}

export function registerLabCommand(program: Command): void {
  const lab = program.command('lab').description('run consumer-group designs as experiments, in virtual or real time; JSON + HTML reports');
  lab
    .command('list')
    .description('the built-in scenarios')
    .action(async () => {
      const { listScenarios } = await import('../../core/lab/builtin_scenarios.js');
      const { formatDuration } = await import('../lab/svg_line_chart.js');
      const { suggestedTimeScale } = await import('../../core/lab/time_scale.js');
      const rows = listScenarios().map((s) => [s.name, formatDuration(s.durationMs), String(suggestedTimeScale(s)), s.description]);
      process.stdout.write(`${formatTable(['NAME', 'DURATION', 'REAL --time-scale', 'DESCRIPTION'], rows)}\n`);
    });
  lab
    .command('run <scenario>')
    .description('run a built-in scenario (lanes lab list) or a scenario JSON file')
    .addOption(new Option('--engine <engine>', 'virtual: a fake clock, deterministic for --seed; real: a broker and member threads on this machine, in real time').choices(['virtual', 'real']).default('virtual'))
    .option('--seed <n>', 'seed of the run', nonNegativeInteger, 1)
    .option('--vary <key=v1,v2>', 'run once per value of key (assignor, members, protocol, commit, …) and compare side by side', variation)
    .option('--out <dir>', 'where report.json and report.html go (default ./lanes-lab/<scenario>-<time>/)')
    .option('--time-scale <k>', `real engine: play the scenario k times faster (1..${labRealTimeScaleMax}; lanes lab list shows the k of about a minute)`, timeScale)
    .option('--admin-port <port>', 'real engine: serve the live dashboard on this port during the run (0: a free one)', nonNegativeInteger)
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (nameOrFile: string, flags: RunFlags) => {
      try {
        await runCommand(nameOrFile, flags);
      } catch (error) {
        if (error instanceof CliError) {
          process.stderr.write(`${error.message}\n`);
          process.exitCode = 1;
        } else reportFailure(error);
      }
    });
}
