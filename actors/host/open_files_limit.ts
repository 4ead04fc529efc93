// How many file descriptors a disk broker needs, and how many the process may open. A disk
// partition holds one descriptor for its directory and one per segment file, open for the
// broker's lifetime (so does each shard's offsets log); sockets, the WASM kernels and Node take
// a few dozen more. When the limit is below that, partitions fail to open with EMFILE.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Descriptors beyond the logs': Node and libuv, worker threads, the listener, a few clients. */
export const descriptorsReserved = 64;

/** Descriptors the logs in these directories hold once open: the directory and each segment. */
export function logDescriptors(dirs: readonly string[]): number {
  let count = 0;
  for (const dir of dirs) {
    let segments = 0;
    try {
      for (const name of readdirSync(dir)) if (name.endsWith('.log')) segments++;
    } catch {
      // Missing: it opens empty, with one segment.
    }
    count += 1 + Math.max(1, segments);
  }
  return count;
}

/** The soft limit on open files (ulimit -n), or null where it cannot be read (not Linux). */
export function openFilesLimit(): number | null {
  let text: string;
  try {
    text = readFileSync(join('/proc', 'self', 'limits'), 'utf8');
  } catch {
    return null;
  }
  const match = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (match === null) return null;
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}
