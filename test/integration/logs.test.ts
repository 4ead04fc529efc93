// The logs a user sees: `lanes start` prints readable lines on request (a terminal gets them by
// default) and JSON lines when piped, from the main thread and the shard threads alike, with each
// key once; an embedded broker sends its entries, shard threads' included, to a KafkaJS
// logCreator, and so do the clients of a Kafka given one.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Lanes, logLevel, type LogEntry } from '../../actors/host/index.js';
import { assertDistFresh, lanesBin, repoRoot, spawnLanes } from '../support/built_cli.js';
import { skipWithoutTool } from '../support/required_tool.js';
import { timeoutMs, waitUntil } from '../support/timeouts.js';

/** Runs `lanes start` (memory, two shard threads) until it says where it listens, then SIGTERM; its stdout. */
async function startOutput(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; lines: string[] }> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.LANES_LOG_FORMAT;
  const child = spawnLanes(['start', '--storage', 'memory', '--shards', '2', '--shard-threads', 'workers', '--port', '0', ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  let stopped = false;
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    // Once: a second signal would end the process without its clean stop.
    if (!stopped && stdout.includes('stop with Ctrl-C')) {
      stopped = true;
      child.kill('SIGTERM');
    }
  });
  const hang = setTimeout(() => child.kill('SIGKILL'), timeoutMs(45_000));
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  clearTimeout(hang);
  return { code, lines: stdout.split('\n').filter((line) => line !== '' && !line.startsWith('lanes: ')) };
}

describe('lanes start logs', () => {
  it('are readable lines with --log-format pretty, shard threads included', async () => {
    const { code, lines } = await startOutput(['--log-format', 'pretty', '--log-level', 'info']);
    expect(code).toBe(0);
    const line = /^\d\d:\d\d:\d\d\.\d{3} (INFO |WARN |ERROR|FATAL|DEBUG|TRACE) (\S+) +(.*)$/;
    expect(lines.filter((l) => !line.test(l))).toEqual([]);
    const parsed = lines.map((l) => line.exec(l)!);
    expect(parsed.filter((m) => m[2] === 'shard/group-coordinator' && m[3].startsWith('group coordinator loaded')).map((m) => /shard=(\d)/.exec(m[3])?.[1]).sort()).toEqual(['0', '1']);
    expect(parsed.some((m) => m[1] === 'INFO ' && m[2] === 'broker' && m[3].startsWith('broker started'))).toBe(true);
  }, timeoutMs(60_000));

  it('are JSON lines when stdout is not a terminal, each key once, at LANES_LOG_LEVEL', async () => {
    const { code, lines } = await startOutput([], { LANES_LOG_LEVEL: 'info' });
    expect(code).toBe(0);
    const entries = lines.map((l) => JSON.parse(l) as { component?: string; msg: string });
    for (const l of lines) {
      const keys = [...l.matchAll(/"([^"]+)":/g)].map((m) => m[1]);
      expect(keys).toEqual([...new Set(keys)]);
    }
    expect(entries.filter((e) => e.component === 'shard/group-coordinator' && e.msg === 'group coordinator loaded')).toHaveLength(2);
    expect(entries.some((e) => e.component === 'broker' && e.msg === 'broker started')).toBe(true);
  }, timeoutMs(60_000));

  // util-linux `script` runs the broker on a pseudo-terminal, as a user's shell does.
  const noScript = skipWithoutTool('script', spawnSync('script', ['--version']).status === 0, 'apt-get install bsdutils', 'the terminal log test');

  it.skipIf(noScript)('are readable, coloured lines on a terminal without any flag', async () => {
    assertDistFresh();
    // A busy --port makes the start end by itself after its first lines, so no signal has to cross the terminal.
    const occupier = createServer();
    await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
    const port = (occupier.address() as { port: number }).port;
    const env: Record<string, string | undefined> = { ...process.env, LANES_LOG_LEVEL: 'info' };
    delete env.LANES_LOG_FORMAT;
    delete env.NO_COLOR;
    const command = [process.execPath, lanesBin, 'start', '--storage', 'memory', '--shards', '1', '--port', String(port)].map((word) => `'${word}'`).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const hang = setTimeout(() => child.kill('SIGKILL'), timeoutMs(45_000));
    const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
    clearTimeout(hang);
    await new Promise<void>((resolve) => occupier.close(() => resolve()));
    const lines = output.split(/\r?\n/);
    expect(code).toBe(1);
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} \u001b\[32mINFO \u001b\[0m shard\/group-coordinator +group coordinator loaded shard=0/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} \u001b\[32mINFO \u001b\[0m broker +broker started/));
    expect(lines).toContainEqual(`lanes: --port ${port}: 127.0.0.1:${port} is already in use (another broker or program listens there); stop it or choose another --port (0 picks a free one)`);
  }, timeoutMs(60_000));

  it('say nothing below warn with --log-level warn', async () => {
    const { code, lines } = await startOutput(['--log-level', 'warn', '--log-format', 'json']);
    expect({ code, lines }).toEqual({ code: 0, lines: [] });
  }, timeoutMs(60_000));
});

describe('KafkaJS log options', () => {
  let lanes: Lanes | null = null;
  afterEach(async () => {
    await lanes?.stop();
    lanes = null;
  });

  it('Lanes.start sends the broker\'s entries to a logCreator, shard threads\' included', async () => {
    const entries: LogEntry[] = [];
    let createdWith: number | null = null;
    lanes = await Lanes.start({
      shards: 2,
      logLevel: logLevel.INFO,
      logCreator: (level) => {
        createdWith = level;
        return (entry) => entries.push(entry);
      },
    });
    expect(createdWith).toBe(logLevel.INFO);
    await waitUntil('both shard threads\' coordinators to report loading', () => entries.filter((e) => e.namespace === 'shard/group-coordinator').length === 2, 20_000, { detail: () => entries });
    expect(entries.find((e) => e.namespace === 'broker' && e.log.message === 'broker started')).toMatchObject({ level: logLevel.INFO, label: 'INFO', log: { logger: 'lanes', shards: 2 } });
    expect(entries.filter((e) => e.namespace === 'shard/group-coordinator').map((e) => e.log.shard).sort()).toEqual([0, 1]);
  }, timeoutMs(60_000));

  it('a Kafka with a logCreator sends its clients\' entries to it, at its logLevel', async () => {
    lanes = await Lanes.start({ shards: 1, shardThreads: 'inline' });
    const entries: LogEntry[] = [];
    const kafka = lanes.kafka({ clientId: 'logged', logLevel: logLevel.ERROR, logCreator: () => (entry) => entries.push(entry) });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'logged', messages: [{ value: 'x' }] });
    const consumer = kafka.consumer({ groupId: 'logged' });
    await consumer.connect();
    await consumer.subscribe({ topics: ['logged'], fromBeginning: true });
    let failed = false;
    let delivered = false;
    await consumer.run({
      eachMessage: async () => {
        if (!failed) {
          failed = true;
          throw new Error('handler bug');
        }
        delivered = true;
      },
    });
    await waitUntil('the record delivered again after the handler failed', () => delivered);
    expect(entries).toContainEqual(
      expect.objectContaining({ namespace: 'client', level: logLevel.ERROR, label: 'ERROR', log: expect.objectContaining({ clientId: 'logged', message: 'the handler failed; the record will be delivered again' }) }),
    );
    expect(entries.every((e) => e.level === logLevel.ERROR)).toBe(true);
  }, timeoutMs(60_000));
});
