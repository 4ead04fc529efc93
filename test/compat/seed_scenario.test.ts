// The seed's scenario, end to end with real clients: topic `orders` with 4 partitions, group
// `order-processor`. Members A and B (kafkajs, each in its own process) consume and commit; C
// joins and gets a share; B dies (SIGKILL, no LeaveGroup); after B's session times out its
// partitions move to A and C, each continuing from the offset B committed.
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { committedOffsets, isComplete, KafkajsMember, stableAssignment, waitUntil } from './fixtures/group_members.js';
import { timeoutMs } from '../support/timeouts.js';

const topic = 'orders';
const groupId = 'order-processor';

let server: TestServer;
let producer: Producer;
const members: KafkajsMember[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await server.broker.createTopic(topic, { partitions: 4 });
  producer = new Kafka({ clientId: 'order-service', brokers: [server.address], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

afterAll(async () => {
  await Promise.all(members.map((member) => member.stop()));
  await producer?.disconnect();
  await server?.stop();
});

function start(name: string): KafkajsMember {
  const member = new KafkajsMember(name, server.address, groupId, topic, 6000);
  members.push(member);
  return member;
}

/** `count` orders on each partition: "order-<partition>-<round>-<n>". */
async function placeOrders(round: string, count: number): Promise<void> {
  const messages = [];
  for (let partition = 0; partition < 4; partition++) {
    for (let n = 0; n < count; n++) messages.push({ partition, key: `customer-${partition}`, value: `order-${partition}-${round}-${n}` });
  }
  await producer.send({ topic, messages });
}

async function waitForMembers(running: KafkajsMember[]): Promise<Map<string, number[]>> {
  let assignment: Map<string, number[]> | null = null;
  await waitUntil(`${running.map((m) => m.name).join(' and ')} to share orders`, async () => {
    assignment = await stableAssignment(server.broker, groupId, topic);
    return isComplete(assignment, running.length, 4) && running.every((m) => JSON.stringify(m.assigned()) === JSON.stringify(assignment!.get(m.name)));
  }, 45_000, () => (assignment === null ? null : [...assignment]));
  return assignment!;
}

async function waitForCommitted(expected: number): Promise<void> {
  let last: number[] = [];
  await waitUntil(`every partition committed at ${expected}`, async () => {
    last = await committedOffsets(server.broker, groupId, topic, 4);
    return last.every((offset) => offset === expected);
  }, 30_000, () => last);
}

/** Offsets `reader` read on `partition` after its first `skip` reads. */
function offsetsRead(reader: KafkajsMember, partition: number, skip: number): number[] {
  return reader.reads().slice(skip).filter((r) => r.partition === partition).map((r) => r.offset);
}

describe('seed scenario: orders / order-processor', () => {
  it('A and B consume and commit; C joins and gets a share; B dies and its partitions continue from its commits on A and C', async () => {
    const a = start('A');
    const b = start('B');
    await waitForMembers([a, b]);
    await placeOrders('r1', 5);
    await waitForCommitted(5);

    const c = start('C');
    const withC = await waitForMembers([a, b, c]);
    expect(withC.get('C')!.length).toBeGreaterThan(0);
    const readBeforeR2 = new Map([a, b, c].map((m) => [m, m.reads().length]));
    await placeOrders('r2', 3);
    await waitForCommitted(8);
    // Every partition went on from 5 with its new owner: nothing re-read, nothing skipped.
    for (const m of [a, b, c]) {
      for (const partition of withC.get(m.name)!) expect(offsetsRead(m, partition, readBeforeR2.get(m)!)).toEqual([5, 6, 7]);
    }

    const orphaned = withC.get('B')!;
    await b.crash();
    const survivors = await waitForMembers([a, c]);
    for (const partition of orphaned) expect([...survivors.get('A')!, ...survivors.get('C')!]).toContain(partition);
    const readBeforeR3 = new Map([a, c].map((m) => [m, m.reads().length]));
    await placeOrders('r3', 2);
    await waitForCommitted(10);
    for (const m of [a, c]) {
      for (const partition of survivors.get(m.name)!) expect(offsetsRead(m, partition, readBeforeR3.get(m)!)).toEqual([8, 9]);
    }
    // Every order was processed, and exactly once: B committed everything it read before dying.
    const processed = [a, b, c].flatMap((m) => m.reads().map((r) => r.value));
    expect(processed).toHaveLength(40);
    expect(new Set(processed).size).toBe(40);
  }, timeoutMs(90_000));
});
