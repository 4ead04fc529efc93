// Worker entry resolution: compiled runs start `<name>.js` beside this file; source runs (vitest,
// tsx) start the TypeScript entry through ts_worker_boot.mjs, or the bundled entry in dist/bundle/
// when LANES_WORKERS_FROM_BUILD=1 (workersFromBuildVariable); bundled runs (dist/bundle/, made by
// bin/bundle.js, which defines LANES_BUNDLED) start the bundled entry of the same name, which sits
// beside the bundle's code: one file per thread to load instead of a shard's ~140 modules.
// piscina pools use `workerEntry`.
//
// Node flags: a Worker inherits the parent's `process.execArgv` unless told otherwise, and some
// of the parent's flags make no sense in a worker: `node --input-type=module -e "…"` (an embedded
// broker in a one-liner) would fail every shard at once with ERR_INPUT_TYPE_NOT_ALLOWED, and
// flags like `--max-old-space-size` are refused outright when listed explicitly. So workers get
// only the parent's flags a worker can use (workerExecArgv); V8 and process-wide flags need no
// passing on, they already apply to every thread of the process.
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loggingWorkerData } from './logger.js';

export const runningFromSource = import.meta.url.endsWith('.ts');

/** Replaced by `true` when bin/bundle.js bundles this module; undeclared everywhere else. */
declare const LANES_BUNDLED: boolean | undefined;
const runningBundled = typeof LANES_BUNDLED !== 'undefined' && LANES_BUNDLED;

export interface WorkerEntry {
  /** The file the Worker (or piscina) loads. */
  file: URL;
  /** Merge into workerData: the log settings, and for the boot file which TypeScript module to import. */
  workerData: Record<string, unknown>;
  /** The Node flags to start the worker with (workerExecArgv of this process's). */
  execArgv: string[];
}

/** Parent flags worth passing to a worker (diagnostics, resolution conditions), without a value... */
const workerFlags = new Set([
  '--enable-source-maps',
  '--cpu-prof',
  '--heap-prof',
  '--no-warnings',
  '--no-deprecation',
  '--trace-warnings',
  '--trace-deprecation',
  '--trace-uncaught',
]);
/** ...and with one, as `=value` or the next argument. */
const workerFlagsWithValue = new Set([
  '--conditions',
  '-C',
  '--cpu-prof-dir',
  '--cpu-prof-name',
  '--cpu-prof-interval',
  '--heap-prof-dir',
  '--heap-prof-name',
  '--heap-prof-interval',
  '--unhandled-rejections',
]);
/** Flags not passed on whose value may be the next argument: skipped with it, so a value is never read as a flag. */
const droppedFlagsWithValue = new Set([
  '-e', '--eval', '-p', '-pe', '--print', '-r', '--require', '--import', '--loader', '--experimental-loader', '--input-type',
  '--title', '--env-file', '--watch-path', '--inspect-port', '--debug-port', '--redirect-warnings', '--diagnostic-dir',
  '--report-dir', '--report-directory', '--report-filename', '--openssl-config', '--tls-cipher-list', '--icu-data-dir',
  '--experimental-default-type', '--disable-warning', '--dns-result-order', '--heapsnapshot-signal', '--test-reporter',
  '--test-reporter-destination', '--test-name-pattern', '--test-shard', '--test-concurrency', '--test-timeout',
  '--trace-event-categories', '--trace-event-file-pattern', '--max-http-header-size', '--secure-heap', '--secure-heap-min',
]);

/**
 * The flags a worker starts with: those of `parent` in workerFlags(WithValue), nothing else (not the entry
 * point's `--input-type`, `--eval`, `--import` loaders, nor V8 or process-wide options).
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i];
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    const takesNext = equals < 0 && (workerFlagsWithValue.has(name) || droppedFlagsWithValue.has(name));
    if (workerFlags.has(name) || workerFlagsWithValue.has(name)) {
      kept.push(arg);
      if (takesNext && i + 1 < parent.length) kept.push(parent[i + 1]);
    }
    if (takesNext) i += 1;
  }
  return kept;
}

/**
 * Set by the test suite once it has checked that dist/ is built from the current sources: a source
 * run then starts its workers from the bundle, one file to load, instead of compiling the worker's
 * TypeScript modules through tsx in every new thread (about a second of CPU per shard started).
 */
export const workersFromBuildVariable = 'LANES_WORKERS_FROM_BUILD';

/** `relativePath` is relative to actors/, without extension, e.g. 'shard/shard_main'. */
export function workerEntry(relativePath: string): WorkerEntry {
  // The bundle's entries are flat, named by the module's own name (bin/bundle.js).
  const bundledName = `${relativePath.slice(relativePath.lastIndexOf('/') + 1)}.js`;
  if (runningBundled) return workerEntryAt(new URL(`./${bundledName}`, import.meta.url));
  if (runningFromSource && process.env[workersFromBuildVariable] === '1') return workerEntryAt(new URL(`../dist/bundle/${bundledName}`, import.meta.url));
  const extension = runningFromSource ? 'ts' : 'js';
  return workerEntryAt(new URL(`./${relativePath}.${extension}`, import.meta.url));
}

/** An entry given by its full URL: `.js` files load directly, `.ts` files through the boot file. */
export function workerEntryAt(target: URL): WorkerEntry {
  if (!existsSync(fileURLToPath(target))) throw new Error(`no worker entry ${fileURLToPath(target)}`);
  // Read now, not at import: `lanes start --log-level` sets the level after this module loads.
  const logging = loggingWorkerData();
  const execArgv = workerExecArgv();
  if (!target.pathname.endsWith('.ts')) return { file: target, workerData: logging, execArgv };
  // The boot file is plain JS in the source tree; compiled runs never take this branch.
  return { file: new URL('./ts_worker_boot.mjs', import.meta.url), workerData: { ...logging, __tsEntry: target.href }, execArgv };
}

export function spawnWorker(relativePath: string | URL, options: WorkerOptions = {}): Worker {
  const entry = typeof relativePath === 'string' ? workerEntry(relativePath) : workerEntryAt(relativePath);
  const workerData = { ...(options.workerData as Record<string, unknown> | undefined), ...entry.workerData };
  return new Worker(entry.file, { execArgv: entry.execArgv, ...options, workerData });
}
