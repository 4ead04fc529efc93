// Goal: the client's `groupProtocol: 'consumer'` (KIP-848) does what a user of a consumer group
// relies on while members come and go: every partition has one owner at a time (a new owner is
// handed a partition only after the old one's onPartitionsRevoked returned, its commit included),
// a fourth member joining and one leaving move partitions without anyone losing any, every record
// is handled exactly once across the hand-overs, and the group's committed offsets reach the end.
// Method: real shard threads, in process (the broker heartbeats members every 100 ms) and over the
// Kafka protocol against the BUILT `lanes start` (its heartbeat interval set to 500 ms: each
// hand-over takes a few heartbeats, which at Kafka's default 5 s would be most of the test's
// time); waits on conditions only.
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, type Consumer, type TopicPartitions } from '../../../actors/host/index.js';
import { startBroker as startBrokerProcess, type RunningBroker } from '../../support/broker_process.js';
import { timeoutMs } from '../../support/timeouts.js';
import { startLanes, until } from './support.js';

const topic = 'events';
const partitionCount = 12;
const batch = 240;

interface Group {
  /** partition → the member holding it, from onPartitionsAssigned until its onPartitionsRevoked/Lost returned. */
  readonly holders: Map<string, string>;
  /** Every time a partition was handed to a member while another still held it. */
  readonly doubles: string[];
  readonly lost: string[];
  /** record value → how many times a handler saw it. */
  readonly seen: Map<string, number>;
  /** GROUP_JOIN events' groupProtocol and generationId (the member epoch), per member. */
  readonly joins: { name: string; groupProtocol: string; generationId: number }[];
}

function keys(list: TopicPartitions[]): string[] {
  return list.flatMap(({ topic: name, partitions }) => partitions.map((partition) => `${name}/${partition}`));
}

async function member(kafka: Kafka, group: Group, name: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: 'g', groupProtocol: 'consumer', metadataMaxAge: 200, maxWaitTimeInMs: 200 });
  consumer.on<{ groupProtocol: string; generationId: number }>(consumer.events.GROUP_JOIN, ({ payload }) =>
    group.joins.push({ name, groupProtocol: payload.groupProtocol, generationId: payload.generationId }),
  );
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const value = message.value!.toString();
      group.seen.set(value, (group.seen.get(value) ?? 0) + 1);
    },
    onPartitionsAssigned: (partitions) => {
      for (const key of keys(partitions)) {
        const holder = group.holders.get(key);
        if (holder !== undefined && holder !== name) group.doubles.push(`${key}: given to ${name} while ${holder} held it`);
        group.holders.set(key, name);
      }
    },
    onPartitionsRevoked: (partitions) => {
      for (const key of keys(partitions)) if (group.holders.get(key) === name) group.holders.delete(key);
    },
    onPartitionsLost: (partitions) => {
      group.lost.push(...keys(partitions).map((key) => `${name} lost ${key}`));
      for (const key of keys(partitions)) if (group.holders.get(key) === name) group.holders.delete(key);
    },
  });
  return consumer;
}

async function produce(kafka: Kafka, prefix: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: batch }, (_, i) => ({ key: `${prefix}${i}`, value: `${prefix}${i}` })) });
  await producer.disconnect();
}

function owners(consumers: Map<string, Consumer>): Map<string, string[]> {
  const byPartition = new Map<string, string[]>();
  for (const [name, consumer] of consumers) for (const key of keys(consumer.assignment())) byPartition.set(key, [...(byPartition.get(key) ?? []), name]);
  return byPartition;
}

/** Every partition owned by exactly one member, and every member owning at least one. */
function balanced(consumers: Map<string, Consumer>): boolean {
  const byPartition = owners(consumers);
  if (byPartition.size !== partitionCount || [...byPartition.values()].some((names) => names.length !== 1)) return false;
  return [...consumers.values()].every((consumer) => keys(consumer.assignment()).length > 0);
}

async function joinLeaveScenario(kafka: Kafka, baseMs: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitionCount }] });
  await produce(kafka, 'a');
  const group: Group = { holders: new Map(), doubles: [], lost: [], seen: new Map(), joins: [] };
  const consumers = new Map<string, Consumer>();
  for (const name of ['m1', 'm2', 'm3']) consumers.set(name, await member(kafka, group, name));
  await until('three members share the twelve partitions', () => balanced(consumers), baseMs);

  consumers.set('m4', await member(kafka, group, 'm4'));
  await produce(kafka, 'b');
  await until('a fourth member gets partitions from the other three', () => balanced(consumers), baseMs);

  const leaving = consumers.get('m1')!;
  consumers.delete('m1');
  await leaving.disconnect();
  await produce(kafka, 'c');
  await until('the three left take over the leaver\'s partitions', () => balanced(consumers), baseMs);
  await until('every record is handled', () => group.seen.size === 3 * batch, baseMs);

  // The members spoke KIP-848: GROUP_JOIN says so, with member epochs that grew past the first.
  expect(new Set(group.joins.map(({ groupProtocol }) => groupProtocol))).toEqual(new Set(['consumer']));
  expect(Math.max(...group.joins.map(({ generationId }) => generationId))).toBeGreaterThan(1);
  expect(group.doubles).toEqual([]);
  expect(group.lost).toEqual([]);
  // Each hand-over committed first and the next owner started there: nothing is read twice.
  expect([...group.seen].filter(([, count]) => count !== 1)).toEqual([]);
  // The commits every member made under its member epoch reached the group.
  await until(
    'the group has committed every partition to its end',
    async () => {
      const [committed] = await admin.fetchOffsets({ groupId: 'g', topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      return ends.every(({ partition, high }) => committed.partitions.find((each) => each.partition === partition)?.offset === high);
    },
    baseMs,
  );
  await admin.disconnect();
  await Promise.all([...consumers.values()].map((consumer) => consumer.disconnect()));
}

describe("groupProtocol 'consumer' (embedded)", () => {
  it('three members, a fourth joins, one leaves: one owner per partition, every record once, commits kept', async () => {
    const lanes = await startLanes({ consumerHeartbeatIntervalMs: 100 });
    await joinLeaveScenario(lanes.kafka({ clientId: 'kip848' }), 30_000);
  }, timeoutMs(120_000));

  it('refuses the options the broker sets for this protocol, and unknown protocols, with one clear line', async () => {
    const lanes = await startLanes();
    const kafka = lanes.kafka({ clientId: 'kip848' });
    expect(() => kafka.consumer({ groupId: 'g', groupProtocol: 'consumer', sessionTimeout: 10_000 })).toThrow("sessionTimeout is not used with groupProtocol: 'consumer'");
    expect(() => kafka.consumer({ groupId: 'g', groupProtocol: 'consumer', partitionAssigners: ['range'] })).toThrow('partitionAssigners is not used');
    expect(() => kafka.consumer({ groupId: 'g', groupRemoteAssignor: 'range' })).toThrow("groupRemoteAssignor needs groupProtocol: 'consumer'");
    expect(() => kafka.consumer({ groupId: 'g', groupProtocol: 'next' as 'consumer' })).toThrow("groupProtocol must be 'classic' or 'consumer', got next");
  });
});

describe("groupProtocol 'consumer' (over the wire, lanes start)", () => {
  let broker: RunningBroker | null = null;
  afterEach(async () => {
    await broker?.stop();
    broker = null;
  });

  it('three members, a fourth joins, one leaves: one owner per partition, every record once, commits kept', async () => {
    broker = await startBrokerProcess(['--storage', 'memory', '--dev', '--shards', '2', '--group-consumer-heartbeat-interval-ms', '500']);
    const kafka = new Kafka({ clientId: 'kip848', brokers: [`127.0.0.1:${broker.port}`] });
    await joinLeaveScenario(kafka, 90_000);
  }, timeoutMs(300_000));
});
