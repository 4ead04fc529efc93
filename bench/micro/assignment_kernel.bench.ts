// Assignors in TS vs through the WASM assignment kernel, in one run: one assign() call each,
// including the layout, the copies in and out and building the result maps (what the leader pays).
//
//   npx tsx bench/micro/assignment_kernel.bench.ts            (add --quick for short runs)
//
// Groups: 10 topics; partitions × members from 100 × 10 to 10,000 × 1,000 (and 30,000 × 3,000
// with --big). Cases:
//   fresh   nobody owns anything, every member subscribes to every topic
//   join    every member owns its part of a sticky assignment (generation 1) and one member joins
//   mixed   fresh, but odd members subscribe to topics 0–4 only (sticky's general path)
// Each figure is the median of 3 alternating runs' medians. The last column is WASM time / TS
// time: below 1 the kernel pays. The crossover in
// core/assignors/kernel_choice.ts is read off this table.

import { Bench } from 'tinybench';
import type { AssignmentSpec, AssignorMember, GroupAssignment } from '../../core/assignors/assignor.js';
import { assignCooperativeSticky } from '../../core/assignors/cooperative_sticky.js';
import { assignRange, assignRangeWithKernel } from '../../core/assignors/range.js';
import { assignRoundRobin, assignRoundRobinWithKernel } from '../../core/assignors/round_robin.js';
import { assignSticky } from '../../core/assignors/sticky.js';
import type { AssignmentKernel } from '../../core/assignors/assignment_kernel.js';
import { createWasmAssignmentKernel } from '../../wasm/assignment_kernel.js';
import { joinSpec } from '../support/join_spec.js';
import { printMachineFacts } from '../support/machine.js';

const quick = process.argv.includes('--quick');
const sizes: [partitions: number, members: number][] = [
  [100, 10],
  [1_000, 100],
  [3_000, 300],
  [10_000, 1_000],
];
if (process.argv.includes('--big')) sizes.push([30_000, 3_000]);
const caseNames = ['fresh', 'join', 'mixed'] as const;
type CaseName = (typeof caseNames)[number];

type Assign = (spec: AssignmentSpec, kernel: AssignmentKernel | null) => GroupAssignment;
const strategies: [string, Assign][] = [
  ['range', (spec, kernel) => (kernel === null ? assignRange(spec) : assignRangeWithKernel(spec, kernel))],
  ['roundrobin', (spec, kernel) => (kernel === null ? assignRoundRobin(spec) : assignRoundRobinWithKernel(spec, kernel))],
  ['sticky', (spec, kernel) => assignSticky(spec, kernel)],
  ['cooperative-sticky', (spec, kernel) => assignCooperativeSticky(spec, kernel)],
];

function freshSpec(partitions: number, memberCount: number, mixed: boolean): AssignmentSpec {
  const topics = Array.from({ length: 10 }, (_, t) => `topic-${String(t).padStart(2, '0')}`);
  const members: AssignorMember[] = Array.from({ length: memberCount }, (_, i) => ({
    memberId: `consumer-${String(i).padStart(5, '0')}-5f0c2a9e`,
    topics: mixed && i % 2 === 1 ? topics.slice(0, 5) : topics,
  }));
  return { members, partitionsPerTopic: new Map(topics.map((topic) => [topic, partitions / 10])) };
}

function specFor(caseName: CaseName, partitions: number, memberCount: number): AssignmentSpec {
  if (caseName !== 'join') return freshSpec(partitions, memberCount, caseName === 'mixed');
  const fresh = freshSpec(partitions, memberCount, false);
  return joinSpec(fresh, assignSticky(fresh));
}

const kernel = createWasmAssignmentKernel();
printMachineFacts('Assignors, TS vs the WASM assignment kernel: one assign() call', 'npx tsx bench/micro/assignment_kernel.bench.ts');
console.log('| partitions × members | case | assignor | TS median | WASM median | WASM / TS |');
console.log('|---:|---|---|---:|---:|---:|');

const rounds = quick ? 1 : 3;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const formatMs = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);
let sink = 0;
for (const [partitions, memberCount] of sizes) {
  for (const caseName of caseNames) {
    const spec = specFor(caseName, partitions, memberCount);
    for (const [name, assign] of strategies) {
      // range and round-robin ignore ownership: their join case measures nothing new.
      if (caseName === 'join' && (name === 'range' || name === 'roundrobin')) continue;
      const large = partitions >= 10_000;
      // The machine is shared: TS and WASM alternate over `rounds` short runs and each side's
      // figure is the median of its per-run medians, so a burst of other load hits both.
      const perRound: [number, number][] = [];
      for (let round = 0; round < rounds; round++) {
        const bench = new Bench({ time: quick ? 150 : large ? 600 : 250, iterations: 5, warmupTime: 50, warmupIterations: 2 });
        bench.add('ts', () => {
          sink ^= assign(spec, null).size;
        });
        bench.add('wasm', () => {
          sink ^= assign(spec, kernel).size;
        });
        await bench.run();
        const [tsRound, wasmRound] = bench.tasks.map((task) => {
          const result = task.result;
          if (result.state !== 'completed') throw new Error(`${name} ${task.name} on ${partitions}×${memberCount}/${caseName}: ${result.state}`);
          return result.latency.p50 as number;
        });
        perRound.push([tsRound, wasmRound]);
      }
      const ts = median(perRound.map(([value]) => value));
      const wasm = median(perRound.map(([, value]) => value));
      const size = `${partitions.toLocaleString('en-US')} × ${memberCount.toLocaleString('en-US')}${caseName === 'join' ? '+1' : ''}`;
      console.log(`| ${size} | ${caseName} | ${name} | ${formatMs(ts)} | ${formatMs(wasm)} | ${(wasm / ts).toFixed(2)} |`);
    }
  }
}
if (sink === 0.5) console.log(sink); // keeps the results observable to the optimiser
