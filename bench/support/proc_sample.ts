// What Linux says about a process: resident memory (VmRSS, VmHWM), threads and open file
// descriptors, read from /proc/<pid>/status and /proc/<pid>/fd. Null when the process is gone
// (or on a system without /proc).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessSample {
  /** Resident set size, bytes. */
  rssBytes: number;
  /** Peak resident set size, bytes. */
  rssPeakBytes: number;
  /** The RSS split: anonymous (heaps, malloc, arenas), file-backed (code, mapped files), shared memory. */
  rssAnonBytes: number;
  rssFileBytes: number;
  rssShmemBytes: number;
  threads: number;
  openFds: number;
}

function statusField(status: string, name: string): number | null {
  const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status);
  return match === null ? null : Number(match[1]);
}

export function readProcessSample(pid: number): ProcessSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = statusField(status, 'VmRSS');
    if (rssKb === null) return null;
    return {
      rssBytes: rssKb * 1024,
      rssPeakBytes: (statusField(status, 'VmHWM') ?? rssKb) * 1024,
      rssAnonBytes: (statusField(status, 'RssAnon') ?? 0) * 1024,
      rssFileBytes: (statusField(status, 'RssFile') ?? 0) * 1024,
      rssShmemBytes: (statusField(status, 'RssShmem') ?? 0) * 1024,
      threads: statusField(status, 'Threads') ?? 0,
      openFds: readdirSync(`/proc/${pid}/fd`).length,
    };
  } catch {
    return null;
  }
}

/**
 * CPU time a process has used so far, in milliseconds: user + system over all its threads
 * (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms on Linux), or with `thread` only
 * that thread's (the main thread's id is the pid). A rate measured in CPU time does not depend on
 * how busy the rest of the machine is. Null when the process is gone.
 */
export function readProcessCpuMs(pid: number, thread?: number): number | null {
  try {
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * clockTickMs;
  } catch {
    return null;
  }
}

/**
 * CPU time each thread of a process has used so far, in ms, by thread id (the main thread's id is
 * the pid), from /proc/<pid>/task/<tid>/stat. Linux names every Node thread `node`, so the ids are
 * what tells them apart: the main thread first, then V8's platform threads (garbage collection
 * helpers, background compilation), libuv's pool once used, then worker threads in the order they
 * were started. Null when the process is gone.
 */
export function readThreadsCpuMs(pid: number): Map<number, number> | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const out = new Map<number, number>();
  for (const tid of tids) {
    const ms = readProcessCpuMs(pid, Number(tid));
    if (ms !== null) out.set(Number(tid), ms);
  }
  return out;
}

/** USER_HZ, which Linux fixes at 100 for /proc. */
const clockTickMs = 10;
