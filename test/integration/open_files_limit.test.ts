// A broker that runs out of file descriptors while creating a topic must answer an error and
// keep nothing of the topic, keep serving, and start again afterwards; a data dir whose
// partitions need more descriptors than the limit is warned about at start, and a start that
// cannot open them fails with one line saying to raise the limit. The broker runs as the built
// `lanes start` under `prlimit --nofile` (a limit of 256: a disk partition holds 2 descriptors
// when new, its directory and its one segment).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { logRecords, plainLines, runFailingBroker, startBroker } from '../support/broker_process.js';
import { RawClient } from './wire/raw_client.js';

const limit = 256;
let prefix: string[] = [];
let withLimit: (n: number) => string[] = () => [];
const root = mkdtempSync(join(tmpdir(), 'lanes-fds-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(() => {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    withLimit = (n) => ['prlimit', `--nofile=${n}:${n}`];
  } catch {
    // No util-linux: the shell's ulimit, exec'ing node so the pid stays node's.
    withLimit = (n) => ['sh', '-c', `ulimit -n ${n} && exec "$0" "$@"`];
  }
  prefix = withLimit(limit);
});

const topicsIn = (dataDir: string) => (JSON.parse(readFileSync(join(dataDir, 'topics.json'), 'utf8')) as { topics: { name: string; partitions: unknown[] }[] }).topics;

function createTopic(raw: RawClient, topicName: string, numPartitions: number) {
  return raw.request(ApiKey.CreateTopics, 4, { topics: [{ topicName, numPartitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 60_000, validateOnly: false });
}

describe(`a disk broker under ulimit -n ${limit}`, () => {
  it('answers a topic too big for its descriptors with KAFKA_STORAGE_ERROR, keeps nothing of it, serves on and restarts', async () => {
    const dataDir = join(root, 'emfile');
    const broker = await startBroker(['--data-dir', dataDir, '--shards', '1'], { prefix });
    const raw = await RawClient.connect(broker.port);
    const [big] = (await createTopic(raw, 'big', 400)).topics;
    expect(big.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(big.errorMessage).toMatch(/^KAFKA_STORAGE_ERROR: topic big: \d+ of 400 partitions could not be made, nothing was kept \(EMFILE.*\); raise the open files limit \(ulimit -n\)$/);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('big-'))).toEqual([]);
    expect(existsSync(join(dataDir, 'topics.json'))).toBe(false);
    // Same connection, same broker: the descriptors came back, so a topic that fits is made.
    expect((await createTopic(raw, 'small', 20)).topics[0].errorCode).toBe(ErrorCode.NONE);
    const metadata = await raw.request(ApiKey.Metadata, 4, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(metadata.topics.map((topic) => [topic.topicName, topic.partitions.length])).toEqual([['small', 20]]);
    raw.close();
    const run = await broker.stop();
    expect(run.code).toBe(0);
    expect(logRecords(run.stdout).filter((record) => record.level >= 50)).toEqual([]);
    expect(topicsIn(dataDir).map((topic) => topic.name)).toEqual(['small']);

    const again = await startBroker(['--data-dir', dataDir, '--shards', '1'], { prefix });
    expect(again.output().stdout).toContain('1 topic recovered');
    expect((await again.stop()).code).toBe(0);
  });

  it('starts whatever a cut-short run left: an unlisted partition dir is moved aside, a listed one missing opens empty', async () => {
    const dataDir = join(root, 'leftovers');
    const first = await startBroker(['--data-dir', dataDir, '--shards', '1'], { prefix });
    const raw = await RawClient.connect(first.port);
    expect((await createTopic(raw, 'kept', 2)).topics[0].errorCode).toBe(ErrorCode.NONE);
    raw.close();
    expect((await first.stop()).code).toBe(0);
    // What a creation cut short by kill -9 leaves before topics.json names it, and a listed
    // partition whose directory was lost.
    mkdirSync(join(dataDir, 'ghost-0'));
    writeFileSync(join(dataDir, 'ghost-0', '00000000000000000000.log'), '');
    rmSync(join(dataDir, 'kept-1'), { recursive: true });

    const second = await startBroker(['--data-dir', dataDir, '--shards', '1'], { prefix });
    const run = await second.stop();
    expect(run.code).toBe(0);
    const warnings = logRecords(run.stdout).filter((record) => record.level === 40).map((record) => record.msg);
    expect(warnings).toContain('data dir: a partition directory no topic lists was moved aside (delete it if not needed)');
    expect(warnings).toContain('data dir: a listed partition has no directory; it opens empty');
    expect(readdirSync(dataDir).sort()).toEqual(['.lanes', 'kept-0', 'kept-1', 'topics.json']);
    expect(readdirSync(join(dataDir, '.lanes', 'orphaned'))).toEqual([expect.stringMatching(/^ghost-0\.\d+$/)]);
  });

  it('warns at start when the partitions on disk need more descriptors, and a start that runs out fails with one line', async () => {
    const dataDir = join(root, 'too-many');
    mkdirSync(dataDir);
    // A catalogue of 300 partitions (600 descriptors); their directories open empty.
    const config = { retentionMs: -1, retentionBytes: -1, segmentBytes: 1 << 20, maxMessageBytes: 1 << 20 };
    const partitions = Array.from({ length: 300 }, (_, partition) => ({ partition, actorId: partition, shard: 0 }));
    writeFileSync(join(dataDir, 'topics.json'), JSON.stringify({ version: 1, topics: [{ name: 'wide', config, partitions }] }));
    const run = await runFailingBroker(['--data-dir', dataDir, '--shards', '1'], { prefix });
    expect(run.code).toBe(1);
    expect(logRecords(run.stdout)).toContainEqual(expect.objectContaining({ level: 40, limit, msg: expect.stringContaining('the open files limit (ulimit -n) is below') }));
    expect(plainLines(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^lanes: data dir ${dataDir}: the logs could not be opened: EMFILE.*; the 300 partitions there need about \\d+ file descriptors, the limit \\(ulimit -n\\) is ${limit}: raise it$`)),
    ]);
    // Given the descriptors, the same directory starts.
    const roomy = await startBroker(['--data-dir', dataDir, '--shards', '1'], { prefix: withLimit(4096) });
    expect(roomy.output().stdout).toContain('1 topic recovered');
    expect((await roomy.stop()).code).toBe(0);
  });
});
