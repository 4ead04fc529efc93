// TS or the assignment kernel, by size. Pure: the kernel is injected (wasm/assignors.ts injects
// the WASM one), and both paths give the same assignment, so the choice changes only the time.
//
// Size is the work the sticky balancing does in the general case: it looks at every subscriber
// of a topic for every partition handed out, so partitions × members. The kernel pays when the
// step it replaces dominates the call; below that, copying in and out and the extra layout cost
// more than they save. The thresholds come from one run of
//
//   npx tsx bench/micro/assignment_kernel.bench.ts
//
// (AMD EPYC, 2 cores shared with other work, load ~13, Node 20.20, commit 353893c; medians of 3
// alternating runs; WASM time / TS time, sticky · cooperative-sticky; the table is in
// BENCHMARKS.md, "Assignors"):
//   subscriptions differ     100 × 10: 1.08 · 0.94   1,000 × 100: 0.66 · 0.66   3,000 × 300: 0.36 · 0.27
//                            10,000 × 1,000: 0.36 · 0.32 (50 ms → 17 ms; an earlier, quick run: 0.16 · 0.13)
//   shared subscriptions     0.60–1.19, scattered around 1 with no trend in size (sticky and
//                            cooperative-sticky do the same work there and differ by as much): the
//                            balancing is linear, building the layout and result maps is the call
//   range, roundrobin        1.05–1.54, one 0.80: one linear pass, the rest is building the maps
// so the sticky pair switches at 1,000 partitions × 100 members and range / round-robin never
// do (their kernels stay, tested, for when that changes). Re-run after changing a kernel.

import { assert } from '../assert.js';
import type { AssignmentSpec, GroupAssignment, PartitionAssignor } from './assignor.js';
import type { AssignmentKernel } from './assignment_kernel.js';
import { assignCooperativeSticky, cooperativeStickyAssignor } from './cooperative_sticky.js';
import { assignRangeWithKernel, rangeAssignor } from './range.js';
import { assignRoundRobinWithKernel, roundRobinAssignor } from './round_robin.js';
import { assignSticky, stickyAssignor } from './sticky.js';

export type KernelStrategy = 'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky';

/** partitions × members at and above which a strategy runs through the kernel; Infinity: never. */
export type KernelThresholds = Readonly<Record<KernelStrategy, number>>;

export const kernelThresholds: KernelThresholds = {
  range: Infinity,
  roundrobin: Infinity,
  sticky: 1_000 * 100,
  'cooperative-sticky': 1_000 * 100,
};

/**
 * Returns the kernel, or null when there is none (not built, or not wanted); called only when a
 * call is large enough to use it, so a small group never loads it.
 */
export type KernelSource = () => AssignmentKernel | null;

/** partitions × members: partitions of the existing topics some member subscribes to. */
export function assignmentWork(spec: AssignmentSpec): number {
  const topics = new Set<string>();
  for (const member of spec.members) for (const topic of member.topics) if (spec.partitionsPerTopic.has(topic)) topics.add(topic);
  let partitions = 0;
  for (const topic of topics) partitions += spec.partitionsPerTopic.get(topic) as number;
  return partitions * spec.members.length;
}

export function useKernel(strategy: KernelStrategy, work: number, thresholds: KernelThresholds = kernelThresholds): boolean {
  assert(work >= 0, `work ${work} is negative`);
  return work >= thresholds[strategy];
}

interface KernelPath {
  readonly strategy: KernelStrategy;
  readonly assign: (spec: AssignmentSpec, kernel: AssignmentKernel) => GroupAssignment;
}

// Keyed by the assign function, so a copy under another name (kafkajs's "RoundRobinAssigner" in
// registry.ts) is recognised, and a user's own assignor, whatever its name, is not.
const kernelPaths: ReadonlyMap<PartitionAssignor['assign'], KernelPath> = new Map<PartitionAssignor['assign'], KernelPath>([
  [rangeAssignor.assign, { strategy: 'range', assign: assignRangeWithKernel }],
  [roundRobinAssignor.assign, { strategy: 'roundrobin', assign: assignRoundRobinWithKernel }],
  [stickyAssignor.assign, { strategy: 'sticky', assign: assignSticky }],
  [cooperativeStickyAssignor.assign, { strategy: 'cooperative-sticky', assign: assignCooperativeSticky }],
]);

/** The strategy a built-in assignor runs through the kernel, or undefined for any other assignor. */
export function kernelStrategyOf(assignor: PartitionAssignor): KernelStrategy | undefined {
  return kernelPaths.get(assignor.assign)?.strategy;
}

/**
 * `assignor` choosing per call: through the kernel when the call's work reaches the strategy's
 * threshold and `kernel()` has one, in TS otherwise. Assignors without a kernel path come back
 * unchanged.
 */
export function withAssignmentKernel(assignor: PartitionAssignor, kernel: KernelSource, thresholds: KernelThresholds = kernelThresholds): PartitionAssignor {
  const path = kernelPaths.get(assignor.assign);
  if (path === undefined) return assignor;
  const tsAssign = assignor.assign;
  return {
    ...assignor,
    assign(spec: AssignmentSpec): GroupAssignment {
      if (!useKernel(path.strategy, assignmentWork(spec), thresholds)) return tsAssign(spec);
      const chosen = kernel();
      return chosen === null ? tsAssign(spec) : path.assign(spec, chosen);
    },
  };
}
