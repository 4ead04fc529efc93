// The process-wide pino logger and where its lines go.
//
// Level: LANES_LOG_LEVEL, else warn: a library stays quiet; `lanes start` raises it to info (its
// `--log-level`), and `Lanes.start({ logLevel })` sets it with KafkaJS's numbers.
// Format: readable lines (log_lines.ts) on a terminal, JSON lines otherwise; LANES_LOG_FORMAT or
// `lanes start --log-format` choose. `Lanes.start({ logCreator })` sends the lines to a KafkaJS
// logCreator instead.
// Worker threads (shards, the recovery pool) start with the spawning thread's level, format and
// destination (spawn.ts passes loggingWorkerData()), so every setting applies to every thread;
// with a logCreator their lines travel to the thread that set it over a BroadcastChannel.
//
// Components: componentLogger(parent, 'name') names the part that logs. A component under
// another one extends its path (`shard/group-coordinator`), and each key appears once per line
// (pino's own child() would append a second "component").
import { BroadcastChannel, isMainThread, threadId, workerData } from 'node:worker_threads';
import { pino, type DestinationStream, type Logger } from 'pino';
import { logEntryOfLine, readableLine, type LogCreator } from './log_lines.js';

export type { Logger };

import { logFormats, logLevelNames, type LogFormat } from './log_settings.js';

export { logFormats, logLevelNames, type LogFormat } from './log_settings.js';

/** The workerData keys spawn.ts sets from loggingWorkerData(). */
export const logLevelKey = '__lanesLogLevel';
const logFormatKey = '__lanesLogFormat';
const logColourKey = '__lanesLogColour';
const logChannelKey = '__lanesLogChannel';

function inherited(key: string): unknown {
  if (isMainThread || typeof workerData !== 'object' || workerData === null) return undefined;
  return (workerData as Record<string, unknown>)[key];
}

export function isLogLevel(value: unknown): value is string {
  return typeof value === 'string' && (logLevelNames as readonly string[]).includes(value);
}

export function isLogFormat(value: unknown): value is LogFormat {
  return typeof value === 'string' && (logFormats as readonly string[]).includes(value);
}

/** The format a process picks by itself: readable on a terminal, JSON for files, pipes and collectors. */
function defaultFormat(output: { isTTY?: boolean } = process.stdout): LogFormat {
  const fromEnv = process.env.LANES_LOG_FORMAT;
  if (isLogFormat(fromEnv)) return fromEnv;
  return output.isTTY === true ? 'pretty' : 'json';
}

const envLevel = process.env.LANES_LOG_LEVEL;
const inheritedLevel = inherited(logLevelKey);
const inheritedFormat = inherited(logFormatKey);
let format: LogFormat = isLogFormat(inheritedFormat) ? inheritedFormat : defaultFormat();
let colour = inherited(logColourKey) === true || (isMainThread && process.stdout.isTTY === true && process.env.NO_COLOR === undefined);

const stdout = pino.destination({ dest: 1, sync: true });
/** Set while a logCreator (or, in a worker, the channel to it) receives the lines instead of stdout. */
let sink: ((line: string) => void) | null = null;
/** The channel this thread's workers send their lines on while a logCreator is in use. */
let channel: BroadcastChannel | null = null;

const inheritedChannel = inherited(logChannelKey);
if (typeof inheritedChannel === 'string') {
  const toCreator = new BroadcastChannel(inheritedChannel);
  toCreator.unref();
  sink = (line) => toCreator.postMessage(line);
}

const destination: DestinationStream = {
  write(line: string): void {
    if (sink !== null) sink(line);
    else stdout.write(format === 'json' ? line : readableLine(line, colour));
  },
};

export const logger: Logger = pino(
  // An unknown LANES_LOG_LEVEL leaves the default here; `lanes start` refuses it with the valid names.
  { name: 'lanes', level: isLogLevel(inheritedLevel) ? inheritedLevel : isLogLevel(envLevel) ? envLevel : 'warn', base: { pid: process.pid } },
  destination,
);

/** Readable lines or JSON, for this thread and the workers it spawns from now on. */
export function setLogFormat(next: LogFormat): void {
  format = next;
  if (next === 'json') colour = false;
}

export function logFormat(): LogFormat {
  return format;
}

/**
 * Sends this process's log lines to a KafkaJS logCreator (`Lanes.start({ logCreator })`), its
 * shard threads' included: `creator` is called once with `kafkaLevel` and gets each entry at or
 * above the logger's level. A logCreator that throws loses that entry, never the broker's work.
 */
export function useLogCreator(creator: LogCreator, kafkaLevel: number): () => void {
  const deliver = creatorSink(creator, kafkaLevel);
  const previous = sink;
  sink = deliver;
  if (channel === null) {
    channel = new BroadcastChannel(`lanes:logs:${process.pid}:${threadId}`);
    channel.unref();
  }
  channel.onmessage = (event: unknown) => {
    const data = (event as { data?: unknown }).data;
    if (typeof data === 'string') sink?.(data);
  };
  // Undoes this call (Lanes.stop): lines go where they went before.
  return () => {
    if (sink === deliver) sink = previous;
  };
}

/** What spawn.ts merges into a worker's workerData so its logger matches this thread's. */
export function loggingWorkerData(): Record<string, unknown> {
  // Read at spawn, not at import: `lanes start --log-level` sets the level after this module loads.
  const data: Record<string, unknown> = { [logLevelKey]: logger.level, [logFormatKey]: format, [logColourKey]: colour };
  if (sink !== null && channel !== null) data[logChannelKey] = channel.name;
  return data;
}

/** Each component logger's root, so a component under another is built from the root, not stacked on it. */
const rootOf = new WeakMap<Logger, Logger>();

/**
 * A logger for `component`, part of whatever `parent` logs for: the parent's bindings, its
 * component path extended (`shard` → `shard/group-coordinator`), `bindings` added, and the
 * parent's level.
 */
export function componentLogger(parent: Logger, component: string, bindings: Record<string, unknown> = {}): Logger {
  const root = rootOf.get(parent) ?? parent;
  const rootBindings = root === parent ? {} : root.bindings();
  const own: Record<string, unknown> = {};
  if (root !== parent) {
    for (const [key, value] of Object.entries(parent.bindings())) if (!(key in rootBindings)) own[key] = value;
  }
  const path = typeof own.component === 'string' ? `${own.component}/${component}` : component;
  const child = root.child({ ...own, ...bindings, component: path });
  if (child.level !== parent.level) child.level = parent.level;
  rootOf.set(child, root);
  return child;
}

/** A root logger whose lines go to a KafkaJS logCreator (a client's `logCreator` option). */
export function creatorLogger(creator: LogCreator, kafkaLevel: number, level: string): Logger {
  return pino({ name: 'lanes', level, base: { pid: process.pid } }, { write: creatorSink(creator, kafkaLevel) });
}

/**
 * Where pino's lines go for a KafkaJS logCreator: `creator` is called once with `kafkaLevel`, then
 * each line becomes one entry. An entry the application's logger throws on is lost; the broker's
 * or client's work goes on.
 */
function creatorSink(creator: LogCreator, kafkaLevel: number): (line: string) => void {
  const log = creator(kafkaLevel);
  return (line) => {
    const entry = logEntryOfLine(line);
    if (entry === null) return;
    try {
      log(entry);
    } catch {
      // The application's logger failed; the broker keeps going.
    }
  };
}

/**
 * For the client commands (`lanes consume`…), whose stdout is their output: the same records, on
 * stderr, warnings and worse unless LANES_LOG_LEVEL says otherwise. Created on first use, so other
 * processes never open it.
 */
let cliLoggerInstance: Logger | null = null;
export function cliLogger(): Logger {
  if (cliLoggerInstance !== null) return cliLoggerInstance;
  const stderr = pino.destination({ fd: 2, sync: true });
  const stderrColour = process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
  cliLoggerInstance = pino(
    { name: 'lanes', level: isLogLevel(envLevel) ? envLevel : 'warn', base: { pid: process.pid } },
    defaultFormat(process.stderr) === 'pretty' ? { write: (line: string) => stderr.write(readableLine(line, stderrColour)) } : stderr,
  );
  return cliLoggerInstance;
}
