// What a user sees in the first hour when something is wrong: the built `lanes` prints one line
// naming the cause and what to change, exits 1, and shows no stack trace.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureLine, runCli } from './support.js';
import { repoRoot } from '../../support/built_cli.js';
import { timeoutMs } from '../../support/timeouts.js';

let occupier: Server;
/** A port something else listens on for the whole file. */
let busyPort: number;

beforeAll(async () => {
  occupier = createServer();
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
  busyPort = (occupier.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => occupier.close(() => resolve()));
});

const startArgs = ['start', '--storage', 'memory', '--shards', '1', '--shard-threads', 'inline'];

describe('lanes start', () => {
  it('names --port when the Kafka port is in use', async () => {
    const line = failureLine(await runCli([...startArgs, '--port', String(busyPort)]));
    expect(line).toBe(`lanes: --port ${busyPort}: 127.0.0.1:${busyPort} is already in use (another broker or program listens there); stop it or choose another --port (0 picks a free one)`);
  }, timeoutMs(60_000));

  it('names --admin-port when the admin port is in use', async () => {
    const line = failureLine(await runCli([...startArgs, '--port', '0', '--admin-port', String(busyPort)]));
    expect(line).toBe(`lanes: --admin-port ${busyPort}: 127.0.0.1:${busyPort} is already in use (another broker or program listens there); stop it or choose another --admin-port (0 picks a free one)`);
  }, timeoutMs(60_000));

  it('lists the valid log levels for an unknown one, from the flag or LANES_LOG_LEVEL', async () => {
    const levels = 'fatal, error, warn, info, debug, trace, silent';
    expect(failureLine(await runCli([...startArgs, '--log-level', 'verbose']))).toBe(
      `lanes: option '--log-level <level>' argument 'verbose' is invalid. Allowed choices are ${levels}.`,
    );
    expect(failureLine(await runCli(startArgs, { env: { LANES_LOG_LEVEL: 'loud' } }))).toBe(
      `lanes: option '--log-level <level>' value 'loud' from env 'LANES_LOG_LEVEL' is invalid. Allowed choices are ${levels}.`,
    );
    expect(failureLine(await runCli([...startArgs, '--log-format', 'xml']))).toBe(
      "lanes: option '--log-format <format>' argument 'xml' is invalid. Allowed choices are pretty, json.",
    );
  }, timeoutMs(60_000));
});

describe('lanes topic create', () => {
  const rule = 'a topic name has 1 to 249 characters, each a letter (a-z, A-Z), a digit, ".", "_" or "-", and is not "." or ".."';

  it('states the rule a name breaks, before reaching for a broker', async () => {
    // No broker listens at LANES_BROKERS: the name is refused before any connection.
    const brokers = `127.0.0.1:${busyPort}`;
    expect(failureLine(await runCli(['topic', 'create', 'my orders'], { brokers }))).toBe(`lanes: topic name "my orders" is not legal (" " is not allowed): ${rule}`);
    expect(failureLine(await runCli(['topic', 'create', 'orders/eu'], { brokers }))).toBe(`lanes: topic name "orders/eu" is not legal ("/" is not allowed): ${rule}`);
    expect(failureLine(await runCli(['topic', 'create', '..'], { brokers }))).toBe(`lanes: topic name ".." is not legal (it is "." or ".."): ${rule}`);
    expect(failureLine(await runCli(['topic', 'create', 'x'.repeat(250)], { brokers }))).toMatch(/^lanes: topic name "x+" is not legal \(it has 250 characters\): a topic name has 1 to 249/);
  }, timeoutMs(60_000));
});

describe('lanes --version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  }, timeoutMs(60_000));
});
