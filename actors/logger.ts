// The process-wide pino logger. Level from LANES_LOG_LEVEL (default info); tests default to warn
// so their output stays readable. Child loggers name their component: logger.child({ component }).
// Worker threads (shards, the recovery pool) start at the level the spawning thread's logger had
// (spawn.ts passes it in workerData), so `--log-level` applies to every thread.
import { isMainThread, workerData } from 'node:worker_threads';
import { pino, type Logger } from 'pino';

const defaultLevel = process.env.VITEST !== undefined ? 'warn' : 'info';

/** The workerData key spawn.ts sets to the spawning thread's level. */
export const logLevelKey = '__lanesLogLevel';

function inheritedLevel(): string | undefined {
  if (isMainThread || typeof workerData !== 'object' || workerData === null) return undefined;
  const level = (workerData as Record<string, unknown>)[logLevelKey];
  return typeof level === 'string' ? level : undefined;
}

export const logger: Logger = pino({
  name: 'lanes',
  level: inheritedLevel() ?? process.env.LANES_LOG_LEVEL ?? defaultLevel,
  base: { pid: process.pid },
});

export type { Logger };

/**
 * For the client commands (`lanes consume`…), whose stdout is their output: the same records, on
 * stderr, warnings and worse unless LANES_LOG_LEVEL says otherwise. Created on first use, so other
 * processes never open it.
 */
let cliLoggerInstance: Logger | null = null;
export function cliLogger(): Logger {
  cliLoggerInstance ??= pino({ name: 'lanes', level: process.env.LANES_LOG_LEVEL ?? 'warn', base: { pid: process.pid } }, pino.destination({ fd: 2, sync: true }));
  return cliLoggerInstance;
}
