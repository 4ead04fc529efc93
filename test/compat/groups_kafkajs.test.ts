// kafkajs 2.2.4 consumer-group members, each in its own process (fixtures/kafkajs_member.mjs),
// against `lanes` over TCP: they share a topic's partitions; a member that leaves gracefully
// hands its partitions over at once; a member killed with SIGKILL (no LeaveGroup) keeps them
// until its session times out; and every partition continues from its committed offset, so
// nothing is lost and only records read but not committed are read again.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { committedOffsets, isComplete, KafkajsMember, stableAssignment, waitUntil } from './fixtures/group_members.js';
import { timeoutMs } from '../support/timeouts.js';

/**
 * The members' session timeout, which the kill test waits out: 3 s on an idle machine (six of
 * fixtures/kafkajs_member.mjs's 500 ms heartbeats; the broker's floor is lowered for it), longer
 * at a higher timeout scale so a busy machine's late heartbeats do not expire a live member, up
 * to Kafka's 6 s floor, which busy runs have always passed with.
 */
const sessionTimeoutMs = Math.min(timeoutMs(3000), 6000);

let server: TestServer;
let producer: Producer;
const members: KafkajsMember[] = [];

beforeAll(async () => {
  server = await startTestServer({ groups: { sessionTimeoutMsMin: 1000 } });
  producer = new Kafka({ clientId: 'groups-kafkajs', brokers: [server.address], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

afterEach(async () => {
  await Promise.all(members.splice(0).map((member) => member.stop()));
});

afterAll(async () => {
  await producer?.disconnect();
  await server?.stop();
});

function member(name: string, groupId: string, topic: string): KafkajsMember {
  const started = new KafkajsMember(name, server.address, groupId, topic, sessionTimeoutMs);
  members.push(started);
  return started;
}

/** `count` records on each of partitions 0..3, valued "p<partition>-<round>-<n>". */
async function produceRound(topic: string, round: string, count: number): Promise<void> {
  const messages = [];
  for (let partition = 0; partition < 4; partition++) {
    for (let n = 0; n < count; n++) messages.push({ partition, value: `p${partition}-${round}-${n}` });
  }
  await producer.send({ topic, messages });
}

async function waitForCommitted(groupId: string, topic: string, expected: number[]): Promise<void> {
  let last: number[] = [];
  await waitUntil(`committed offsets ${JSON.stringify(expected)}`, async () => {
    last = await committedOffsets(server.broker, groupId, topic, 4);
    return last.every((offset, partition) => offset === expected[partition]);
  }, 30_000, () => last);
}

/** Waits for a Stable generation in which `names` together own partitions 0..3, and each member process saw it. */
async function waitForAssignment(groupId: string, topic: string, names: KafkajsMember[]): Promise<Map<string, number[]>> {
  let assignment: Map<string, number[]> | null = null;
  await waitUntil(`${names.map((m) => m.name).join(', ')} to share the partitions`, async () => {
    assignment = await stableAssignment(server.broker, groupId, topic);
    if (!isComplete(assignment, names.length, 4)) return false;
    return names.every((m) => JSON.stringify(m.assigned()) === JSON.stringify(assignment!.get(m.name)));
  }, 45_000, () => ({ broker: assignment === null ? null : [...assignment], members: names.map((m) => [m.name, m.assigned()]) }));
  return assignment!;
}

/** Why the broker removed members of `groupId` since the last call, oldest first (its group events, drained). */
async function removedMembers(groupId: string): Promise<string[]> {
  const causes: string[] = [];
  for (const { events } of await server.broker.drainGroupEvents()) {
    for (const { event } of events) if (event.type === 'memberRemoved' && event.groupId === groupId) causes.push(event.cause);
  }
  return causes;
}

function offsetsReadOn(reader: KafkajsMember, partitions: number[]): Map<number, number[]> {
  const offsets = new Map<number, number[]>(partitions.map((p) => [p, []]));
  for (const read of reader.reads()) offsets.get(read.partition)?.push(read.offset);
  return offsets;
}

describe('kafkajs consumer group members in separate processes', () => {
  it('share the partitions; a member that leaves hands its partitions over, which continue from the committed offsets', async () => {
    const topic = 'gk-leave';
    const groupId = 'gk-leave-group';
    await server.broker.createTopic(topic, { partitions: 4 });
    const a = member('a', groupId, topic);
    await waitForAssignment(groupId, topic, [a]);
    const b = member('b', groupId, topic);
    const shared = await waitForAssignment(groupId, topic, [a, b]);

    await produceRound(topic, 'r1', 5);
    await waitForCommitted(groupId, topic, [5, 5, 5, 5]);
    // Each partition was read by its owner only, each record once.
    for (const m of [a, b]) {
      const owned = shared.get(m.name)!;
      expect(new Set(m.reads().map((r) => r.partition))).toEqual(new Set(owned));
      for (const [, offsets] of offsetsReadOn(m, owned)) expect(offsets).toEqual([0, 1, 2, 3, 4]);
    }

    expect(await b.leave()).toBe(0);
    await waitForAssignment(groupId, topic, [a]);
    const readBefore = a.reads().length;
    await produceRound(topic, 'r2', 3);
    await waitForCommitted(groupId, topic, [8, 8, 8, 8]);
    // b's partitions continue at b's committed offset 5: nothing re-read, nothing skipped.
    const afterLeave = a.reads().slice(readBefore);
    for (const partition of shared.get('b')!) {
      expect(afterLeave.filter((r) => r.partition === partition).map((r) => r.offset)).toEqual([5, 6, 7]);
    }
  }, timeoutMs(90_000));

  it('a member killed without LeaveGroup loses its partitions after the session timeout; only what it read but did not commit is read again', async () => {
    const topic = 'gk-kill';
    const groupId = 'gk-kill-group';
    await server.broker.createTopic(topic, { partitions: 4 });
    const a = member('a', groupId, topic);
    await waitForAssignment(groupId, topic, [a]);
    const b = member('b', groupId, topic);
    const shared = await waitForAssignment(groupId, topic, [a, b]);
    const victimPartitions = shared.get('b')!;

    await produceRound(topic, 'r1', 4);
    await waitForCommitted(groupId, topic, [4, 4, 4, 4]);

    // b goes on reading but stops committing: offsets 4..6 of its partitions are read, uncommitted.
    await b.hold();
    await produceRound(topic, 'r2', 3);
    await waitUntil('b to read its second round', () => victimPartitions.every((p) => b.reads().filter((r) => r.partition === p).length === 7), 30_000, () => b.reads());
    await waitForCommitted(groupId, topic, [0, 1, 2, 3].map((p) => (victimPartitions.includes(p) ? 4 : 7)));

    const readBefore = a.reads().length;
    await removedMembers(groupId); // forget the events so far: only the kill's consequences count
    await b.crash();
    await waitForAssignment(groupId, topic, [a]);
    // No LeaveGroup came: the broker dropped b because its session expired, and for no other reason.
    expect(await removedMembers(groupId)).toEqual(['sessionTimeout']);

    await produceRound(topic, 'r3', 2);
    await waitForCommitted(groupId, topic, [9, 9, 9, 9]);
    const afterKill = a.reads().slice(readBefore);
    for (const partition of [0, 1, 2, 3]) {
      const offsets = afterKill.filter((r) => r.partition === partition).map((r) => r.offset);
      // b's partitions: exactly the uncommitted 4..6 again, then the new 7..8. a's own: just 7..8.
      expect(offsets).toEqual(victimPartitions.includes(partition) ? [4, 5, 6, 7, 8] : [7, 8]);
    }
    // Over both members, every record of every partition was read at least once.
    for (const partition of [0, 1, 2, 3]) {
      const seen = new Set([...a.reads(), ...b.reads()].filter((r) => r.partition === partition).map((r) => r.offset));
      expect([...seen].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    }
  }, timeoutMs(90_000));
});
