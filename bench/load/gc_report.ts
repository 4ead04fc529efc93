// GC pauses and event-loop delay of the broker child, for `bench/load/main.ts --gc-report`: the
// numbers the latency sections of BENCHMARKS.md quote (scavenges and mark-compacts per run, their
// total and longest pause, event-loop delay). Observers only: nothing runs per request.
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

interface Pauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

const kindNames = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'scavenge'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'mark-compact'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental marking'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weak callbacks'],
]);

/** Starts watching; the returned function stops and gives one summary line. */
export function watchGcAndLoop(): () => string {
  const byKind = new Map<string, Pauses>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const kind = kindNames.get(entry.detail?.kind ?? -1) ?? 'other';
      const pauses = byKind.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
      pauses.count++;
      pauses.totalMs += entry.duration;
      pauses.maxMs = Math.max(pauses.maxMs, entry.duration);
      byKind.set(kind, pauses);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const startedMs = performance.now();
  return () => {
    observer.disconnect();
    loop.disable();
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    const gc = [...byKind].map(([kind, p]) => `${p.count} ${kind} (${p.totalMs.toFixed(0)} ms total, max ${p.maxMs.toFixed(1)} ms)`).join(', ');
    return `gc over ${((performance.now() - startedMs) / 1000).toFixed(1)} s: ${gc || 'none'}; event-loop delay p50 ${ms(loop.percentile(50))} ms, p99 ${ms(loop.percentile(99))} ms, max ${ms(loop.max)} ms`;
  };
}
