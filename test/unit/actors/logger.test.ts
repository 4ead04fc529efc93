// What a person (or a log collector) reads: one component per line, readable lines on a terminal,
// KafkaJS's log entries for a logCreator.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { componentLogger } from '../../../actors/logger.js';
import { logEntryOfLine, pinoLevelOfKafka, readableLine } from '../../../actors/log_lines.js';

function capturing(): { root: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const root = pino({ name: 'lanes', level: 'info', base: { pid: 7 } }, { write: (line: string) => lines.push(line) });
  return { root, lines };
}

/** Each key of one JSON line, in order, duplicates kept (JSON.parse would keep only the last). */
function keysOf(line: string): string[] {
  return [...line.matchAll(/"([^"]+)":/g)].map((match) => match[1]);
}

describe('componentLogger', () => {
  it('extends the parent component into a path and writes every key once', () => {
    const { root, lines } = capturing();
    const shard = componentLogger(root, 'shard', { shard: 3 });
    const coordinator = componentLogger(shard, 'group-coordinator');
    const storage = componentLogger(coordinator, 'file-storage', { dir: '/data' });
    coordinator.info({ groupId: 'orders' }, 'member joined');
    storage.warn('slow fsync');
    const [joined, slow] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(joined).toMatchObject({ component: 'shard/group-coordinator', shard: 3, groupId: 'orders', msg: 'member joined' });
    expect(slow).toMatchObject({ component: 'shard/group-coordinator/file-storage', shard: 3, dir: '/data', msg: 'slow fsync' });
    for (const line of lines) {
      const keys = keysOf(line);
      expect(keys).toEqual([...new Set(keys)]);
    }
  });

  it('keeps the level a parent was given of its own', () => {
    const { root, lines } = capturing();
    const client = componentLogger(root, 'client');
    client.level = 'debug';
    componentLogger(client, 'consumer').debug('fetching');
    expect(lines.map((line) => (JSON.parse(line) as { component: string }).component)).toEqual(['client/consumer']);
  });
});

describe('readableLine', () => {
  const at = new Date(2026, 0, 2, 7, 21, 32, 123).getTime();

  it('shows time, level, component and message, then the other fields as key=value', () => {
    const line = JSON.stringify({ level: 30, time: at, pid: 1, name: 'lanes', component: 'broker', storage: 'disk', dataDir: '/my data', shards: 2, msg: 'broker started' });
    expect(readableLine(line)).toBe('07:21:32.123 INFO  broker                   broker started storage=disk dataDir="/my data" shards=2\n');
  });

  it('puts an error stack below its line, indented', () => {
    const line = JSON.stringify({ level: 50, time: at, component: 'shard/group-coordinator', err: { message: 'boom', stack: 'Error: boom\n    at f (x.js:1:1)' }, msg: 'a bug' });
    expect(readableLine(line)).toBe('07:21:32.123 ERROR shard/group-coordinator  a bug\n    Error: boom\n        at f (x.js:1:1)\n');
  });
});

describe('KafkaJS log options', () => {
  it('maps KafkaJS levels to pino and refuses numbers KafkaJS does not have', () => {
    expect([0, 1, 2, 4, 5].map(pinoLevelOfKafka)).toEqual(['silent', 'error', 'warn', 'info', 'debug']);
    expect(() => pinoLevelOfKafka(6)).toThrow(/logLevel 6 is not a KafkaJS level: use logLevel.NOTHING \(0\), ERROR \(1\), WARN \(2\), INFO \(4\) or DEBUG \(5\)/);
  });

  it('turns a line into a logCreator entry: the component is the namespace', () => {
    const line = JSON.stringify({ level: 40, time: 0, pid: 1, name: 'lanes', component: 'shard/group-coordinator', shard: 1, msg: 'member left' });
    expect(logEntryOfLine(line)).toEqual({
      namespace: 'shard/group-coordinator',
      level: 2,
      label: 'WARN',
      log: { shard: 1, timestamp: '1970-01-01T00:00:00.000Z', logger: 'lanes', message: 'member left' },
    });
  });
});
