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
