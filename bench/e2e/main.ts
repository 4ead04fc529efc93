// `lanes bench` (actors/cli/bench.ts parses the flags and calls runBench): prints the command and
// machine facts, skips systems whose server is not installed (one line each), runs the rounds
// with a progress bar on stderr, prints the Markdown tables on stdout, and writes
// <out>/<timestamp>.json (command, parameters, machine, every run) and <timestamp>.svg after
// every round (the same two files, "complete": false until the last round is in).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { logger } from '../../actors/logger.js';
import { printMachineFacts } from '../support/machine.js';
import { systemDrivers } from './drivers.js';
import { isolated } from './isolated_driver.js';
import { chartInput, markdownReport, ratios, summarize, type SystemInfo } from './report.js';
import { runRounds, type RoundProgress, type RunRecord } from './runner.js';
import { renderChart } from './svg_chart.js';
import { planWorkloads, rateName, type SystemDriver } from './workloads.js';

export interface BenchOptions {
  quick: boolean;
  rounds: number;
  records: number;
  recordBytes: number;
  /** K: consumers in the group. */
  consumers: number;
  producers: number;
  /** Driver ids; empty: all. */
  systems: string[];
  rates: number[];
  latencyDurationMs: number;
  latencyWarmupMs: number;
  /** One record per send at this many sends/s (the single-record latency run); 0: none. */
  singleRecordRate: number;
  drainTimeoutMs: number;
  outDir: string;
  progress: boolean;
  /** The command line that reproduces the run, for the output and the JSON. */
  command: string;
}

export const fullDefaults = { rounds: 3, records: 500_000, latencyDurationMs: 3_000, latencyWarmupMs: 1_000, drainTimeoutMs: 10_000 };
// Quick is a check that everything runs, in a few minutes on two busy cores: small runs, and
// a system that falls behind a latency rate is cut off after 2 s of draining (and left out).
export const quickDefaults = { rounds: 3, records: 20_000, latencyDurationMs: 400, latencyWarmupMs: 100, drainTimeoutMs: 2_000 };
export const defaultRates = [10_000, 50_000, 100_000];
export const defaultSingleRecordRate = 5_000;

/** Every system, each run in a child process of its own (isolated_driver.ts). */
export function allDrivers(): SystemDriver[] {
  return systemDrivers().map((driver) => isolated(driver));
}

function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export async function runBench(options: BenchOptions): Promise<{ jsonPath: string; svgPath: string }> {
  const known = allDrivers();
  for (const id of options.systems) {
    if (!known.some((driver) => driver.id === id)) throw new Error(`unknown system ${JSON.stringify(id)}; known: ${known.map((driver) => driver.id).join(', ')}`);
  }
  const chosen = options.systems.length === 0 ? known : known.filter((driver) => options.systems.includes(driver.id));
  // The table goes to stdout: the embedded broker (and its shard threads, which read the
  // environment) log warnings only, unless LANES_LOG_LEVEL says otherwise.
  process.env.LANES_LOG_LEVEL ??= 'warn';
  logger.level = process.env.LANES_LOG_LEVEL;
  const machine = printMachineFacts('lanes bench: end-to-end, Lanes beside Redis Streams and NATS JetStream', options.command);
  const workloads = planWorkloads(options);
  const skipped: { id: string; reason: string }[] = [];
  const drivers = chosen.filter((driver) => {
    const reason = driver.missing();
    if (reason !== null) {
      skipped.push({ id: driver.id, reason });
      console.log(`# skipped ${driver.label}: ${reason}`);
    }
    return reason === null;
  });
  if (drivers.length === 0) throw new Error('no system to run');
  console.log(
    `# ${options.rounds} round${options.rounds === 1 ? '' : 's'}, systems interleaved (order rotates each round); ${options.records.toLocaleString('en')} records of ${options.recordBytes} B per throughput run; ` +
      `${options.producers} producers, K = ${options.consumers} consumers in one group; latency at ${options.rates.map((rate) => `${rateName(rate)}/s`).join(', ')} for ${options.latencyDurationMs} ms (${options.latencyWarmupMs} ms warm-up not counted), 10 records per paced send` +
      (options.singleRecordRate > 0 ? `; single-record latency: 1 record per send at ${rateName(options.singleRecordRate)} sends/s` : ''),
  );

  const bar = options.progress && process.stderr.isTTY
    ? new SingleBar(
        { format: 'round {round} [{bar}] {value}/{total} runs | {system} {workload} | produced {produced} consumed {consumed}', hideCursor: true, stream: process.stderr, clearOnComplete: true },
        Presets.shades_classic,
      )
    : null;
  let lastLine = '';
  const onProgress = (progress: RoundProgress) => {
    const payload = {
      round: `${progress.round}/${progress.rounds}`,
      system: progress.system,
      workload: progress.workload,
      produced: progress.counters.produced.toLocaleString('en'),
      consumed: progress.counters.consumed.toLocaleString('en'),
    };
    if (bar !== null) {
      if (progress.finished === 0 && lastLine === '') bar.start(progress.total, 0, payload);
      lastLine = 'started';
      bar.update(progress.finished, payload);
      return;
    }
    if (!options.progress) return;
    const line = `round ${payload.round}: ${progress.system} ${progress.workload}`;
    if (line !== lastLine) process.stderr.write(`[${progress.finished}/${progress.total}] ${line}\n`);
    lastLine = line;
  };
  const systems: SystemInfo[] = drivers.map(({ id, label, durability, durable }) => ({ id, label, durability, durable }));
  mkdirSync(options.outDir, { recursive: true });
  const stamp = timestamp(new Date(machine.date));
  const jsonPath = join(options.outDir, `${stamp}.json`);
  const svgPath = join(options.outDir, `${stamp}.svg`);
  const parameters = {
    quick: options.quick,
    rounds: options.rounds,
    records: options.records,
    recordBytes: options.recordBytes,
    producers: options.producers,
    consumers: options.consumers,
    rates: options.rates,
    singleRecordRate: options.singleRecordRate,
    latencyDurationMs: options.latencyDurationMs,
    latencyWarmupMs: options.latencyWarmupMs,
    drainTimeoutMs: options.drainTimeoutMs,
  };
  // Rewritten after every round (complete: false until the last), so a crash in a later round
  // keeps the rounds already run.
  const writeResults = (records: readonly RunRecord[], roundsDone: number) => {
    const complete = roundsDone === options.rounds;
    const summaries = summarize(records, systems, workloads);
    const ratioSummaries = ratios(records, systems, workloads);
    writeFileSync(
      jsonPath,
      `${JSON.stringify({ command: options.command, complete, roundsDone, parameters, machine, systems, skipped, workloads, runs: records, summary: summaries, ratios: ratioSummaries }, null, 2)}\n`,
    );
    const notes = [
      `${machine.cpuModel}, ${machine.cores} cores (servers and clients share them), Node ${machine.node}, commit ${machine.commit}${machine.uncommittedChanges ? '+' : ''}, ${machine.date}`,
      `${options.records.toLocaleString('en')} records of ${options.recordBytes} B, K = ${options.consumers}, ${complete ? `${options.rounds} rounds` : `PARTIAL: ${roundsDone} of ${options.rounds} rounds`} interleaved; command: ${options.command}`,
    ];
    writeFileSync(svgPath, renderChart(chartInput('lanes bench: Lanes beside Redis Streams and NATS JetStream', notes, summaries, systems, workloads)));
    return { summaries, ratioSummaries };
  };
  console.log(`# results: ${jsonPath} and ${svgPath}, rewritten after every round ("complete": false until the last)`);

  let records: readonly RunRecord[];
  try {
    records = await runRounds({ rounds: options.rounds, drivers, workloads, onProgress, onRound: writeResults });
  } finally {
    bar?.stop();
  }

  const { summaries, ratioSummaries } = writeResults(records, options.rounds);
  console.log('');
  console.log(markdownReport(summaries, ratioSummaries, systems, workloads));
  const problems = records.filter((record) => record.error !== null || record.measurement?.note !== undefined);
  if (problems.length > 0) {
    console.log('');
    console.log('Runs left out of the figures:');
    for (const record of problems) console.log(`- round ${record.round}, ${record.system}, ${record.workload}: ${record.error ?? record.measurement?.note}`);
  }
  console.log('');
  console.log(`# wrote ${jsonPath} and ${svgPath}`);
  return { jsonPath, svgPath };
}
