// Prints the tables of a `lanes bench` results file: the same Markdown the run printed at its end,
// from the JSON it wrote after every round. For a run that did not finish (a crash in a later
// round, "complete": false), this is how the rounds it kept are read.
//
//   npm run build:ts && node dist/bench/e2e/render.js bench/results/<timestamp>.json
import { readFileSync } from 'node:fs';
import { markdownReport, type FigureSummary, type RatioSummary, type SystemInfo } from './report.js';
import type { Workload } from './workloads.js';

interface ResultsFile {
  complete: boolean;
  roundsDone: number;
  systems: SystemInfo[];
  workloads: Workload[];
  summary: FigureSummary[];
  ratios: RatioSummary[];
}

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node dist/bench/e2e/render.js <results.json>');
  process.exit(2);
}
const results = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
if (!results.complete) console.log(`# PARTIAL: ${results.roundsDone} round(s) kept\n`);
console.log(markdownReport(results.summary, results.ratios, results.systems, results.workloads));
