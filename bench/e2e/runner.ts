// The rounds of `lanes bench`: every system once per round, interleaved (the order rotates by
// one each round so no system always runs first or last on a warming machine), each system's
// server started fresh for its turn (its own free port and temporary directory) and stopped
// before the next system starts, so no idle server shares the cores with the one measured.
//
// Thread: the caller's event loop. Servers are child processes; Lanes embedded runs its shard
// workers as threads of this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { assert } from '../../core/assert.js';
import type { LiveCounters, Measurement, SystemDriver, Workload } from './workloads.js';

export interface RunRecord {
  round: number;
  system: string;
  workload: string;
  measurement: Measurement | null;
  /** Why there is no measurement (the server failed to start, the run threw). */
  error: string | null;
  /** Wall time of the whole run, set-up and drain included (ms); for planning, not a figure. */
  wallMs: number;
  /** Wall time the system's server took to start, on the first workload of its turn (ms). */
  startMs?: number;
}

export interface RoundProgress {
  round: number;
  rounds: number;
  system: string;
  workload: string;
  /** Runs finished so far, of `total`. */
  finished: number;
  total: number;
  counters: LiveCounters;
}

export interface RoundsOptions {
  rounds: number;
  drivers: SystemDriver[];
  workloads: Workload[];
  /** Called when a run starts and every 250 ms during it. */
  onProgress?: (progress: RoundProgress) => void;
  /** Called after each round with every record so far (to write partial results). */
  onRound?: (records: readonly RunRecord[], round: number) => void;
}

/** Bytes a session holds at most: every workload's records stay until the session stops. */
export function expectedSessionBytes(workloads: readonly Workload[]): number {
  let records = 0;
  for (const workload of workloads) {
    records += workload.kind === 'latency' ? Math.ceil(((workload.ratePerSecond ?? 0) * workload.durationMs) / 1000) : workload.records;
  }
  // Values plus the per-record and per-batch framing of the largest format among the systems.
  return records * ((workloads[0]?.recordBytes ?? 0) + 80);
}

export async function runRounds(options: RoundsOptions): Promise<RunRecord[]> {
  assert(options.rounds >= 1, 'at least one round');
  assert(options.drivers.length > 0, 'at least one system');
  const records: RunRecord[] = [];
  const total = options.rounds * options.drivers.length * options.workloads.length;
  const expectedBytes = expectedSessionBytes(options.workloads);
  for (let round = 1; round <= options.rounds; round++) {
    const shift = (round - 1) % options.drivers.length;
    const order = [...options.drivers.slice(shift), ...options.drivers.slice(0, shift)];
    for (const driver of order) {
      const dataDir = mkdtempSync(join(tmpdir(), `lanes-bench-${driver.id}-`));
      try {
        let session;
        const starting = performance.now();
        try {
          session = await driver.start({ dataDir, expectedBytes });
        } catch (error) {
          for (const workload of options.workloads) records.push({ round, system: driver.id, workload: workload.id, measurement: null, error: `start: ${message(error)}`, wallMs: 0 });
          continue;
        }
        let startMs: number | undefined = Math.round(performance.now() - starting);
        try {
          for (const workload of options.workloads) {
            const counters: LiveCounters = { produced: 0, consumed: 0 };
            const report = () =>
              options.onProgress?.({ round, rounds: options.rounds, system: driver.id, workload: workload.id, finished: records.length, total, counters });
            report();
            const timer = setInterval(report, 250);
            const started = performance.now();
            try {
              const measurement = await session.run(workload, counters);
              records.push({ round, system: driver.id, workload: workload.id, measurement, error: null, wallMs: Math.round(performance.now() - started), startMs });
            } catch (error) {
              const wallMs = Math.round(performance.now() - started);
              records.push({ round, system: driver.id, workload: workload.id, measurement: null, error: `${message(error)} (after ${wallMs} ms)`, wallMs, startMs });
            } finally {
              clearInterval(timer);
              startMs = undefined;
            }
          }
        } finally {
          await session.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
    options.onRound?.(records, round);
  }
  assert(records.length === total, 'one record per round, system and workload');
  return records;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
