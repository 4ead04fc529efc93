// What a `lanes lab` run writes, whichever engine ran it: the scenario, the time series the
// charts draw, the rebalances, the ownership of partitions over time and a summary. Both engines
// build it through one `LabRecorder` (recorder.ts), so a figure means the same thing in both.
// Plain JSON: numbers, strings, arrays and string-keyed records only.

import type { Scenario } from './scenario.js';

export type LabEngine = 'virtual' | 'real';

export interface LabSeries {
  /** Sample times, ms since the start of the run. Every other series has one value per time. */
  readonly time: number[];
  /**
   * Lag of each partition for each group: log end offset − committed offset (0 when nothing was
   * committed yet counts as offset 0: the groups start from the earliest offset), keyed by
   * `partitionSeriesKey(group, topic, partition)`.
   */
  readonly lagByPartition: Record<string, number[]>;
  /** The summed lag of the partitions a member owns at the sample, keyed by `memberSeriesKey`. */
  readonly lagByMember: Record<string, number[]>;
  /** Records a member processed per second since the previous sample, keyed by `memberSeriesKey`. */
  readonly throughputByMember: Record<string, number[]>;
  /** Records produced per second (all producers) since the previous sample. */
  readonly producedPerSec: number[];
}

export interface RebalanceRecord {
  readonly group: string;
  /** When the coordinator started it (a member joined, left, was expelled, topics changed). */
  readonly startMs: number;
  /** When every member again held its new assignment (the run's end if it never settled). */
  readonly endMs: number;
  /** What started it: 'start', 'join c3', 'kill c2' (seen as session expiry), 'leave c1', 'add-partitions orders', … joined by ', ' when several. */
  readonly trigger: string;
  /** Each member present during the rebalance: how long within it that member held no partition. */
  readonly membersWithoutPartitionsMs: Record<string, number>;
  /** False when the run ended first. */
  readonly settled: boolean;
}

export interface AssignmentRecord {
  readonly atMs: number;
  readonly group: string;
  /** Every live member of the group → the partitions it holds then ("topic-partition", sorted). */
  readonly byMember: Record<string, string[]>;
}

export interface GroupSummary {
  readonly maxBacklog: number;
  readonly finalBacklog: number;
  readonly recordsProcessed: number;
  /** Records processed again after a crash or a lost partition (processed past the last commit). */
  readonly processedTwice: number;
  /** Records committed (commit before processing) but never processed: the crash lost them. */
  readonly skipped: number;
  readonly rebalanceCount: number;
  /** Members live at the end of the run holding no partition. */
  readonly idleMembers: string[];
}

export interface LabSummary {
  readonly recordsProduced: number;
  readonly recordsProcessed: number;
  /** Backlog = the sum of every group's lag over its partitions. */
  readonly maxBacklog: number;
  readonly maxBacklogAtMs: number;
  readonly finalBacklog: number;
  readonly processedTwice: number;
  readonly skipped: number;
  /** Members live at the end of the run holding no partition, as memberSeriesKey. */
  readonly idleMembers: string[];
  /** Per member (memberSeriesKey): the time it was live but held no partition. */
  readonly idleMsByMember: Record<string, number>;
  readonly rebalanceCount: number;
  /** The summed duration of all rebalances. */
  readonly rebalanceMs: number;
  /** Samples at which some partition was held by two members of one group (0 is the protocol's promise). */
  readonly samplesWithPartitionOwnedTwice: number;
  readonly groups: Record<string, GroupSummary>;
}

export interface LabReport {
  readonly format: 'lanes-lab-report';
  readonly version: 1;
  readonly scenario: Scenario;
  readonly engine: LabEngine;
  readonly seed: number;
  /** ISO time the run started (the real engine); absent in virtual time. */
  readonly startedAt?: string;
  /** Set in a comparison: the --vary key and the value this run had. */
  readonly variant?: { readonly key: string; readonly value: string };
  readonly sampleEveryMs: number;
  readonly series: LabSeries;
  readonly rebalances: RebalanceRecord[];
  readonly summary: LabSummary;
  /** The ownership of every group's partitions each time it changed (coalesced per group and ms). */
  readonly assignments: AssignmentRecord[];
  /** Each group's committed offsets at the last sample ("topic-partition" → offset; absent: none). */
  readonly finalCommitted: Record<string, Record<string, number>>;
}

/** `lanes lab run … --vary key=v1,v2`: one report per value, side by side. */
export interface LabComparison {
  readonly format: 'lanes-lab-comparison';
  readonly version: 1;
  readonly vary: { readonly key: string; readonly values: string[] };
  readonly reports: LabReport[];
}

/** "topic-partition", as Kafka's tools print a TopicPartition. */
export function partitionName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** The key of a partition's lag series: "group/topic-partition". */
export function partitionSeriesKey(group: string, topic: string, partition: number): string {
  return `${group}/${partitionName(topic, partition)}`;
}

/** The key of a member's series: "group/member". */
export function memberSeriesKey(group: string, member: string): string {
  return `${group}/${member}`;
}
