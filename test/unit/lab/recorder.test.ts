// The recorder turns what an engine observes into the report both engines write: these pin down
// the derived figures (lag, throughput, time without partitions, idle members) on a hand-fed run.
import { describe, expect, it } from 'vitest';
import { LabRecorder } from '../../../core/lab/recorder.js';
import { parseScenario, type Scenario } from '../../../core/lab/scenario.js';

function scenario(): Scenario {
  const parsed = parseScenario({
    name: 'fed', durationMs: 3_000, sampleEveryMs: 1_000,
    topics: [{ name: 't', partitions: 2 }],
    groups: [{ name: 'g', topic: 't', members: ['a', 'b'], processing: { ratePerSec: 1 } }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.scenario;
}

describe('LabRecorder', () => {
  it('derives lag, throughput, rebalance time without partitions and idle members', () => {
    const recorder = new LabRecorder(scenario(), 'virtual', 1);
    const logEnd = (a: number, b: number) => new Map([['t-0', a], ['t-1', b]]);
    recorder.memberJoined(0, 'g', 'a');
    recorder.memberJoined(0, 'g', 'b');
    recorder.rebalanceStarted(0, 'g', 'start');
    recorder.sample(0, { logEnd: logEnd(0, 0), committed: new Map(), processed: new Map() });
    recorder.owned(400, 'g', 'a', ['t-0']);
    recorder.owned(600, 'g', 'b', ['t-1']);
    recorder.rebalanceEnded(600, 'g');
    recorder.sample(1_000, { logEnd: logEnd(100, 50), committed: new Map([['g', new Map([['t-0', 40]])]]), processed: new Map([['g/a', 40]]) });
    recorder.rebalanceStarted(1_500, 'g', 'leave b');
    recorder.memberGone(1_500, 'g', 'b');
    recorder.owned(1_700, 'g', 'a', ['t-0', 't-1']);
    recorder.rebalanceEnded(1_700, 'g');
    recorder.sample(2_000, { logEnd: logEnd(200, 100), committed: new Map([['g', new Map([['t-0', 150], ['t-1', 50]])]]), processed: new Map([['g/a', 150], ['g/b', 50]]) });
    recorder.processedTwice('g', 3);
    recorder.sample(3_000, { logEnd: logEnd(300, 150), committed: new Map([['g', new Map([['t-0', 300], ['t-1', 150]])]]), processed: new Map([['g/a', 350], ['g/b', 50]]) });
    const report = recorder.finish(3_000);

    expect(report.series.time).toEqual([0, 1_000, 2_000, 3_000]);
    expect(report.series.lagByPartition).toEqual({ 'g/t-0': [0, 60, 50, 0], 'g/t-1': [0, 50, 50, 0] });
    expect(report.series.lagByMember).toEqual({ 'g/a': [0, 60, 100, 0], 'g/b': [0, 50, 0, 0] });
    expect(report.series.throughputByMember['g/a']).toEqual([0, 40, 110, 200]);
    expect(report.series.producedPerSec).toEqual([0, 150, 150, 150]);
    expect(report.rebalances).toEqual([
      { group: 'g', startMs: 0, endMs: 600, trigger: 'start', membersWithoutPartitionsMs: { a: 400, b: 600 }, settled: true },
      { group: 'g', startMs: 1_500, endMs: 1_700, trigger: 'leave b', membersWithoutPartitionsMs: { a: 0, b: 0 }, settled: true },
    ]);
    expect(report.summary).toMatchObject({
      recordsProduced: 450, recordsProcessed: 400, maxBacklog: 110, maxBacklogAtMs: 1_000, finalBacklog: 0, processedTwice: 3,
      skipped: 0, idleMembers: [], idleMsByMember: { 'g/a': 400, 'g/b': 600 }, rebalanceCount: 2, rebalanceMs: 800,
      samplesWithPartitionOwnedTwice: 0,
    });
    expect(report.assignments.at(-1)).toEqual({ atMs: 1_700, group: 'g', byMember: { a: ['t-0', 't-1'] } });
    expect(report.finalCommitted).toEqual({ g: { 't-0': 300, 't-1': 150 } });
  });

  it('counts a sample at which two members hold one partition', () => {
    const recorder = new LabRecorder(scenario(), 'real', 1);
    recorder.memberJoined(0, 'g', 'a');
    recorder.memberJoined(0, 'g', 'b');
    recorder.owned(0, 'g', 'a', ['t-0']);
    recorder.owned(0, 'g', 'b', ['t-0', 't-1']);
    recorder.sample(0, { logEnd: new Map(), committed: new Map(), processed: new Map() });
    const report = recorder.finish(0);
    expect(report.summary.samplesWithPartitionOwnedTwice).toBe(1);
    expect(report.engine).toBe('real');
  });
});
