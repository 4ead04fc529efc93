// Nanoseconds per operation from a tinybench task that runs `op` `repeat` times per sample, for
// the micro benchmarks. Each result is folded into a sink that stays observable (`sink()`), so no
// call is dead code the compiler could drop.
import type { Bench } from 'tinybench';

let folded = 0;

/** What the timed operations returned, folded together: print it conditionally to keep it live. */
export function sink(): number {
  return folded;
}

/** Adds `name` to `bench`; the returned function reads its time per op (ns) once the bench ran. */
export function timePerOp(bench: Bench, name: string, repeat: number, op: () => number): () => number {
  bench.add(name, () => {
    for (let i = 0; i < repeat; i++) folded ^= op();
  });
  return () => {
    const task = bench.getTask(name);
    if (task?.result.state !== 'completed') throw new Error(`task ${name} did not complete: ${task?.result.state === 'errored' ? String(task.result.error) : task?.result.state}`);
    // The median sample, not the mean: on a shared 2-core machine a few samples land on a busy
    // core, and the median ignores them where the mean would not.
    return (task.result.latency.p50 * 1e6) / repeat; // ns per op
  };
}
