// Consumer-group costs on the broker side, in process (no sockets), on the real shard threads:
//   1. rebalance duration when one member joins a stable group of N (2, 10, 100, 1,000): from the
//      newcomer's JoinGroup to the last SyncGroup answered, with every member rejoining as soon
//      as its heartbeat says REBALANCE_IN_PROGRESS (so client heartbeat intervals do not count);
//   2. memory per idle group: shard heap before and after 10,000 one-member stable groups;
//   3. offset commit throughput, memory and disk (flush always, group commit), and on disk how
//      many commits shared each RecordBatch of the offsets log (counted in its segment files).
//
//   npm run build && node dist/bench/groups.bench.js [--members 2,10,100,1000] [--groups 10000]
//                                                    [--commits 20000] [--in-flight 64,512]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Broker } from '../actors/host/broker.js';
import { encodeAssignment, encodeSubscription } from '../core/assignors/consumer_protocol.js';
import { ErrorCode } from '../core/errors.js';
import { printMachineFacts } from './support/machine.js';
import { internalDirName } from '../actors/data_dir_layout.js';

const { values } = parseArgs({
  options: {
    members: { type: 'string', default: '2,10,100,1000' },
    groups: { type: 'string', default: '10000' },
    commits: { type: 'string', default: '20000' },
    'in-flight': { type: 'string', default: '64,512' },
  },
});

const topic = 'rebalance';
const partitions = 64;
const subscription = encodeSubscription({ version: 0, topics: [topic] });
const sessionTimeoutMs = 300_000;

/** A member as the coordinator sees it: joins, syncs (the leader assigns round-robin), heartbeats. */
class Member {
  memberId = '';
  generationId = -1;
  constructor(readonly broker: Broker, readonly groupId: string, readonly clientId: string) {}

  async joinAndSync(): Promise<void> {
    for (;;) {
      let join = await this.broker.joinGroup({
        groupId: this.groupId, memberId: this.memberId, groupInstanceId: null, sessionTimeoutMs, rebalanceTimeoutMs: sessionTimeoutMs,
        protocolType: 'consumer', protocols: [{ name: 'roundrobin', metadata: subscription }], clientId: this.clientId,
        clientHost: '/127.0.0.1', requireKnownMemberId: false,
      });
      if (join.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      if (join.errorCode !== ErrorCode.NONE) throw new Error(`JoinGroup failed with ${join.errorCode}`);
      this.memberId = join.memberId;
      this.generationId = join.generationId;
      const assignments = join.leader === join.memberId ? assignRoundRobin(join.members.map((m) => m.memberId)) : [];
      const sync = await this.broker.syncGroup({
        groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null,
        protocolType: 'consumer', protocolName: 'roundrobin', assignments,
      });
      if (sync.errorCode === ErrorCode.NONE) return;
      if (sync.errorCode !== ErrorCode.REBALANCE_IN_PROGRESS && sync.errorCode !== ErrorCode.ILLEGAL_GENERATION) {
        throw new Error(`SyncGroup failed with ${sync.errorCode}`);
      }
    }
  }

  /** True when the member is in the current generation; otherwise it rejoins. */
  async heartbeatOrRejoin(): Promise<boolean> {
    const { errorCode } = await this.broker.heartbeat({ groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null });
    if (errorCode === ErrorCode.NONE) return true;
    await this.joinAndSync();
    return false;
  }
}

function assignRoundRobin(memberIds: string[]) {
  const sorted = [...memberIds].sort();
  const owned = new Map<string, number[]>(sorted.map((id) => [id, []]));
  for (let p = 0; p < partitions; p++) owned.get(sorted[p % sorted.length])!.push(p);
  return sorted.map((memberId) => ({ memberId, assignment: encodeAssignment({ version: 0, assignedPartitions: [{ topic, partitions: owned.get(memberId)! }] }) }));
}

/** Heartbeats everyone until a whole round finds them all in the same, current generation. */
async function settle(members: Member[]): Promise<void> {
  for (;;) {
    const stable = await Promise.all(members.map((m) => m.heartbeatOrRejoin()));
    if (stable.every(Boolean) && new Set(members.map((m) => m.generationId)).size === 1) return;
  }
}

/** RecordBatches in the offsets logs of a stopped broker's data directory (v2 batch headers). */
function offsetsLogBatches(dataDir: string): number {
  let batches = 0;
  const internal = join(dataDir, internalDirName);
  for (const dir of readdirSync(internal).filter((name) => name.startsWith('consumer_offsets-'))) {
    for (const name of readdirSync(join(internal, dir)).filter((entry) => entry.endsWith('.log'))) {
      const bytes = readFileSync(join(internal, dir, name));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let position = 0; position + 12 <= bytes.length; batches++) {
        const batchLength = view.getInt32(position + 8);
        if (batchLength <= 0) break;
        position += 12 + batchLength;
      }
    }
  }
  return batches;
}

let runs = 0;

async function rebalanceDuration(broker: Broker, count: number): Promise<number> {
  // A fresh group per run: the previous run's members stop heartbeating but stay members until
  // their session timeout, and a rebalance would wait for them.
  const groupId = `group-${count}-${runs++}`;
  const members = Array.from({ length: count }, (_, i) => new Member(broker, groupId, `member-${i}`));
  await Promise.all(members.map((m) => m.joinAndSync()));
  await settle(members);
  const newcomer = new Member(broker, groupId, 'newcomer');
  const started = performance.now();
  const joining = newcomer.joinAndSync();
  await Promise.all(members.map((m) => m.heartbeatOrRejoin()));
  await joining;
  const elapsed = performance.now() - started;
  await settle([...members, newcomer]);
  return elapsed;
}

async function main(): Promise<void> {
  printMachineFacts('Consumer groups, broker side (in process)', `node dist/bench/groups.bench.js --members ${values.members} --groups ${values.groups} --commits ${values.commits} --in-flight ${values['in-flight']}`);

  // A short initial delay lets all N first joins land in one generation (Kafka's reason for it).
  const broker = await Broker.start({ storage: 'memory', shards: 2, groups: { initialRebalanceDelayMs: 200 } });
  await broker.createTopic(topic, { partitions });
  console.log('\n| members in the group | rebalance when one more joins (ms) |');
  console.log('|---:|---:|');
  for (const count of values.members!.split(',').map(Number)) {
    const runs = [await rebalanceDuration(broker, count), await rebalanceDuration(broker, count)].sort((a, b) => a - b);
    console.log(`| ${count} | ${runs[0].toFixed(1)} (${runs[1].toFixed(1)}) |`);
  }
  await broker.stop();

  const idle = await Broker.start({ storage: 'memory', shards: 1, groups: { initialRebalanceDelayMs: 20 } });
  await idle.createTopic(topic, { partitions });
  const groupCount = Number(values.groups);
  const heapBefore = (await idle.describeShards())[0].heapUsedBytes;
  for (let i = 0; i < groupCount; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, groupCount - i) }, (_, j) => new Member(idle, `idle-${i + j}`, 'c').joinAndSync()));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const heapAfter = (await idle.describeShards())[0].heapUsedBytes;
  console.log(`\nmemory per idle group (one stable member, ${groupCount} groups): ${((heapAfter - heapBefore) / groupCount).toFixed(0)} bytes of shard heap`);
  await idle.stop();

  const commits = Number(values.commits);
  console.log('\n| storage | commits in flight | offset commits/s | commits per offsets-log batch | flushes, mean fsync |');
  console.log('|---|---:|---:|---:|---:|');
  for (const inFlight of values['in-flight']!.split(',').map(Number)) for (const storage of ['memory', 'disk'] as const) {
    const dataDir = storage === 'disk' ? mkdtempSync(join(tmpdir(), 'lanes-commits-')) : undefined;
    const committing = await Broker.start({ storage, dataDir, shards: 2, flush: 'always', groups: { initialRebalanceDelayMs: 0 } });
    await committing.createTopic(topic, { partitions });
    const member = new Member(committing, 'committer', 'c');
    await member.joinAndSync();
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < commits) {
        const offset = next++;
        const response = await committing.offsetCommit({
          groupId: 'committer', generationId: member.generationId, memberId: member.memberId, groupInstanceId: null,
          topics: [{ name: topic, partitions: [{ partitionIndex: offset % partitions, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: null }] }],
        });
        if (response.topics[0].partitions[0].errorCode !== ErrorCode.NONE) throw new Error('commit refused');
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    // The shards' flush histograms (lanes_log_flush_duration_seconds): how many fsyncs, how long.
    const flushStats = await committing.flushStats();
    const flushes = flushStats.reduce((sum, shard) => sum + shard.count, 0);
    const flushSeconds = flushStats.reduce((sum, shard) => sum + shard.sumSeconds, 0);
    const flushText = flushes === 0 ? 'n/a' : `${flushes}, ${((flushSeconds / flushes) * 1000).toFixed(2)} ms`;
    await committing.stop();
    // The offsets log also holds the member's join records: a few batches, not worth subtracting.
    const perBatch = dataDir === undefined ? 'n/a' : (commits / offsetsLogBatches(dataDir)).toFixed(1);
    console.log(`| ${storage}${storage === 'disk' ? ' (fsync, group commit)' : ''} | ${inFlight} | ${(commits / seconds).toFixed(0)} | ${perBatch} | ${flushText} |`);
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
