// The KafkaJS-shaped consumer and transactions, in process and over the wire: by default
// (readUncommitted false, as KafkaJS) it never delivers a record of an aborted or still-open
// transaction, and it delivers a committed one once its marker is written; with readUncommitted it
// delivers every record. Neither ever delivers a control record (a transaction marker).
import { describe, expect, it } from 'vitest';
import { Kafka } from '../../../actors/host/index.js';
import type { Broker } from '../../../actors/host/broker.js';
import { encodeRecordBatch } from '../../../core/records/batch_builder.js';
import { startTestServer } from '../wire/server_fixture.js';
import { fastGroup, startLanes, until } from './support.js';
import { afterEach } from 'vitest';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setUp(mode: 'embedded' | 'wire'): Promise<{ broker: Broker; kafka: Kafka }> {
  if (mode === 'embedded') {
    const lanes = await startLanes();
    return { broker: lanes.broker, kafka: lanes.kafka() };
  }
  const server = await startTestServer();
  stops.push(() => server.stop());
  return { broker: server.broker, kafka: new Kafka({ clientId: 'read-committed', brokers: [server.address] }) };
}

const text = new TextEncoder();
const txnBatch = (producerId: number, sequence: number, values: string[]) =>
  encodeRecordBatch(values.map((value) => ({ key: null, value: text.encode(value) })), { producerId, producerEpoch: 0, baseSequence: sequence, transactional: true });
const plainBatch = (value: string) => encodeRecordBatch([{ key: null, value: text.encode(value) }]);
const marker = (broker: Broker, producerId: number, committed: boolean) =>
  broker.writeTxnMarkers([{ producerId: BigInt(producerId), producerEpoch: 0, committed, coordinatorEpoch: 0, partitions: [{ topic: 'orders', partition: 0 }] }]);

describe.each(['embedded', 'wire'] as const)('consumer isolation (%s)', (mode) => {
  it('read_committed by default: aborted and open transactions are never delivered; readUncommitted sees them all', async () => {
    const { broker, kafka } = await setUp(mode);
    await broker.createTopic('orders', { partitions: 1 });
    await broker.produce('orders', 0, plainBatch('plain-1'));
    await broker.produce('orders', 0, txnBatch(1, 0, ['aborted-a', 'aborted-b']));
    await broker.produce('orders', 0, txnBatch(2, 0, ['committed-a']));
    await broker.produce('orders', 0, txnBatch(1, 2, ['aborted-c']));
    await marker(broker, 1, false);
    await broker.produce('orders', 0, txnBatch(3, 0, ['open-a'])); // stays open until late in the test
    await marker(broker, 2, true);
    await broker.produce('orders', 0, plainBatch('plain-2'));

    const consume = async (groupId: string, readUncommitted: boolean, into: string[]) => {
      const consumer = kafka.consumer({ groupId, ...fastGroup, readUncommitted });
      await consumer.connect();
      await consumer.subscribe({ topics: ['orders'], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void into.push(String(message.value)) });
      return consumer;
    };
    const committed: string[] = [];
    const everything: string[] = [];
    const reader = await consume('committed', false, committed);
    const uncommittedReader = await consume('uncommitted', true, everything);
    await until('every record read uncommitted', () => everything.length >= 6);
    expect(everything).toEqual(['plain-1', 'aborted-a', 'aborted-b', 'committed-a', 'aborted-c', 'open-a', 'plain-2']);
    await until('the committed records before the open transaction', () => committed.length >= 2);
    expect(committed).toEqual(['plain-1', 'committed-a']);

    // Producer 3 commits: its record and the plain one after it become visible, once.
    await marker(broker, 3, true);
    await until('the rest, once committed', () => committed.length >= 4);
    expect(committed).toEqual(['plain-1', 'committed-a', 'open-a', 'plain-2']);
    await reader.disconnect();
    await uncommittedReader.disconnect();
  });

  it('a read_committed consumer starting at the end starts at the last stable offset: a transaction open then is not skipped', async () => {
    const { broker, kafka } = await setUp(mode);
    await broker.createTopic('orders', { partitions: 2 });
    await broker.produce('orders', 0, txnBatch(1, 0, ['open-a', 'open-b']));
    const seen: string[] = [];
    const consumer = kafka.consumer({ groupId: 'from-the-end', ...fastGroup });
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders'], fromBeginning: false });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
    // Probes on partition 1 until one arrives: both partitions' start positions were resolved by then.
    let probes = 0;
    await until('a probe record', async () => {
      if (seen.some((value) => value.startsWith('probe'))) return true;
      await broker.produce('orders', 1, plainBatch(`probe-${probes++}`));
      return false;
    });
    await marker(broker, 1, true);
    await until('the committed transaction', () => seen.includes('open-b'));
    expect(seen.filter((value) => value.startsWith('open'))).toEqual(['open-a', 'open-b']);
    await consumer.disconnect();
  });
});
