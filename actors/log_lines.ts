// Turning pino's JSON lines into what a person reads on a terminal, and into KafkaJS's logCreator
// entries. Pure functions of one line: the destinations in logger.ts call them.
//
//   07:21:32.123 INFO  broker                   broker started storage=disk shards=2
//   07:21:40.004 WARN  shard/group-coordinator  member left groupId=orders shard=1
//
// Written here rather than taking pino-pretty: these few lines cover what `lanes start` prints,
// run synchronously in the thread that logs (pino-pretty as a transport adds a thread per process
// and per shard worker, and its dozen dependencies to every install).

/** The fields every pino line has, which the readable form shows in its own columns or drops. */
const shownApart = new Set(['level', 'time', 'msg', 'component', 'pid', 'hostname', 'name', 'err']);

export const levelLabels: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

const levelColours: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };

function clockTime(ms: number): string {
  const at = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

/** Width the component column is padded to, so messages line up for the usual components. */
const componentWidth = 24;

/**
 * One pino JSON line as `time LEVEL component message key=value…`, with an error's stack indented
 * below. A line that is not JSON (it never should be) passes through unchanged.
 */
export function readableLine(line: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const label = (levelLabels[level] ?? String(level)).padEnd(5);
  const time = clockTime(typeof entry.time === 'number' ? entry.time : Date.now());
  const component = typeof entry.component === 'string' ? entry.component : typeof entry.name === 'string' ? entry.name : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !shownApart.has(key))
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  const err = entry.err as { message?: unknown; stack?: unknown } | undefined;
  const message = [typeof entry.msg === 'string' ? entry.msg : '', ...fields].filter((part) => part !== '').join(' ');
  const levelText = colour ? `\u001b[${levelColours[level] ?? '0'}m${label}\u001b[0m` : label;
  let text = `${time} ${levelText} ${component.padEnd(componentWidth)} ${message}`.trimEnd();
  if (err !== undefined && err !== null) {
    const detail = typeof err.stack === 'string' ? err.stack : typeof err.message === 'string' ? err.message : JSON.stringify(err);
    text += `\n${detail.replace(/^/gm, '    ')}`;
  }
  return `${text}\n`;
}

/** KafkaJS's log levels (its `logLevel` export), which `logLevel` options take. */
export const kafkaLogLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;

/** One log call as KafkaJS hands it to a logCreator's log function. */
export interface LogEntry {
  namespace: string;
  level: number;
  label: string;
  log: { timestamp: string; logger: string; message: string; [key: string]: unknown };
}

/** KafkaJS's logCreator: called once with the level, returns the function each entry goes to. */
export type LogCreator = (logLevel: number) => (entry: LogEntry) => void;

/** pino's level name for a KafkaJS level number (between two levels: the more verbose). */
export function pinoLevelOfKafka(level: number): string {
  if (!Number.isInteger(level) || level < kafkaLogLevel.NOTHING || level > kafkaLogLevel.DEBUG) {
    throw new RangeError(`logLevel ${String(level)} is not a KafkaJS level: use logLevel.NOTHING (0), ERROR (1), WARN (2), INFO (4) or DEBUG (5)`);
  }
  if (level === kafkaLogLevel.NOTHING) return 'silent';
  if (level === kafkaLogLevel.ERROR) return 'error';
  if (level === kafkaLogLevel.WARN) return 'warn';
  if (level <= kafkaLogLevel.INFO) return 'info';
  return 'debug';
}

/** KafkaJS's level number for a pino level number. */
export function kafkaLevelOfPino(level: number): number {
  if (level >= 50) return kafkaLogLevel.ERROR;
  if (level >= 40) return kafkaLogLevel.WARN;
  if (level >= 30) return kafkaLogLevel.INFO;
  return kafkaLogLevel.DEBUG;
}

const kafkaLabels: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' };

/** One pino JSON line as a KafkaJS log entry: the component is the namespace, the other fields ride in `log`. */
export function logEntryOfLine(line: string): LogEntry | null {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const level = kafkaLevelOfPino(typeof entry.level === 'number' ? entry.level : 30);
  const { level: _level, time, msg, component, pid: _pid, hostname: _hostname, name: _name, ...rest } = entry;
  return {
    namespace: typeof component === 'string' ? component : '',
    level,
    label: kafkaLabels[level],
    log: {
      ...rest,
      timestamp: new Date(typeof time === 'number' ? time : Date.now()).toISOString(),
      logger: 'lanes',
      message: typeof msg === 'string' ? msg : '',
    },
  };
}
