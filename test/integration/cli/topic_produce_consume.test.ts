// `lanes topic`, `lanes produce` and `lanes consume` end to end: each command runs as a child
// process against an in-process broker on a free port, and is judged by what a user sees
// (stdout, one stderr line on failure, exit status) and by what the broker holds afterwards.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../../core/client/partitioner.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';
import { failureLine, runCli, tableRows } from './support.js';

let server: TestServer;
/** A port nothing listens on: a server bound, its port noted, then closed. */
let deadPort: number;

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  deadPort = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  await server?.stop();
});

const cli = (args: string[], stdin?: string) => runCli(args, { brokers: server.address, stdin });

// Tests run one after another, not concurrently: each starts a dozen CLI processes, and on two
// busy cores concurrent tests would each wait out the others' processes inside their own timeout.
describe('lanes topic', () => {
  it('creates, lists, describes (partitions, offsets, configs) and deletes a topic', async () => {
    const created = await cli(['topic', 'create', 'orders', '-p', '3', '-c', 'retention.ms=60000']);
    expect(created).toMatchObject({ code: 0, stdout: 'created topic orders with 3 partitions\n' });

    expect(failureLine(await cli(['topic', 'create', 'orders', '-p', '3']))).toBe("lanes: topic 'orders' already exists");

    const listed = await cli(['topic', 'list']);
    expect(listed.code).toBe(0);
    expect(tableRows(listed.stdout, 'NAME')).toContainEqual(['orders', '3', '1']);

    const produced = await cli(['produce', 'orders', '-p', '1'], 'a\nb\nc\n');
    expect(produced).toMatchObject({ code: 0, stdout: 'produced 3 records to orders (partition 1: offsets 0-2)\n' });

    const described = await cli(['topic', 'describe', 'orders']);
    expect(described.code).toBe(0);
    expect(tableRows(described.stdout, 'PARTITION')).toEqual([
      ['0', '0', '[0]', '[0]', '0', '0'],
      ['1', '0', '[0]', '[0]', '0', '3'],
      ['2', '0', '[0]', '[0]', '0', '0'],
    ]);
    expect(tableRows(described.stdout, 'CONFIG')).toContainEqual(['retention.ms', '60000', 'DYNAMIC_TOPIC_CONFIG']);
    const json = JSON.parse((await cli(['topic', 'describe', 'orders', '--json'])).stdout) as { partitions: { logEndOffset: number }[] };
    expect(json.partitions.map((p) => p.logEndOffset)).toEqual([0, 3, 0]);

    expect(await cli(['topic', 'delete', 'orders'])).toMatchObject({ code: 0, stdout: 'deleted topic orders\n' });
    expect(failureLine(await cli(['topic', 'describe', 'orders']))).toBe("lanes: topic 'orders' does not exist");
    expect(failureLine(await cli(['topic', 'delete', 'orders']))).toBe("lanes: topic 'orders' does not exist");
  });

  it('describes and alters a topic\'s configs, refusing bad ones with one line', async () => {
    expect((await cli(['topic', 'create', 'tuned', '-c', 'compression.type=gzip'])).code).toBe(0);
    const configs = async () => tableRows((await cli(['topic', 'describe-config', 'tuned'])).stdout, 'CONFIG');
    expect(await configs()).toContainEqual(['retention.ms', '604800000', 'DEFAULT_CONFIG']);

    expect(await cli(['topic', 'alter-config', 'tuned', '--set', 'retention.ms=60000', '--validate-only'])).toMatchObject({
      code: 0,
      stdout: 'configs of topic tuned are valid, nothing changed: retention.ms=60000\n',
    });
    expect(await configs()).toContainEqual(['retention.ms', '604800000', 'DEFAULT_CONFIG']);
    expect(await cli(['topic', 'alter-config', 'tuned', '-s', 'retention.ms=60000', '-s', 'max.message.bytes=2000000', '-d', 'compression.type'])).toMatchObject({
      code: 0,
      stdout: 'altered topic tuned: retention.ms=60000, max.message.bytes=2000000, compression.type (default)\n',
    });
    const altered = await configs();
    expect(altered).toContainEqual(['retention.ms', '60000', 'DYNAMIC_TOPIC_CONFIG']);
    expect(altered).toContainEqual(['max.message.bytes', '2000000', 'DYNAMIC_TOPIC_CONFIG']);
    expect(altered).toContainEqual(['compression.type', 'producer', 'DEFAULT_CONFIG']);

    expect(failureLine(await cli(['topic', 'alter-config', 'tuned', '-s', 'retention.ms=soon']))).toBe(
      'lanes: alter configs of topic \'tuned\': INVALID_CONFIG (40): config retention.ms needs an integer, got "soon"',
    );
    expect(failureLine(await cli(['topic', 'alter-config', 'tuned', '-s', 'no.such=1']))).toBe('lanes: alter configs of topic \'tuned\': INVALID_CONFIG (40): unknown topic config "no.such"');
    expect(failureLine(await cli(['topic', 'alter-config', 'tuned', '-s', 'retention.ms']))).toBe('lanes: --set retention.ms: expected key=value');
    expect(failureLine(await cli(['topic', 'alter-config', 'tuned']))).toBe('lanes: nothing to change: give --set key=value or --delete key');
    expect(failureLine(await cli(['topic', 'alter-config', 'ghost', '-s', 'retention.ms=1']))).toBe("lanes: topic 'ghost' does not exist");
    expect(failureLine(await cli(['topic', 'describe-config', 'ghost']))).toBe("lanes: topic 'ghost' does not exist");
  });

  it('fails with one line and exit 1 for an unknown topic, whatever the command', async () => {
    for (const args of [['topic', 'describe', 'ghost'], ['consume', 'ghost', '-e'], ['consume', 'ghost', '-g', 'g'], ['produce', 'ghost']]) {
      expect(failureLine(await cli(args, 'x\n'))).toMatch(/^lanes: topic 'ghost' does not exist($| and the broker does not create topics)/);
    }
  });

  it('fails with one line and exit 1 when no broker answers, naming the address', async () => {
    const dead = `127.0.0.1:${deadPort}`;
    const viaFlag = await runCli(['topic', 'list', '--brokers', dead]);
    expect(failureLine(viaFlag)).toBe(`lanes: cannot connect to any broker in ${dead} (${dead}: connection refused)`);
    // LANES_BROKERS is read when there is no flag; the flag wins over it.
    expect(failureLine(await runCli(['group', 'list'], { brokers: dead }))).toContain(`cannot connect to any broker in ${dead}`);
    expect((await runCli(['topic', 'list', '--brokers', server.address], { brokers: dead })).code).toBe(0);
    // A bootstrap list falls through to the first broker that answers.
    expect((await runCli(['topic', 'list', '--brokers', `${dead},${server.address}`])).code).toBe(0);
    expect(failureLine(await runCli(['topic', 'list', '--brokers', 'nonsense']))).toBe("lanes: --brokers: 'nonsense' is not host:port");
  });
});

describe('lanes produce and consume', () => {
  it('sends keyed lines where Kafka\'s partitioner puts them and prints them with a kcat format', async () => {
    await cli(['topic', 'create', 'keyed', '-p', '4']);
    const lines = Array.from({ length: 40 }, (_, i) => `user-${i % 7}=event ${i}`);
    const produced = await cli(['produce', 'keyed', '--key-separator', '=', '-H', 'source=test'], `${lines.join('\n')}\n`);
    expect(produced.code).toBe(0);
    expect(produced.stdout).toMatch(/^produced 40 records to keyed \(/);

    const consumed = await cli(['consume', 'keyed', '--exit-at-end', '--format', '%t|%p|%o|%k|%v|%h']);
    expect(consumed.code).toBe(0);
    const records = consumed.stdout.trimEnd().split('\n').map((line) => line.split('|'));
    expect(records).toHaveLength(40);
    for (const [topic, partition, , key, value, headers] of records) {
      expect(topic).toBe('keyed');
      expect(Number(partition)).toBe(partitionForKey(key, 4));
      expect(headers).toBe('source=test');
      expect(lines).toContain(`${key}=${value}`);
    }
    // Within a partition, records come in produce order with dense offsets.
    for (let partition = 0; partition < 4; partition++) {
      const mine = records.filter((r) => Number(r[1]) === partition);
      expect(mine.map((r) => Number(r[2]))).toEqual(mine.map((_, i) => i));
      const sent = lines.filter((line) => partitionForKey(line.split('=')[0], 4) === partition);
      expect(mine.map((r) => `${r[3]}=${r[4]}`)).toEqual(sent);
    }
  });

  it('reads chosen partitions from an offset, stops after --count, and prints JSON; gzip and acks=0 round-trip', async () => {
    await cli(['topic', 'create', 'numbers', '-p', '2']);
    const values = Array.from({ length: 3000 }, (_, i) => String(i));
    const gzip = await cli(['produce', 'numbers', '-p', '0', '--compression', 'gzip', '--batch-size', '700'], `${values.join('\n')}\n`);
    expect(gzip).toMatchObject({ code: 0, stdout: 'produced 3000 records to numbers (partition 0: offsets 0-2999)\n' });
    expect((await cli(['produce', 'numbers', '-p', '1', '--acks', '0'], 'fire\nforget\n')).stdout).toBe('produced 2 records to numbers (partition 1: 2)\n');

    const slice = await cli(['consume', 'numbers', '-p', '0', '--from', '1234', '--count', '3', '--format', 'json']);
    expect(slice.code).toBe(0);
    const parsed = slice.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.map(({ partition, offset, key, value, headers }) => ({ partition, offset, key, value, headers }))).toEqual([
      { partition: 0, offset: 1234, key: null, value: '1234', headers: {} },
      { partition: 0, offset: 1235, key: null, value: '1235', headers: {} },
      { partition: 0, offset: 1236, key: null, value: '1236', headers: {} },
    ]);

    // acks=0 has no answer to wait for: read until the records are there.
    let acksZero = '';
    for (let attempt = 0; attempt < 20 && acksZero !== 'fire\nforget\n'; attempt++) {
      acksZero = (await cli(['consume', 'numbers', '-p', '1', '-e'])).stdout;
    }
    expect(acksZero).toBe('fire\nforget\n');
    const all = await cli(['consume', 'numbers', '-p', '0', '-e', '-f', '%o %v']);
    expect(all.stdout.trimEnd().split('\n')).toEqual(values.map((v) => `${v} ${v}`));
    expect((await cli(['consume', 'numbers', '-o', 'end', '-e'])).stdout).toBe('');
    // kcat's relative and time spellings: +N past the start, the last N, the first at or after a time.
    expect((await cli(['consume', 'numbers', '-p', '0', '-o', '+2997', '-e'])).stdout).toBe('2997\n2998\n2999\n');
    expect((await cli(['consume', 'numbers', '-p', '0', '-o', '-2', '-e'])).stdout).toBe('2998\n2999\n');
    expect((await cli(['consume', 'numbers', '-p', '1', '-o', '-10', '-e'])).stdout).toBe('fire\nforget\n');
    expect((await cli(['consume', 'numbers', '-p', '1', '-o', '@2000-01-01T00:00:00Z', '-e'])).stdout).toBe('fire\nforget\n');
    expect((await cli(['consume', 'numbers', '-p', '1', '-o', `@${Date.now() + 3_600_000}`, '-e'])).stdout).toBe('');
  });

  it('produces to an unknown topic when the broker creates topics on first use, as any producer can', async () => {
    const creating = await startTestServer({ autoCreateTopics: true, defaultPartitions: 2 });
    try {
      const run = (args: string[], stdin?: string) => runCli(args, { brokers: creating.address, stdin });
      expect((await run(['produce', 'fresh', '-p', '1'], 'hello\n')).stdout).toBe('produced 1 record to fresh (partition 1: offset 0)\n');
      expect((await run(['consume', 'fresh', '-p', '1', '-e'])).stdout).toBe('hello\n');
    } finally {
      await creating.stop();
    }
  });

  it('refuses bad arguments with one line', async () => {
    await cli(['topic', 'create', 'args', '-p', '1']);
    expect(failureLine(await cli(['consume', 'args', '-p', '3', '-e']))).toBe("lanes: topic 'args' has no partition 3 (it has 1)");
    expect(failureLine(await cli(['consume', 'args', '-e', '-f', '%q']))).toMatch(/^lanes: --format '%q': unknown placeholder %q/);
    expect(failureLine(await cli(['consume', 'args', '-g', 'g', '-p', '0']))).toBe('lanes: --group and --partition cannot be used together');
    expect(failureLine(await cli(['produce', 'args', '--acks', '2']))).toMatch(/--acks.*expected all, -1, 0 or 1/);
    expect(failureLine(await cli(['consume', 'args', '-o', 'yesterday']))).toMatch(/-o, --from.*expected beginning, end, an offset N, \+N/);
    // This broker does not create topics on first use: the line says how to.
    expect(failureLine(await cli(['produce', 'nowhere'], 'x\n'))).toBe(
      "lanes: topic 'nowhere' does not exist and the broker does not create topics on first use; create it with `lanes topic create nowhere`",
    );
  });
});
