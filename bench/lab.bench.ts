// How long `lanes lab` takes in virtual time: each built-in scenario once (seed 1), and 1m-events
// (an hour of 1M records/s, 128 partitions, 100 members) once per assignor, as `lanes lab run
// NAME [--vary assignor=A]` runs them, without writing a report. The process's CPU time beside
// the wall time tells a loaded machine from a slow engine.
//
//   npm run build && node dist/bench/lab.bench.js [--runs 3]
import { parseArgs } from 'node:util';
import { builtinScenario, listScenarios } from '../core/lab/builtin_scenarios.js';
import { runVirtual } from '../core/lab/virtual_engine.js';
import { applyVariation } from '../core/lab/variation.js';
import { printMachineFacts } from './support/machine.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);

printMachineFacts('lanes lab: the virtual engine', `node dist/bench/lab.bench.js --runs ${runs}`);

interface Row {
  name: string;
  wallMs: number[];
  cpuMs: number[];
}

function measure(name: string, run: () => void): Row {
  const row: Row = { name, wallMs: [], cpuMs: [] };
  for (let index = 0; index < runs; index++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    row.wallMs.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    row.cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  return row;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows: Row[] = [];
for (const scenario of listScenarios()) rows.push(measure(scenario.name, () => void runVirtual(scenario, { seed: 1 })));
const oneMillion = builtinScenario('1m-events')!;
for (const assignor of ['range', 'cooperative-sticky', 'uniform']) {
  const varied = applyVariation(oneMillion, 'assignor', assignor);
  if (!varied.ok) throw new Error(varied.errors.join('\n'));
  const scenario = varied.scenario;
  rows.push(measure(`1m-events, assignor=${assignor}`, () => void runVirtual(scenario, { seed: 1, variant: { key: 'assignor', value: assignor } })));
}

console.log(`\n| run | wall, median of ${runs} (min–max) | CPU, median |`);
console.log('|---|---|---|');
for (const row of rows) {
  const wall = `${(median(row.wallMs) / 1000).toFixed(2)} s (${(Math.min(...row.wallMs) / 1000).toFixed(2)}–${(Math.max(...row.wallMs) / 1000).toFixed(2)})`;
  console.log(`| ${row.name} | ${wall} | ${(median(row.cpuMs) / 1000).toFixed(2)} s |`);
}
