// The admin port as an operator's tools see it: /metrics is valid Prometheus text whose lag
// figures are the ones `lanes group describe` prints; /healthz answers; unknown routes are 404;
// bad requests do not take the server down; `lanes start --admin-port` serves it.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminServer } from '../../../actors/admin/admin_server.js';
import { spawnLanes } from '../../support/built_cli.js';
import { runCli } from '../cli/support.js';
import { startTestServer, type TestServer } from '../wire/server_fixture.js';
import { ApiKey } from '../../../core/protocol/api_keys.js';
import { RawClient } from '../wire/raw_client.js';
import { parsePrometheusText, sampleValue, type Sample } from './prometheus_text.js';
import { waitUntil } from '../../support/timeouts.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';

let server: TestServer;
let admin: AdminServer;

beforeAll(async () => {
  // The listener reports requests to the admin metrics, as `lanes start` wires them.
  server = await startTestServer({ autoCreateTopics: false, onRequest: (api, serviceMs, longPollMs, errorCodes) => admin?.onRequest(api, serviceMs, longPollMs, errorCodes) });
  admin = await new AdminServer({ broker: server.broker, pollIntervalMs: 200 }).listen('127.0.0.1', 0);
});

afterAll(async () => {
  await admin?.stop();
  await server?.stop();
});

const cli = (args: string[], stdin?: string) => runCli(args, { brokers: server.address, stdin });

async function get(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(`${admin.url}${path}`, init);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

interface DescribedGroup {
  partitions: { topic: string; partition: number; committedOffset: number; logEndOffset: number; lag: number | null }[];
  totalLag: number;
}

describe('/metrics', () => {
  it('is Prometheus text whose committed offsets, log end offsets and lag match `lanes group describe`', async () => {
    expect((await cli(['topic', 'create', 'clicks', '-p', '3'])).code).toBe(0);
    await cli(['produce', 'clicks', '-p', '0'], 'a0\na1\na2\na3\na4\na5\n');
    await cli(['produce', 'clicks', '-p', '1'], 'b0\nb1\nb2\nb3\n');
    // A member reads 4 records, commits them and leaves; two more arrive: lag on every partition
    // that has records, none on the empty one.
    expect((await cli(['consume', 'clicks', '--group', 'readers', '--count', '4'])).code).toBe(0);
    await cli(['produce', 'clicks', '-p', '1'], 'b4\nb5\n');

    const described = await cli(['group', 'describe', 'readers', '--json']);
    expect(described.code).toBe(0);
    const group = JSON.parse(described.stdout) as DescribedGroup;
    expect(group.totalLag).toBe(8);

    const scraped = await get('/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain');
    const samples = parsePrometheusText(scraped.body);

    for (const p of group.partitions) {
      const labels = { group: 'readers', topic: p.topic, partition: String(p.partition) };
      expect(sampleValue(samples, 'lanes_group_lag', labels), `lag of ${p.topic}[${p.partition}]`).toBe(p.lag);
      const committed = sampleValue(samples, 'lanes_group_committed_offset', labels);
      expect(committed, `committed offset of ${p.topic}[${p.partition}]`).toBe(p.committedOffset >= 0 ? p.committedOffset : undefined);
      expect(sampleValue(samples, 'lanes_partition_log_end_offset', { topic: p.topic, partition: String(p.partition) })).toBe(p.logEndOffset);
    }
    const lagSamples = samples.filter((s) => s.name === 'lanes_group_lag' && s.labels.group === 'readers');
    expect(lagSamples.reduce((sum, s) => sum + s.value, 0)).toBe(group.totalLag);
    expect(lagSamples).toHaveLength(group.partitions.filter((p) => p.lag !== null).length);
    expect(sampleValue(samples, 'lanes_partition_log_end_offset', { topic: 'clicks', partition: '2' })).toBe(0);

    // The member's join and leave were rebalances of the group.
    const rebalances = samples.filter((s) => s.name === 'lanes_group_rebalances_total' && s.labels.group === 'readers');
    expect(rebalances.map((s) => s.labels.reason)).toContain('memberJoined');
    expect(rebalances.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(2);

    // Every request was counted and timed once, by API.
    const produced = sampleValue(samples, 'lanes_requests_total', { api: 'Produce' });
    expect(produced).toBe(3);
    for (const api of ['Produce', 'Fetch', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'Metadata']) {
      const count = sampleValue(samples, 'lanes_requests_total', { api });
      expect(count, `requests of ${api}`).toBeGreaterThan(0);
      expect(sampleValue(samples, 'lanes_request_service_seconds_count', { api })).toBe(count);
      expect(sampleValue(samples, 'lanes_request_service_seconds_bucket', { api, le: '+Inf' })).toBe(count);
    }

    // Per topic: the 12 records produced, in the bytes of their batches; the member read at least its 4.
    expect(sampleValue(samples, 'lanes_topic_records_in_total', { topic: 'clicks' })).toBe(12);
    expect(sampleValue(samples, 'lanes_topic_bytes_in_total', { topic: 'clicks' })).toBeGreaterThan(12 * 2);
    expect(sampleValue(samples, 'lanes_topic_records_out_total', { topic: 'clicks' })).toBeGreaterThanOrEqual(4);
    expect(sampleValue(samples, 'lanes_topic_bytes_out_total', { topic: 'clicks' })).toBeGreaterThan(0);
    const [build] = samples.filter((s) => s.name === 'lanes_build_info');
    expect(build).toMatchObject({ value: 1, labels: { nodejs: process.versions.node, version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });

    expect(sampleValue(samples, 'lanes_shard_ring_capacity_bytes', { shard: '0', ring: 'request' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'lanes_shard_ring_used_bytes', { shard: '0', ring: 'reply' })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, 'lanes_shard_heap_used_bytes', { shard: '0' })).toBeGreaterThan(0);
    // Node's own process metrics come along.
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);

    // The dashboard's JSON says the same.
    const overview = JSON.parse((await get('/api/overview')).body) as { groups: (DescribedGroup & { groupId: string; state: string })[] };
    const readers = overview.groups.find((g) => g.groupId === 'readers');
    expect(readers?.state).toBe('Empty');
    expect(readers?.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag])).toEqual(
      group.partitions.map((p) => [p.partition, p.committedOffset, p.logEndOffset, p.lag]),
    );
  });
});

describe('consumer-protocol group metrics', () => {
  it("show the group's type and epoch, each member's epoch, and its current against its target partitions", async () => {
    const broker = server.broker;
    await broker.createTopic('kip848-metrics', { partitions: 2 });
    const heartbeat = (memberId: string) =>
      broker.consumerGroupHeartbeat({
        groupId: 'kip848',
        memberId,
        memberEpoch: 0,
        instanceId: null,
        rackId: null,
        rebalanceTimeoutMs: 30_000,
        subscribedTopicNames: ['kip848-metrics'],
        subscribedTopicRegex: null,
        serverAssignor: null,
        ownedPartitions: [],
        clientId: memberId,
        clientHost: '/127.0.0.1',
      });
    // The first member takes both partitions (epoch 1); the second joins (group epoch 2) and is
    // targeted one of them, which it cannot own until the first, silent from now on, revokes it.
    expect(await heartbeat('first')).toMatchObject({ errorCode: 0, memberEpoch: 1 });
    expect(await heartbeat('second')).toMatchObject({ errorCode: 0, memberEpoch: 2, assignment: [] });

    // A scrape may share the groups another read described up to 250 ms before (the observer's
    // cache): the first scrape that describes the group after both heartbeats shows it.
    let samples: Sample[] = [];
    await waitUntil('a scrape describing the group', async () => {
      samples = parsePrometheusText((await get('/metrics')).body);
      return sampleValue(samples, 'lanes_group_epoch', { group: 'kip848', type: 'consumer' }) === 2;
    });
    expect(sampleValue(samples, 'lanes_group_epoch', { group: 'kip848', type: 'consumer' })).toBe(2);
    expect(sampleValue(samples, 'lanes_group_member_epoch', { group: 'kip848', member: 'first' })).toBe(1);
    expect(sampleValue(samples, 'lanes_group_member_epoch', { group: 'kip848', member: 'second' })).toBe(2);
    const partitions = (member: string, assignment: string) => sampleValue(samples, 'lanes_group_member_partitions', { group: 'kip848', member, assignment });
    expect([partitions('first', 'current'), partitions('first', 'target'), partitions('second', 'current'), partitions('second', 'target')]).toEqual([2, 1, 0, 1]);
    expect(sampleValue(samples, 'lanes_group_members', { group: 'kip848' })).toBe(2);

    // The dashboard's JSON says the same.
    type Member = { memberId: string; memberEpoch: number | null; assignment: unknown; targetAssignment: unknown };
    const overview = JSON.parse((await get('/api/overview')).body) as { groups: { groupId: string; type: string; generationId: number; assignmentEpoch: number; members: Member[] }[] };
    const group = overview.groups.find((g) => g.groupId === 'kip848');
    expect(group).toMatchObject({ type: 'consumer', generationId: 2, assignmentEpoch: 2 });
    expect(group?.members.map((m) => [m.memberId, m.memberEpoch])).toEqual([['first', 1], ['second', 2]]);
    expect(group?.members.find((m) => m.memberId === 'first')?.assignment).toEqual([{ topic: 'kip848-metrics', partitions: [0, 1] }]);
  });
});

describe('transaction metrics', () => {
  it('count transactional ids by state and show how long the oldest open transaction has been open', async () => {
    const broker = server.broker;
    await broker.createTopic('txn-metrics', { partitions: 1 });
    const open = await broker.initTransactionalProducer({ transactionalId: 'metrics-open', transactionTimeoutMs: 600_000, producerId: -1, producerEpoch: -1 });
    await broker.addPartitionsToTxn({ transactionalId: 'metrics-open', producerId: open.producerId, producerEpoch: open.producerEpoch, partitions: [{ topic: 'txn-metrics', partition: 0 }] });
    // Three records in the open transaction: read_committed readers wait behind them.
    const batch = encodeRecordBatch([0, 1, 2].map((i) => ({ key: null, value: new TextEncoder().encode(`open-${i}`) })), { producerId: open.producerId, producerEpoch: open.producerEpoch, baseSequence: 0, transactional: true });
    expect((await broker.produce('txn-metrics', 0, batch)).recordCount).toBe(3);
    await broker.initTransactionalProducer({ transactionalId: 'metrics-idle', transactionTimeoutMs: 600_000, producerId: -1, producerEpoch: -1 });
    const samples = parsePrometheusText((await get('/metrics')).body);
    expect(sampleValue(samples, 'lanes_partition_unstable_records', { topic: 'txn-metrics', partition: '0' })).toBe(3);
    expect(sampleValue(samples, 'lanes_transactions', { state: 'Ongoing' })).toBe(1);
    expect(sampleValue(samples, 'lanes_transactions', { state: 'Empty' })).toBe(1);
    expect(sampleValue(samples, 'lanes_transaction_open_seconds_max', {})).toBeGreaterThanOrEqual(0);
    await broker.endTxn({ transactionalId: 'metrics-open', producerId: open.producerId, producerEpoch: open.producerEpoch, committed: false });
    const after = parsePrometheusText((await get('/metrics')).body);
    expect(sampleValue(after, 'lanes_transactions', { state: 'CompleteAbort' })).toBe(1);
    expect(sampleValue(after, 'lanes_transaction_open_seconds_max', {})).toBe(0);
    // The abort marker ends it: the last stable offset passes the aborted records and the marker.
    expect(sampleValue(after, 'lanes_partition_unstable_records', { topic: 'txn-metrics', partition: '0' })).toBe(0);
  });
});

describe('request metrics', () => {
  it('count a long-polling Fetch once as served and once as a long poll, its wait kept out of the service time', async () => {
    await server.broker.createTopic('quiet', { partitions: 1 });
    const scrape = async () => parsePrometheusText((await get('/metrics')).body);
    const fetches = (samples: Sample[], name: string) => sampleValue(samples, name, { api: 'Fetch' }) ?? 0;
    const before = await scrape();
    const raw = await RawClient.connect(server.port);
    try {
      const request = raw.frame(ApiKey.Fetch, 11, {
        replicaId: -1, maxWaitMs: 200, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topicName: 'quiet', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      } as never);
      raw.write(request.bytes);
      expect(await raw.nextFrame()).not.toBeNull(); // answered empty after max_wait_ms
    } finally {
      raw.socket.destroy();
    }
    const after = await scrape();
    expect(fetches(after, 'lanes_requests_total') - fetches(before, 'lanes_requests_total')).toBe(1);
    expect(fetches(after, 'lanes_request_service_seconds_count') - fetches(before, 'lanes_request_service_seconds_count')).toBe(1);
    expect(fetches(after, 'lanes_request_long_poll_seconds_count') - fetches(before, 'lanes_request_long_poll_seconds_count')).toBe(1);
    // Only Fetch long-polls.
    expect(after.filter((s) => s.name === 'lanes_request_long_poll_seconds_count').map((s) => s.labels.api)).toEqual(['Fetch']);
  });
});

describe('metric names', () => {
  it("follow Prometheus's conventions: lanes_ snake case, counters _total, histograms in base units, help for each", async () => {
    const text = (await get('/metrics')).body;
    const families = [...text.matchAll(/^# TYPE (lanes_\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));
    expect(families.length).toBeGreaterThan(20);
    for (const { name, type } of families) {
      expect(name, name).toMatch(/^lanes_[a-z][a-z0-9_]*[a-z0-9]$/);
      if (type === 'counter') expect(name, `${name} is a counter`).toMatch(/_total$/);
      else expect(name, `${name} is a ${type}`).not.toMatch(/_total$/);
      if (type === 'histogram') expect(name, `${name} is a histogram`).toMatch(/_(seconds|bytes)$/);
      expect(text, `${name} has help`).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    }
  });
});

describe('request errors', () => {
  it("count each error code a response carries, by API and Kafka's error name", async () => {
    const scrape = async () => parsePrometheusText((await get('/metrics')).body);
    const labels = { api: 'Metadata', error: 'UNKNOWN_TOPIC_OR_PARTITION' };
    const before = sampleValue(await scrape(), 'lanes_request_errors_total', labels) ?? 0;
    // The CLI asks for the topic's metadata; the broker answers the topic unknown (and creates nothing).
    expect((await cli(['topic', 'describe', 'nowhere'])).code).toBe(1);
    const after = await scrape();
    expect((sampleValue(after, 'lanes_request_errors_total', labels) ?? 0) - before).toBeGreaterThanOrEqual(1);
    // Answers without an error code count nothing.
    expect(after.filter((s) => s.name === 'lanes_request_errors_total').map((s) => s.labels.error)).not.toContain('NONE');
  });
});

describe('routes', () => {
  it('answers /healthz, serves the dashboard, 404s unknown paths and refuses other methods', async () => {
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('<script type="module" src="/dashboard.js">');
    expect(page.body).not.toMatch(/https?:\/\//); // nothing fetched from elsewhere: works offline
    const script = await get('/dashboard.js');
    expect(script.type).toContain('javascript');
    expect(script.body).toContain("new EventSource('/api/events')");
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/metrics/extra')).status).toBe(404);
    expect((await get('/metrics', { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('streams overviews as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${admin.url}/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    // The first overview comes on connect, the next after a poll.
    while ((text.match(/^event: overview$/gm) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended after:\n${text}`);
      text += Buffer.from(value).toString();
    }
    controller.abort();
    const first = text.split('\n').find((line) => line.startsWith('data: '))!;
    expect(JSON.parse(first.slice(6))).toMatchObject({ shards: 1, topics: expect.any(Array), groups: expect.any(Array), rebalances: expect.any(Array) });
  });

  it('survives malformed requests: 400 and the connection closed, then serves the next client', async () => {
    for (const garbage of ['NOT HTTP AT ALL\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n', `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(admin.port, '127.0.0.1');
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
        socket.end(garbage);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    }
    expect(await get('/healthz')).toMatchObject({ status: 200 });
  });
});

describe('lanes start --admin-port', () => {
  it('is documented in --help', async () => {
    const help = await runLanes(['start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--admin-port <port>/);
    expect(help.stdout).toMatch(/--admin-host <host>/);
    expect(help.stdout).toContain('LANES_ADMIN_PORT');
  });

  it('prints the admin address next to the Kafka one, serves it, and stops on SIGTERM', async () => {
    const child = spawnLanes(['start', '--port', '0', '--storage', 'memory', '--shards', '1'], {
      env: { ...process.env, LANES_LOG_LEVEL: 'warn', LANES_ADMIN_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /lanes: admin on (http:\/\/127\.0\.0\.1:\d+) /.exec(stdout);
        if (match !== null) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`lanes exited with ${code}: ${stderr}`)));
    });
    expect(stdout).toMatch(/listening on 127\.0\.0\.1:\d+ \(Kafka protocol\)\nlanes: admin on /);
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    expect(await (await fetch(`${url}/metrics`)).text()).toContain('lanes_shard_threads_live 1');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  function runLanes(args: string[]): Promise<{ code: number | null; stdout: string }> {
    const child = spawnLanes(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout })));
  }
});
