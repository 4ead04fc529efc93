// Builds a LabReport from what an engine observes, so the virtual and the real engine report in
// the same terms. The engine tells it about membership, ownership, rebalances and lost or
// repeated work as they happen, and hands it a sample of offsets at every sampling time; the
// recorder derives lag, throughput, time without partitions and the summary. Pure: time is
// whatever the engine says it is (ms since the start of the run), and calls must come in time order.

import { assert } from '../assert.js';
import {
  memberSeriesKey, partitionSeriesKey,
  type AssignmentRecord, type GroupSummary, type LabEngine, type LabReport, type RebalanceRecord,
} from './report.js';
import type { Scenario } from './scenario.js';

/** Offsets at one sampling time. */
export interface LabSample {
  /** Log end offset ("topic-partition" → records produced to it so far); absent partitions have 0. */
  readonly logEnd: ReadonlyMap<string, number>;
  /** Per group, "topic-partition" → committed offset; absent means nothing committed (offset 0). */
  readonly committed: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** memberSeriesKey → records that member processed so far (re-processed ones included). */
  readonly processed: ReadonlyMap<string, number>;
}

interface MemberState {
  readonly group: string;
  readonly key: string;
  alive: boolean;
  owned: string[];
  /** Since when the member, alive, held nothing; null while it holds something or is gone. */
  emptySinceMs: number | null;
  idleMs: number;
}

interface OpenRebalance {
  readonly startMs: number;
  readonly triggers: string[];
  /** member name → ms without partitions so far within the rebalance. */
  readonly withoutMs: Map<string, number>;
}

interface GroupCounters {
  processedTwice: number;
  skipped: number;
  maxBacklog: number;
  finalBacklog: number;
}

export class LabRecorder {
  private lastAtMs = 0;
  private readonly time: number[] = [];
  private readonly lagByPartition = new Map<string, number[]>();
  private readonly lagByMember = new Map<string, number[]>();
  private readonly throughputByMember = new Map<string, number[]>();
  private readonly producedPerSec: number[] = [];
  private readonly members = new Map<string, MemberState>();
  private readonly open = new Map<string, OpenRebalance>();
  private readonly rebalances: RebalanceRecord[] = [];
  private readonly assignments: AssignmentRecord[] = [];
  private readonly counters = new Map<string, GroupCounters>();
  private previousProduced = 0;
  private readonly previousProcessed = new Map<string, number>();
  private maxBacklog = 0;
  private maxBacklogAtMs = 0;
  private finalBacklog = 0;
  private recordsProduced = 0;
  private samplesOwnedTwice = 0;
  private lastCommitted: LabSample['committed'] = new Map();
  private finished = false;

  constructor(
    private readonly scenario: Scenario,
    private readonly engine: LabEngine,
    private readonly seed: number,
    private readonly startedAt?: string,
  ) {
    for (const group of scenario.groups) this.counters.set(group.name, { processedTwice: 0, skipped: 0, maxBacklog: 0, finalBacklog: 0 });
  }

  private at(atMs: number): void {
    assert(!this.finished, 'LabRecorder used after finish');
    assert(Number.isFinite(atMs) && atMs >= this.lastAtMs, `LabRecorder: time went back from ${this.lastAtMs} to ${atMs}`);
    this.lastAtMs = atMs;
  }

  private counter(group: string): GroupCounters {
    const counters = this.counters.get(group);
    assert(counters !== undefined, `LabRecorder: no group ${group} in the scenario`);
    return counters;
  }

  memberJoined(atMs: number, group: string, member: string): void {
    this.at(atMs);
    const key = memberSeriesKey(group, member);
    const state = this.members.get(key);
    if (state !== undefined && state.alive) return;
    if (state === undefined) this.members.set(key, { group, key, alive: true, owned: [], emptySinceMs: atMs, idleMs: 0 });
    else Object.assign(state, { alive: true, owned: [], emptySinceMs: atMs });
  }

  /** The member is gone (killed, left or expelled): it holds nothing from now on. */
  memberGone(atMs: number, group: string, member: string): void {
    this.owned(atMs, group, member, []);
    const state = this.members.get(memberSeriesKey(group, member));
    if (state === undefined || !state.alive) return;
    this.closeEmpty(state, atMs);
    state.alive = false;
  }

  /** The partitions ("topic-partition") the member holds from `atMs` on. */
  owned(atMs: number, group: string, member: string, partitions: readonly string[]): void {
    this.at(atMs);
    const state = this.members.get(memberSeriesKey(group, member));
    if (state === undefined || !state.alive) {
      assert(partitions.length === 0, `LabRecorder: ${group}/${member} holds partitions but has not joined`);
      return;
    }
    const sorted = [...partitions].sort(comparePartitionNames);
    if (sameList(sorted, state.owned)) return;
    if (sorted.length > 0) this.closeEmpty(state, atMs);
    else if (state.emptySinceMs === null) state.emptySinceMs = atMs;
    state.owned = sorted;
    this.snapshotAssignment(atMs, group);
  }

  /** Adds the time the member held nothing, up to `atMs`, to its idle time and to the open rebalance. */
  private closeEmpty(state: MemberState, atMs: number): void {
    if (state.emptySinceMs === null) return;
    state.idleMs += atMs - state.emptySinceMs;
    this.addWithout(state, atMs);
    state.emptySinceMs = null;
  }

  private addWithout(state: MemberState, untilMs: number): void {
    const rebalance = this.open.get(state.group);
    if (rebalance === undefined || state.emptySinceMs === null) return;
    const name = state.key.slice(state.group.length + 1);
    const from = Math.max(state.emptySinceMs, rebalance.startMs);
    rebalance.withoutMs.set(name, (rebalance.withoutMs.get(name) ?? 0) + Math.max(0, untilMs - from));
  }

  private snapshotAssignment(atMs: number, group: string): void {
    const byMember: Record<string, string[]> = {};
    for (const state of this.members.values()) {
      if (state.group === group && state.alive) byMember[state.key.slice(group.length + 1)] = [...state.owned];
    }
    const last = this.assignments.at(-1);
    if (last !== undefined && last.atMs === atMs && last.group === group) this.assignments[this.assignments.length - 1] = { atMs, group, byMember };
    else this.assignments.push({ atMs, group, byMember });
  }

  /** A rebalance began; one already under way absorbs it (its trigger is added). */
  rebalanceStarted(atMs: number, group: string, trigger: string): void {
    this.at(atMs);
    this.counter(group);
    const open = this.open.get(group);
    if (open !== undefined) {
      if (!open.triggers.includes(trigger)) open.triggers.push(trigger);
      return;
    }
    const withoutMs = new Map<string, number>();
    for (const state of this.members.values()) if (state.group === group && state.alive) withoutMs.set(state.key.slice(group.length + 1), 0);
    this.open.set(group, { startMs: atMs, triggers: [trigger], withoutMs });
  }

  /** Every member of the group holds its new assignment. */
  rebalanceEnded(atMs: number, group: string): void {
    this.at(atMs);
    this.closeRebalance(atMs, group, true);
  }

  private closeRebalance(atMs: number, group: string, settled: boolean): void {
    const open = this.open.get(group);
    if (open === undefined) return;
    for (const state of this.members.values()) {
      if (state.group !== group || !state.alive) continue;
      const name = state.key.slice(group.length + 1);
      if (!open.withoutMs.has(name)) open.withoutMs.set(name, 0);
      this.addWithout(state, atMs);
      // What was counted is inside this rebalance; the member's idle time keeps running.
      if (state.emptySinceMs !== null) {
        state.idleMs += atMs - state.emptySinceMs;
        state.emptySinceMs = atMs;
      }
    }
    this.open.delete(group);
    this.rebalances.push({
      group, startMs: open.startMs, endMs: atMs, trigger: open.triggers.join(', '),
      membersWithoutPartitionsMs: Object.fromEntries(open.withoutMs), settled,
    });
  }

  processedTwice(group: string, records: number): void {
    assert(records >= 0, 'processedTwice of a negative count');
    this.counter(group).processedTwice += records;
  }

  skipped(group: string, records: number): void {
    assert(records >= 0, 'skipped of a negative count');
    this.counter(group).skipped += records;
  }

  /** One sample of every series at `atMs`. */
  sample(atMs: number, sample: LabSample): void {
    this.at(atMs);
    const index = this.time.length;
    const intervalSec = index === 0 ? 0 : (atMs - this.time[index - 1]) / 1000;
    this.time.push(atMs);
    this.lastCommitted = sample.committed;
    let produced = 0;
    for (const value of sample.logEnd.values()) produced += value;
    this.producedPerSec.push(intervalSec > 0 ? (produced - this.previousProduced) / intervalSec : 0);
    this.previousProduced = produced;
    this.recordsProduced = produced;

    let backlog = 0;
    const lagOf = new Map<string, number>();
    for (const group of this.scenario.groups) {
      const committed = sample.committed.get(group.name);
      let groupBacklog = 0;
      for (const [partition, end] of sample.logEnd) {
        const topic = partition.slice(0, partition.lastIndexOf('-'));
        if (!group.topics.includes(topic)) continue;
        const lag = Math.max(0, end - (committed?.get(partition) ?? 0));
        const key = partitionSeriesKey(group.name, topic, Number(partition.slice(topic.length + 1)));
        lagOf.set(key, lag);
        push(this.lagByPartition, key, index, lag);
        groupBacklog += lag;
      }
      const counters = this.counter(group.name);
      counters.maxBacklog = Math.max(counters.maxBacklog, groupBacklog);
      counters.finalBacklog = groupBacklog;
      backlog += groupBacklog;
    }
    if (backlog > this.maxBacklog) {
      this.maxBacklog = backlog;
      this.maxBacklogAtMs = atMs;
    }
    this.finalBacklog = backlog;

    const holders = new Set<string>();
    let ownedTwice = false;
    for (const state of this.members.values()) {
      let lag = 0;
      for (const partition of state.owned) {
        const holder = `${state.group}/${partition}`; // partitionSeriesKey's form
        if (holders.has(holder)) ownedTwice = true;
        holders.add(holder);
        lag += lagOf.get(holder) ?? 0;
      }
      push(this.lagByMember, state.key, index, lag);
      const processed = sample.processed.get(state.key) ?? 0;
      const before = this.previousProcessed.get(state.key) ?? 0;
      push(this.throughputByMember, state.key, index, intervalSec > 0 ? (processed - before) / intervalSec : 0);
      this.previousProcessed.set(state.key, processed);
    }
    if (ownedTwice) this.samplesOwnedTwice++;
  }

  finish(endMs: number): LabReport {
    this.at(endMs);
    for (const group of [...this.open.keys()]) this.closeRebalance(endMs, group, false);
    const idleMsByMember: Record<string, number> = {};
    const idleMembers: string[] = [];
    for (const state of this.members.values()) {
      if (state.alive && state.emptySinceMs !== null) {
        state.idleMs += endMs - state.emptySinceMs;
        state.emptySinceMs = endMs;
      }
      idleMsByMember[state.key] = state.idleMs;
      if (state.alive && state.owned.length === 0) idleMembers.push(state.key);
    }
    this.finished = true;
    const processedByGroup = new Map<string, number>();
    for (const [key, processed] of this.previousProcessed) {
      const group = this.members.get(key)?.group ?? '';
      processedByGroup.set(group, (processedByGroup.get(group) ?? 0) + processed);
    }
    const groups: Record<string, GroupSummary> = {};
    let processedTwice = 0;
    let skipped = 0;
    for (const group of this.scenario.groups) {
      const counters = this.counter(group.name);
      processedTwice += counters.processedTwice;
      skipped += counters.skipped;
      groups[group.name] = {
        maxBacklog: counters.maxBacklog,
        finalBacklog: counters.finalBacklog,
        recordsProcessed: processedByGroup.get(group.name) ?? 0,
        processedTwice: counters.processedTwice,
        skipped: counters.skipped,
        rebalanceCount: this.rebalances.filter((rebalance) => rebalance.group === group.name).length,
        idleMembers: idleMembers.filter((key) => this.members.get(key)?.group === group.name).map((key) => key.slice(group.name.length + 1)),
      };
    }
    const time = this.time;
    return {
      format: 'lanes-lab-report',
      version: 1,
      scenario: this.scenario,
      engine: this.engine,
      seed: this.seed,
      ...(this.startedAt === undefined ? {} : { startedAt: this.startedAt }),
      sampleEveryMs: this.scenario.sampleEveryMs,
      series: {
        time,
        lagByPartition: Object.fromEntries(padded(this.lagByPartition, time.length)),
        lagByMember: Object.fromEntries(padded(this.lagByMember, time.length)),
        throughputByMember: Object.fromEntries(padded(this.throughputByMember, time.length)),
        producedPerSec: this.producedPerSec,
      },
      rebalances: this.rebalances,
      summary: {
        recordsProduced: this.recordsProduced,
        recordsProcessed: [...processedByGroup.values()].reduce((sum, value) => sum + value, 0),
        maxBacklog: this.maxBacklog,
        maxBacklogAtMs: this.maxBacklogAtMs,
        finalBacklog: this.finalBacklog,
        processedTwice,
        skipped,
        idleMembers,
        idleMsByMember,
        rebalanceCount: this.rebalances.length,
        rebalanceMs: this.rebalances.reduce((sum, rebalance) => sum + rebalance.endMs - rebalance.startMs, 0),
        samplesWithPartitionOwnedTwice: this.samplesOwnedTwice,
        groups,
      },
      assignments: this.assignments,
      finalCommitted: Object.fromEntries(this.scenario.groups.map((group) => [
        group.name, Object.fromEntries([...(this.lastCommitted.get(group.name) ?? new Map<string, number>())].sort(([a], [b]) => comparePartitionNames(a, b))),
      ])),
    };
  }
}

/** Appends the value at `index`, with zeros before it for a series that starts late. */
function push(series: Map<string, number[]>, key: string, index: number, value: number): void {
  let values = series.get(key);
  if (values === undefined) {
    values = new Array<number>(index).fill(0);
    series.set(key, values);
  }
  while (values.length < index) values.push(0);
  values.push(value);
}

/** Series whose member left before the end carry zeros to the end. */
function padded(series: Map<string, number[]>, length: number): Map<string, number[]> {
  for (const values of series.values()) while (values.length < length) values.push(0);
  return series;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** By topic, then by partition number (so orders-10 follows orders-9). */
export function comparePartitionNames(a: string, b: string): number {
  const aDash = a.lastIndexOf('-');
  const bDash = b.lastIndexOf('-');
  const aTopic = a.slice(0, aDash);
  const bTopic = b.slice(0, bDash);
  if (aTopic !== bTopic) return aTopic < bTopic ? -1 : 1;
  return Number(a.slice(aDash + 1)) - Number(b.slice(bDash + 1));
}

