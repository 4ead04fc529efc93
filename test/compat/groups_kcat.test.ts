// kcat balanced consumers (`kcat -G`, librdkafka 2.0.2) against `lanes` over TCP: two members
// share a 4-partition topic under each partition.assignment.strategy (range, roundrobin and
// cooperative-sticky) and read every record exactly once; two groups on one topic keep their own
// committed offsets; a static member (group.instance.id) restarts without a rebalance, and a
// second process with the same instance id fences the first (FENCED_INSTANCE_ID).
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { committedOffsets, isComplete, KcatMember, stableAssignment, waitUntil } from './fixtures/group_members.js';
import { kcatBinary, skipWithoutKcat } from './support/kcat.js';
import { timeoutMs } from '../support/timeouts.js';

const kcat = kcatBinary;
skipWithoutKcat('the kcat group tests');

let server: TestServer;
let producer: Producer;
const members: KcatMember[] = [];

beforeAll(async () => {
  if (kcat === null) return;
  server = await startTestServer();
  producer = new Kafka({ clientId: 'groups-kcat', brokers: [server.address], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

afterEach(async () => {
  await Promise.all(members.splice(0).map((member) => member.kill()));
});

afterAll(async () => {
  await producer?.disconnect();
  await server?.stop();
});

function member(groupId: string, topic: string, settings: Record<string, string>, extraArgs: string[] = []): KcatMember {
  const started = new KcatMember(kcat!, server.address, groupId, topic, settings, extraArgs);
  members.push(started);
  return started;
}

/** `count` records on each of partitions 0..3, valued "p<partition>-<round>-<n>"; returns the values. */
async function produceRound(topic: string, round: string, count: number): Promise<string[]> {
  const messages = [];
  for (let partition = 0; partition < 4; partition++) {
    for (let n = 0; n < count; n++) messages.push({ partition, value: `p${partition}-${round}-${n}` });
  }
  await producer.send({ topic, messages });
  return messages.map((message) => message.value);
}

async function waitForStable(groupId: string, topic: string, memberCount: number): Promise<Map<string, number[]>> {
  let assignment: Map<string, number[]> | null = null;
  await waitUntil(`${memberCount} kcat members to share the partitions of ${topic}`, async () => {
    assignment = await stableAssignment(server.broker, groupId, topic);
    return isComplete(assignment, memberCount, 4);
  }, 45_000, () => (assignment === null ? null : [...assignment]));
  return assignment!;
}

describe.skipIf(kcat === null)('kcat -G balanced consumers', () => {
  for (const strategy of ['range', 'roundrobin', 'cooperative-sticky']) {
    it(`two members with partition.assignment.strategy=${strategy} read every record exactly once, each partition by one member`, async () => {
      const topic = `gc-${strategy}`;
      const groupId = `gc-${strategy}-group`;
      await server.broker.createTopic(topic, { partitions: 4 });
      const first = member(groupId, topic, { 'partition.assignment.strategy': strategy, 'client.id': 'first' });
      await waitForStable(groupId, topic, 1);
      const second = member(groupId, topic, { 'partition.assignment.strategy': strategy, 'client.id': 'second' });
      const assignment = await waitForStable(groupId, topic, 2);

      const values = await produceRound(topic, 'r1', 10);
      await waitUntil('40 records read', () => first.records().length + second.records().length >= 40, 30_000, () => [first.stdout, second.stdout]);
      expect(await first.stop()).toBe(0);
      expect(await second.stop()).toBe(0);

      const read = [...first.records(), ...second.records()];
      expect(read.map((record) => record.value).sort()).toEqual([...values].sort());
      expect(new Set(first.records().map((record) => record.partition))).toEqual(new Set(assignment.get('first')));
      expect(new Set(second.records().map((record) => record.partition))).toEqual(new Set(assignment.get('second')));
      // Closing committed what each member read.
      expect(await committedOffsets(server.broker, groupId, topic, 4)).toEqual([10, 10, 10, 10]);
    }, timeoutMs(60_000));
  }

  it('two groups on one topic progress independently', async () => {
    const topic = 'gc-two-groups';
    await server.broker.createTopic(topic, { partitions: 4 });
    const readAll = async (groupId: string) => {
      // -e: exit once every assigned partition reached its end; closing commits.
      const reader = member(groupId, topic, { 'client.id': groupId }, ['-e']);
      expect(await reader.exited(), reader.stderr).toBe(0);
      return reader.records().map((record) => record.value).sort();
    };
    const firstRound = await produceRound(topic, 'r1', 3);
    expect(await readAll('gc-one')).toEqual([...firstRound].sort());
    expect(await committedOffsets(server.broker, 'gc-one', topic, 4)).toEqual([3, 3, 3, 3]);
    expect(await committedOffsets(server.broker, 'gc-two', topic, 4)).toEqual([-1, -1, -1, -1]);

    const secondRound = await produceRound(topic, 'r2', 2);
    expect(await readAll('gc-one')).toEqual([...secondRound].sort());
    expect(await committedOffsets(server.broker, 'gc-one', topic, 4)).toEqual([5, 5, 5, 5]);
    // gc-one's commits did not move gc-two, which still reads everything.
    expect(await committedOffsets(server.broker, 'gc-two', topic, 4)).toEqual([-1, -1, -1, -1]);
    expect(await readAll('gc-two')).toEqual([...firstRound, ...secondRound].sort());
    expect(await committedOffsets(server.broker, 'gc-two', topic, 4)).toEqual([5, 5, 5, 5]);
    expect(await committedOffsets(server.broker, 'gc-one', topic, 4)).toEqual([5, 5, 5, 5]);
  }, timeoutMs(60_000));

  it('a static member (group.instance.id) restarts without a rebalance; a second process with its id is fenced', async () => {
    const topic = 'gc-static';
    const groupId = 'gc-static-group';
    await server.broker.createTopic(topic, { partitions: 4 });
    // A long session timeout: the restart must land inside it even on a slow machine.
    const settings = (instance: string) => ({ 'group.instance.id': instance, 'client.id': instance, 'session.timeout.ms': '30000', 'partition.assignment.strategy': 'range' });
    const steady = member(groupId, topic, settings('steady'), ['-d', 'cgrp']);
    await waitForStable(groupId, topic, 1);
    const restarting = member(groupId, topic, settings('restarting'));
    const assignment = await waitForStable(groupId, topic, 2);
    await waitUntil('the steady member to heartbeat in the two-member generation', () => steady.joinedGenerations().length === 2 && steady.heartbeatGenerations().at(-1) === steady.joinedGenerations()[1], 30_000, () => steady.stderr.slice(-2000));
    const generation = steady.joinedGenerations()[1];
    const [before] = await server.broker.describeGroups([groupId]);
    const memberIdBefore = before.members.find((m) => m.groupInstanceId === 'restarting')!.memberId;

    const values = await produceRound(topic, 'r1', 2);
    await waitUntil('the first round read', () => steady.records().length + restarting.records().length === 8, 30_000);
    // A static member leaves no LeaveGroup behind: the group keeps it until its session expires.
    expect(await restarting.stop()).toBe(0);
    const [afterStop] = await server.broker.describeGroups([groupId]);
    expect(afterStop.groupState).toBe('Stable');
    expect(afterStop.members.map((m) => m.groupInstanceId).sort()).toEqual(['restarting', 'steady']);

    const restarted = member(groupId, topic, settings('restarting'));
    await waitUntil('the restarted member to get its partitions back', () => /assigned: /.test(restarted.stderr), 30_000, () => restarted.stderr);
    const [after] = await server.broker.describeGroups([groupId]);
    const memberIdAfter = after.members.find((m) => m.groupInstanceId === 'restarting')!.memberId;
    expect(memberIdAfter).not.toBe(memberIdBefore);
    expect(await stableAssignment(server.broker, groupId, topic)).toEqual(assignment);
    // No rebalance: the steady member neither rejoined nor changed generation.
    const heartbeatsBefore = steady.heartbeatGenerations().length;
    await waitUntil('the steady member to heartbeat after the restart', () => steady.heartbeatGenerations().length >= heartbeatsBefore + 2, 30_000);
    expect(steady.joinedGenerations()).toHaveLength(2);
    expect(steady.heartbeatGenerations().at(-1)).toBe(generation);

    // The restarted member continues from what its predecessor committed.
    const secondRound = await produceRound(topic, 'r2', 1);
    await waitUntil('the second round read', () => steady.records().length + restarted.records().length === 8, 30_000, () => [steady.stdout, restarted.stdout]);
    expect([...steady.records(), ...restarting.records(), ...restarted.records()].map((r) => r.value).sort()).toEqual([...values, ...secondRound].sort());

    // A second process with the same instance id takes the slot; the old one is fenced.
    const usurper = member(groupId, topic, settings('restarting'));
    expect(await restarted.exited()).not.toBe(0);
    expect(restarted.stderr).toMatch(/fenced/i);
    await waitUntil('the usurper to be assigned', () => /assigned: /.test(usurper.stderr), 30_000, () => usurper.stderr);
    expect(steady.joinedGenerations()).toHaveLength(2);
  }, timeoutMs(90_000));
});
