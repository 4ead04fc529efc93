// `lanes topic delete-records` and `lanes cluster describe` end to end: each command runs as a
// child process against an in-process broker on a free port, judged by what a user sees (stdout,
// one stderr line on failure, exit status) and by the log start offsets the broker then reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';
import { failureLine, runCli, tableRows } from './support.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ autoCreateTopics: false });
});

afterAll(async () => {
  await server?.stop();
});

const cli = (args: string[], stdin?: string) => runCli(args, { brokers: server.address, stdin });

const lines = (count: number) => Array.from({ length: count }, (_, i) => `r${i}\n`).join('');

describe('lanes topic delete-records', () => {
  it('moves the log start offset of the chosen partitions, or of all; "end" empties them', async () => {
    expect((await cli(['topic', 'create', 'trimmed', '-p', '3'])).code).toBe(0);
    for (const partition of ['0', '1', '2']) expect((await cli(['produce', 'trimmed', '-p', partition], lines(10))).code).toBe(0);

    const one = await cli(['topic', 'delete-records', 'trimmed', '--offset', '4', '--partition', '1']);
    expect(one.code).toBe(0);
    expect(tableRows(one.stdout, 'PARTITION')).toEqual([['1', '4']]);

    const all = await cli(['topic', 'delete-records', 'trimmed', '-o', 'end', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual([{ partition: 0, logStartOffset: 10 }, { partition: 1, logStartOffset: 10 }, { partition: 2, logStartOffset: 10 }]);
    const described = await cli(['topic', 'describe', 'trimmed']);
    expect(tableRows(described.stdout, 'PARTITION').map((row) => [row[0], row[4], row[5]])).toEqual([['0', '10', '10'], ['1', '10', '10'], ['2', '10', '10']]);

    // What was produced next is read from the new start.
    expect((await cli(['produce', 'trimmed', '-p', '2'], 'after\n')).code).toBe(0);
    const consumed = await cli(['consume', 'trimmed', '-p', '2', '--from', 'beginning', '--exit-at-end', '--format', '%o %v']);
    expect(consumed).toMatchObject({ code: 0, stdout: '10 after\n' });
  });

  it('fails with one line and exit 1: past the end, an unknown partition or topic, a bad offset', async () => {
    expect((await cli(['topic', 'create', 'short', '-p', '1'])).code).toBe(0);
    expect((await cli(['produce', 'short'], lines(3))).code).toBe(0);
    expect(failureLine(await cli(['topic', 'delete-records', 'short', '-o', '4']))).toBe(
      `lanes: delete records of topic 'short' failed: partition 0: OFFSET_OUT_OF_RANGE (the offset is past the partition's end; "end" deletes everything)`,
    );
    expect(failureLine(await cli(['topic', 'delete-records', 'short', '-o', '1', '-p', '3']))).toBe("lanes: topic 'short' has no partition 3");
    expect(failureLine(await cli(['topic', 'delete-records', 'missing', '-o', '1']))).toBe("lanes: topic 'missing' does not exist");
    expect(failureLine(await cli(['topic', 'delete-records', 'short', '-o', 'soon']))).toMatch(/^lanes: .*expected an offset ≥ 0, or "end"/);
    expect(failureLine(await cli(['topic', 'delete-records', 'short']))).toMatch(/^lanes: .*--offset/);
    const described = await cli(['topic', 'describe', 'short', '--json']);
    expect((JSON.parse(described.stdout) as { partitions: { logStartOffset: number }[] }).partitions[0].logStartOffset).toBe(0);
  });
});

describe('lanes cluster describe', () => {
  it('names the cluster, its controller and this broker at the address the CLI connected to', async () => {
    const [host, port] = server.address.split(':');
    const described = await cli(['cluster', 'describe']);
    expect(described.code).toBe(0);
    expect(tableRows(described.stdout, 'CLUSTER-ID')).toEqual([['CONTROLLER', '0']]);
    expect(described.stdout.startsWith('CLUSTER-ID  lanes\n')).toBe(true);
    expect(tableRows(described.stdout, 'BROKER')).toEqual([['0', host, port, '-']]);
    expect(JSON.parse((await cli(['cluster', 'describe', '--json'])).stdout)).toEqual({ clusterId: 'lanes', controller: 0, brokers: [{ nodeId: 0, host, port: Number(port), rack: null }] });
  });
});
