// Worker entry resolution: compiled runs start `<name>.js` beside this file; source runs (vitest,
// tsx) start the TypeScript entry through ts_worker_boot.mjs. piscina pools use `workerEntry`.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loggingWorkerData } from './logger.js';

export const runningFromSource = import.meta.url.endsWith('.ts');

export interface WorkerEntry {
  /** The file the Worker (or piscina) loads. */
  file: URL;
  /** Merge into workerData: the log settings, and for the boot file which TypeScript module to import. */
  workerData: Record<string, unknown>;
}

/** `relativePath` is relative to actors/, without extension, e.g. 'shard/shard_main'. */
export function workerEntry(relativePath: string): WorkerEntry {
  const extension = runningFromSource ? 'ts' : 'js';
  return workerEntryAt(new URL(`./${relativePath}.${extension}`, import.meta.url));
}

/** An entry given by its full URL: `.js` files load directly, `.ts` files through the boot file. */
export function workerEntryAt(target: URL): WorkerEntry {
  if (!existsSync(fileURLToPath(target))) throw new Error(`no worker entry ${fileURLToPath(target)}`);
  // Read now, not at import: `lanes start --log-level` sets the level after this module loads.
  const level = loggingWorkerData();
  if (!target.pathname.endsWith('.ts')) return { file: target, workerData: level };
  // The boot file is plain JS in the source tree; compiled runs never take this branch.
  return { file: new URL('./ts_worker_boot.mjs', import.meta.url), workerData: { ...level, __tsEntry: target.href } };
}

export function spawnWorker(relativePath: string | URL, options: WorkerOptions = {}): Worker {
  const entry = typeof relativePath === 'string' ? workerEntry(relativePath) : workerEntryAt(relativePath);
  const workerData = { ...(options.workerData as Record<string, unknown> | undefined), ...entry.workerData };
  return new Worker(entry.file, { ...options, workerData });
}
