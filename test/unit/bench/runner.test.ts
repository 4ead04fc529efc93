// runRounds hands every record so far to onRound after each round, so `lanes bench` can write
// its results as it goes: a crash in round 3 must not lose rounds 1 and 2.
import { describe, expect, it } from 'vitest';
import { runRounds, type RunRecord } from '../../../bench/e2e/runner.js';
import { planWorkloads, type SystemDriver } from '../../../bench/e2e/workloads.js';

function driver(id: string, failInRound: number | null, round: { value: number }): SystemDriver {
  return {
    id,
    label: id,
    durability: 'test',
    durable: false,
    missing: () => null,
    async start() {
      return {
        async run() {
          if (round.value === failInRound) throw new Error('boom');
          return { records: 1, seconds: 1, recordsPerSecond: 1, mbPerSecond: 0 };
        },
        async stop() {},
      };
    },
  };
}

describe('runRounds onRound', () => {
  const workloads = planWorkloads({ records: 10, recordBytes: 100, consumers: 1, producers: 1, rates: [], singleRecordRate: 0, latencyDurationMs: 0, latencyWarmupMs: 0, drainTimeoutMs: 0 });

  it('is called after every round with every record so far', async () => {
    const round = { value: 1 };
    const seen: { round: number; records: number; lastRound: number }[] = [];
    const records = await runRounds({
      rounds: 3,
      drivers: [driver('a', null, round), driver('b', 2, round)],
      workloads,
      onRound: (soFar: readonly RunRecord[], done: number) => {
        seen.push({ round: done, records: soFar.length, lastRound: soFar[soFar.length - 1].round });
        round.value = done + 1;
      },
    });
    const perRound = 2 * workloads.length;
    expect(seen).toEqual([
      { round: 1, records: perRound, lastRound: 1 },
      { round: 2, records: 2 * perRound, lastRound: 2 },
      { round: 3, records: 3 * perRound, lastRound: 3 },
    ]);
    // A failing run is a record with an error, not a lost round.
    expect(records.filter((record) => record.error !== null).map((record) => [record.round, record.system])).toEqual(workloads.map(() => [2, 'b']));
  });
});
