// The process-wide pino logger. Level from LANES_LOG_LEVEL (default info); tests default to warn
// so their output stays readable. Child loggers name their component: logger.child({ component }).
import { pino, type Logger } from 'pino';

const defaultLevel = process.env.VITEST !== undefined ? 'warn' : 'info';

export const logger: Logger = pino({
  name: 'lanes',
  level: process.env.LANES_LOG_LEVEL ?? defaultLevel,
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
