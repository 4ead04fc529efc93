// `lanes consume --group` and `lanes group …` end to end, as child processes against an
// in-process broker: a group member commits what it printed, `group describe` reports committed
// offsets, log end offsets and lag that agree with what was produced and consumed, and
// reset-offsets / delete refuse a group with live members.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';
import { failureLine, runCli, spawnCli, tableRows } from './support.js';
import { waitUntil } from '../../support/timeouts.js';
import { Kafka } from '../../../actors/host/index.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
});

afterAll(async () => {
  await server?.stop();
});

const cli = (args: string[], stdin?: string) => runCli(args, { brokers: server.address, stdin });

interface DescribedGroup {
  state: string;
  members: { memberId: string; clientId: string; host: string; assignment: { topic: string; partitions: number[] }[] | null }[];
  partitions: { topic: string; partition: number; committedOffset: number; logEndOffset: number; lag: number | null; memberId: string | null }[];
  totalLag: number;
}

async function describeJson(group: string): Promise<DescribedGroup> {
  const result = await cli(['group', 'describe', group, '--json']);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as DescribedGroup;
}

it('a group member commits what it printed; describe shows committed, end and lag that add up', async () => {
  await cli(['topic', 'create', 'clicks', '-p', '2']);
  await cli(['produce', 'clicks', '-p', '0'], 'a0\na1\na2\na3\na4\na5\n');
  await cli(['produce', 'clicks', '-p', '1'], 'b0\nb1\nb2\nb3\n');

  const first = await cli(['consume', 'clicks', '--group', 'readers', '--count', '4']);
  expect(first.code).toBe(0);
  const firstValues = first.stdout.trimEnd().split('\n');
  expect(firstValues).toHaveLength(4);

  // Table form: what a user reads. The group is Empty again (the member left on exit).
  const table = await cli(['group', 'describe', 'readers']);
  expect(table.code).toBe(0);
  // The summary, then kafka-consumer-groups.sh's columns (the member left: its columns are '-').
  const [summary] = tableRows(table.stdout, 'GROUP COORDINATOR');
  expect(summary).toEqual(['readers', '0', 'Empty', 'consumer', '-', '0', '6', 'classic', '-', '-']);
  const rows = tableRows(table.stdout, 'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID');
  expect(rows.map((r) => [r[0], r[1], r[2], r[4], ...r.slice(6)])).toEqual([
    ['readers', 'clicks', '0', '6', '-', '-', '-'],
    ['readers', 'clicks', '1', '4', '-', '-', '-'],
  ]);
  let committedSum = 0;
  let lagSum = 0;
  for (const [, , , committed, end, lag] of rows) {
    expect(Number(lag)).toBe(Number(end) - Number(committed));
    committedSum += Number(committed);
    lagSum += Number(lag);
  }
  // Committed offsets are exactly the records printed (both partitions start at offset 0).
  expect(committedSum).toBe(4);
  expect(lagSum).toBe(6);

  // The next member resumes at the committed offsets: no record is printed twice or skipped.
  const second = await cli(['consume', 'clicks', '--group', 'readers', '--exit-at-end']);
  expect(second.code).toBe(0);
  const secondValues = second.stdout.trimEnd().split('\n');
  expect([...firstValues, ...secondValues].sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0', 'b1', 'b2', 'b3']);
  const after = await describeJson('readers');
  expect(after.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag])).toEqual([
    [0, 6, 6, 0],
    [1, 4, 4, 0],
  ]);
  expect(after.totalLag).toBe(0);

  // Two more records: lag follows the log end offset.
  await cli(['produce', 'clicks', '-p', '1'], 'b4\nb5\n');
  expect((await describeJson('readers')).partitions.map((p) => p.lag)).toEqual([0, 2]);

  const listed = await cli(['group', 'list']);
  expect(tableRows(listed.stdout, 'GROUP')).toContainEqual(['readers', 'Empty', 'consumer', '0']);
});

it('with a live member: describe shows it and its partitions; reset-offsets and delete are refused; then both work once it left', async () => {
  await cli(['topic', 'create', 'views', '-p', '3']);
  await cli(['produce', 'views', '-k', ':'], 'k1:v1\nk2:v2\nk3:v3\nk4:v4\nk5:v5\n');

  const member = spawnCli(['consume', 'views', '--group', 'live', '--client-id', 'dashboard', '-f', '%p %o %v'], { brokers: server.address });
  let printed = '';
  member.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => member.on('exit', (code) => resolve(code)));
  try {
    // It has joined, been assigned and read everything once all five records are printed.
    await waitUntil('the member to print all five records', () => printed.split('\n').length > 5, 20_000, { pollMs: 50, detail: () => printed });
    let described = await describeJson('live');
    await waitUntil('a stable group with no lag', async () => {
      described = await describeJson('live');
      return described.state === 'Stable' && described.totalLag === 0;
    }, 20_000, { pollMs: 100, detail: () => described });
    expect(described.state).toBe('Stable');
    expect(described.members).toHaveLength(1);
    expect(described.members[0]).toMatchObject({ clientId: 'dashboard', assignment: [{ topic: 'views', partitions: [0, 1, 2] }] });
    expect(described.members[0].host).toContain('127.0.0.1');
    expect(described.partitions.every((p) => p.memberId === described.members[0].memberId && p.lag === 0)).toBe(true);
    const table = await cli(['group', 'describe', 'live']);
    const { memberId, host } = described.members[0];
    expect(tableRows(table.stdout, 'GROUP TOPIC').map((r) => [r[0], r[1], r[2], ...r.slice(6)])).toEqual(
      [0, 1, 2].map((p) => ['live', 'views', String(p), memberId, host, 'dashboard']),
    );
    const all = await cli(['group', 'describe', '--all-groups']);
    expect(tableRows(all.stdout, 'GROUP COORDINATOR').map((r) => [r[0], r[2]])).toContainEqual(['live', 'Stable']);
    expect(tableRows(all.stdout, 'GROUP TOPIC').filter((r) => r[0] === 'live')).toHaveLength(3);

    const refused = failureLine(await cli(['group', 'reset-offsets', 'live', '--topic', 'views', '--to-earliest', '--execute']));
    expect(refused).toBe("lanes: group 'live' is Stable with 1 member; reset-offsets needs an Empty group (stop its consumers first)");
    expect(failureLine(await cli(['group', 'delete', 'live']))).toBe("lanes: group 'live' has active members; stop its consumers first");
    // Refused means untouched: the member's commits are still there.
    expect((await describeJson('live')).partitions.map((p) => p.committedOffset)).toEqual(described.partitions.map((p) => p.logEndOffset));
  } finally {
    member.kill('SIGTERM');
  }
  expect(await exited).toBe(0);

  const before = await describeJson('live');
  expect(before.state).toBe('Empty');
  const ends = before.partitions.map((p) => p.logEndOffset);

  // Dry run: prints the plan, commits nothing.
  const dryRun = await cli(['group', 'reset-offsets', 'live', '--topic', 'views', '--to-earliest']);
  expect(dryRun.code).toBe(0);
  expect(tableRows(dryRun.stdout, 'TOPIC')).toEqual(ends.map((end, partition) => ['views', String(partition), String(end), '0']));
  expect(dryRun.stdout).toContain('dry run: nothing was committed');
  expect((await describeJson('live')).partitions.map((p) => p.committedOffset)).toEqual(ends);

  const executed = await cli(['group', 'reset-offsets', 'live', '--topic', 'views', '--to-earliest', '--execute']);
  expect(executed.code).toBe(0);
  const reset = await describeJson('live');
  expect(reset.partitions.map((p) => [p.committedOffset, p.lag])).toEqual(ends.map((end) => [0, end]));
  expect(reset.totalLag).toBe(5);

  // --to-offset is clamped into each partition's log; --to-datetime in the future means the end.
  await cli(['group', 'reset-offsets', 'live', '--topic', 'views', '--to-offset', '1', '--execute']);
  expect((await describeJson('live')).partitions.map((p) => p.committedOffset)).toEqual(ends.map((end) => Math.min(1, end)));
  await cli(['group', 'reset-offsets', 'live', '--topic', 'views', '--to-datetime', '2999-01-01T00:00:00Z', '--execute']);
  expect((await describeJson('live')).partitions.map((p) => p.committedOffset)).toEqual(ends);
  await cli(['group', 'reset-offsets', 'live', '--topic', 'views', '-p', '0', '--to-datetime', '2000-01-01T00:00:00Z', '--execute']);
  expect((await describeJson('live')).partitions.map((p) => p.committedOffset)).toEqual([0, ...ends.slice(1)]);

  expect(failureLine(await cli(['group', 'reset-offsets', 'live', '--topic', 'views']))).toBe(
    'lanes: reset-offsets needs exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime',
  );
  expect(failureLine(await cli(['group', 'reset-offsets', 'live', '--topic', 'nope', '--to-latest']))).toBe("lanes: topic 'nope' does not exist");

  expect(await cli(['group', 'delete', 'live'])).toMatchObject({ code: 0, stdout: 'deleted group live\n' });
  expect(failureLine(await cli(['group', 'describe', 'live']))).toBe("lanes: group 'live' does not exist");
  expect(failureLine(await cli(['group', 'delete', 'live']))).toBe("lanes: group 'live' does not exist");
});

it('describes a consumer-protocol group: its type, epochs, and each member\'s current against its target assignment', async () => {
  await cli(['topic', 'create', 'pages', '-p', '2']);
  const kafka = new Kafka({ clientId: 'kip848', brokers: [server.address] });
  const consumer = kafka.consumer({ groupId: 'kip848', groupProtocol: 'consumer' });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: ['pages'] });
    await consumer.run({ eachMessage: async () => {} });
    await waitUntil('the member owns both partitions', () => consumer.assignment().flatMap(({ partitions }) => partitions).length === 2, 20_000, {
      detail: async () => JSON.stringify({ owned: consumer.assignment(), group: await server.broker.consumerGroupDescribe(['kip848']) }),
    });
    // A second member joins and goes quiet: the coordinator targets a partition at it, which it
    // does not own until the first member has revoked it and it heartbeats again (never, here).
    const joined = await server.broker.consumerGroupHeartbeat({
      groupId: 'kip848',
      memberId: 'quiet',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['pages'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      ownedPartitions: [],
      clientId: 'raw',
      clientHost: '/127.0.0.1',
    });
    expect(joined.errorCode).toBe(0);

    const table = await cli(['group', 'describe', 'kip848']);
    expect(table.code).toBe(0);
    const [summary] = tableRows(table.stdout, 'GROUP COORDINATOR');
    expect([summary[0], summary[2], summary[3], summary[4], summary[5], ...summary.slice(7)]).toEqual(['kip848', 'Reconciling', 'consumer', 'uniform', '2', 'consumer', '2', '2']);
    const members = tableRows(table.stdout, 'GROUP CONSUMER-ID MEMBER-EPOCH');
    const quiet = members.find((row) => row[1] === 'quiet');
    expect(quiet?.slice(2)).toEqual(['2', '-', expect.stringMatching(/^pages:[01]$/)]);
    const first = members.find((row) => row[1] !== 'quiet')!;
    // The first member's target is the other partition; it may or may not have revoked yet.
    expect(first[4]).toBe(quiet![4] === 'pages:0' ? 'pages:1' : 'pages:0');

    const json = (await describeJson('kip848')) as DescribedGroup & { type: string; groupEpoch: number; members: { memberId: string; memberEpoch: number; targetAssignment: unknown }[] };
    expect(json.type).toBe('consumer');
    expect(json.groupEpoch).toBe(2);
    expect(json.members.find((m) => m.memberId === 'quiet')).toMatchObject({ memberEpoch: 2, assignment: [], targetAssignment: [{ topic: 'pages', partitions: [Number(quiet![4].slice(-1))] }] });
  } finally {
    await consumer.disconnect();
  }
});
