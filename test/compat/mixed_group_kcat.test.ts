// Goal: one consumer group shared by the Lanes client (over the wire) and a librdkafka member
// (kcat -G, librdkafka 2.0.2), for the assignors both speak: cooperative-sticky (the Lanes
// default) and range. Each member gets a share of the partitions, and every record is read once.
// Method: `lanes` on a free port; the Lanes member joins first and owns everything; kcat joins
// with the same partition.assignment.strategy and the group rebalances to three partitions each;
// then records are produced and both members' reads are gathered until all have arrived.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Kafka, type Consumer } from '../../actors/host/index.js';
import { startTestServer, type TestServer } from '../integration/wire/server_fixture.js';
import { until } from '../integration/client/support.js';
import { kcatBinary, skipWithoutKcat } from './support/kcat.js';

const kcat = kcatBinary;
skipWithoutKcat('the mixed-group test');

const partitions = 6;
const recordCount = 600;
let server: TestServer | null = null;
let child: ChildProcess | null = null;
const consumers: Consumer[] = [];

afterEach(async () => {
  child?.kill('SIGTERM');
  child = null;
  await Promise.allSettled(consumers.splice(0).map((consumer) => consumer.disconnect()));
  await server?.stop();
  server = null;
});

function owned(consumer: Consumer): number {
  return consumer.assignment().reduce((sum, { partitions: list }) => sum + list.length, 0);
}

describe.skipIf(kcat === null)('a group shared by the Lanes client and kcat -G', () => {
  for (const strategy of ['cooperative-sticky', 'range']) {
    it(`shares the partitions and reads every record once (${strategy})`, async () => {
      server = await startTestServer();
      const topic = `mixed-${strategy}`;
      const groupId = `mixed-${strategy}`;
      const kafka = new Kafka({ clientId: 'lanes-member', brokers: [server.address] });
      const admin = kafka.admin();
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });

      const reads = new Map<string, string[]>();
      const read = (value: string, by: string) => reads.set(value, [...(reads.get(value) ?? []), by]);
      const consumer = kafka.consumer({ groupId, partitionAssigners: [strategy], sessionTimeout: 10_000, heartbeatInterval: 200, maxWaitTimeInMs: 200 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void read(message.value!.toString(), 'lanes') });
      await until('the Lanes member owns every partition', () => owned(consumer) === partitions, 30_000);

      let kcatOut = '';
      let kcatErr = '';
      // -u: unbuffered, so each record reaches the pipe as kcat reads it.
      child = spawn(kcat!, ['-b', server.address, '-u', '-G', groupId, '-X', `partition.assignment.strategy=${strategy}`, '-X', 'auto.offset.reset=earliest', '-f', '%s\\n', topic], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => {
        kcatOut += chunk.toString();
        const lines = kcatOut.split('\n');
        kcatOut = lines.pop()!;
        for (const line of lines) read(line, 'kcat');
      });
      child.stderr!.on('data', (chunk: Buffer) => (kcatErr += chunk.toString()));
      await until('kcat to join and take half the partitions', () => owned(consumer) === partitions / 2, 45_000).catch((error: Error) => {
        throw new Error(`${error.message}; kcat said: ${kcatErr.slice(-1500)}`);
      });
      let described = (await admin.describeGroups([groupId])).groups[0];
      await until('a stable group of two', async () => {
        described = (await admin.describeGroups([groupId])).groups[0];
        return described.state === 'Stable' && described.members.length === 2;
      }, 30_000);
      expect(described.protocol).toBe(strategy);

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: recordCount }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
      await producer.disconnect();
      await until(`all ${recordCount} records`, () => reads.size === recordCount, 45_000).catch((error: Error) => {
        throw new Error(`${error.message}: ${reads.size} read; kcat said: ${kcatErr.slice(-1500)}`);
      });

      // Each record once, by one member; both members read some.
      expect([...reads.values()].filter((by) => by.length !== 1)).toEqual([]);
      const byKcat = [...reads.values()].filter(([by]) => by === 'kcat').length;
      expect(byKcat).toBeGreaterThan(0);
      expect(byKcat).toBeLessThan(recordCount);
      await admin.disconnect();
    });
  }
});
