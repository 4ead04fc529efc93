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
