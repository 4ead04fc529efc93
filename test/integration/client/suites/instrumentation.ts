// Goal: code that watches a KafkaJS client through its instrumentation events (request timing
// dashboards, join-time alerts) works unchanged on Lanes' client: the same event names, the same
// payload fields, events for what actually happens. Method: real shard threads; KafkaJS 2.2.4's
// own `events` objects are the reference for the names; each test waits on events, never on time.
// Runs in-process (instrumentation.test.ts) and over the Kafka protocol (wire_instrumentation.test.ts).
import { Kafka as KafkaJS, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { InstrumentationEvent } from '../../../../actors/host/index.js';
import { fastGroupFor, startBroker, type Mode, until } from '../support.js';

/** The fields of KafkaJS 2.2.4's REQUEST payload (network/requestQueue/socketRequest.js, completed()). */
const requestFields = ['apiKey', 'apiName', 'apiVersion', 'broker', 'clientId', 'correlationId', 'createdAt', 'duration', 'pendingDuration', 'sentAt', 'size'];
/** KafkaJS 2.2.4's GROUP_JOIN payload (consumer/consumerGroup.js, joinAndSync()). */
const groupJoinFields = ['duration', 'groupId', 'groupProtocol', 'isLeader', 'leaderId', 'memberAssignment', 'memberId'];

interface RequestPayload {
  apiName: string;
  apiKey: number;
  broker: string;
  clientId: string;
  duration: number;
}

const kafkajs = new KafkaJS({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });

export function instrumentationSuite(mode: Mode): void {
  const fastGroup = fastGroupFor(mode);
  describe(`instrumentation events as KafkaJS names them (${mode})`, () => {
    it('producer and admin events have KafkaJS names; the consumer has all of KafkaJS’s', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka();
      expect(kafka.producer().events).toEqual(kafkajs.producer().events);
      expect(kafka.admin().events).toEqual(kafkajs.admin().events);
      expect(kafka.consumer({ groupId: 'g' }).events).toMatchObject(kafkajs.consumer({ groupId: 'g' }).events);
      expect(() => kafka.producer().on('producer.nope' as never, () => {})).toThrow(/unknown event/);
    });

    it('a send reports CONNECT, its Produce REQUEST with KafkaJS’s fields, queue sizes back to 0, and DISCONNECT', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka({ clientId: 'watched' });
      await kafka.admin().createTopics({ topics: [{ topic: 'inst', numPartitions: 1 }] });
      const producer = kafka.producer();
      const seen: string[] = [];
      const requests: RequestPayload[] = [];
      const queueSizes: number[] = [];
      producer.on(producer.events.CONNECT, (event) => void seen.push(event.type));
      producer.on(producer.events.DISCONNECT, (event) => void seen.push(event.type));
      producer.on<RequestPayload>(producer.events.REQUEST, (event) => {
        expect(event.type).toBe(producer.events.REQUEST);
        expect(Object.keys(event.payload).sort()).toEqual(requestFields);
        requests.push(event.payload);
      });
      producer.on<{ queueSize: number }>(producer.events.REQUEST_QUEUE_SIZE, (event) => void queueSizes.push(event.payload.queueSize));
      // A listener that throws is logged; the send goes on.
      producer.on(producer.events.REQUEST, () => {
        throw new Error('a broken listener');
      });
      await producer.connect();
      await producer.send({ topic: 'inst', messages: [{ value: 'v' }] });
      const produce = requests.find((request) => request.apiName === 'Produce');
      expect(produce).toMatchObject({ apiKey: 0, clientId: 'watched' });
      expect(produce!.duration).toBeGreaterThanOrEqual(0);
      expect(produce!.broker).toEqual(mode === 'embedded' ? 'in-process' : expect.stringMatching(/^127\.0\.0\.1:\d+$/));
      expect(Math.max(...queueSizes)).toBeGreaterThanOrEqual(1);
      expect(queueSizes.at(-1)).toBe(0);
      await producer.disconnect();
      expect(seen).toEqual([producer.events.CONNECT, producer.events.DISCONNECT]);
    });

    it('admin calls report their requests', async () => {
      const broker = await startBroker(mode);
      const admin = broker.kafka().admin();
      const apis: string[] = [];
      const remove = admin.on<RequestPayload>(admin.events.REQUEST, (event) => void apis.push(event.payload.apiName));
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: 'inst-admin', numPartitions: 2 }] });
      expect(apis).toContain('CreateTopics');
      remove();
      const count = apis.length;
      await admin.listTopics();
      expect(apis.length).toBe(count);
      await admin.disconnect();
    });

    it('GROUP_JOIN carries KafkaJS’s payload with its duration; the consumer reports JoinGroup and Fetch requests', async () => {
      const broker = await startBroker(mode);
      const kafka = broker.kafka();
      await kafka.admin().createTopics({ topics: [{ topic: 'inst-group', numPartitions: 2 }] });
      const consumer = kafka.consumer({ groupId: 'inst-group', ...fastGroup });
      const joins: InstrumentationEvent<Record<string, unknown>>[] = [];
      const apis = new Set<string>();
      consumer.on<Record<string, unknown>>(consumer.events.GROUP_JOIN, (event) => void joins.push(event));
      consumer.on<RequestPayload>(consumer.events.REQUEST, (event) => void apis.add(event.payload.apiName));
      await consumer.connect();
      await consumer.subscribe({ topics: ['inst-group'] });
      await consumer.run({ eachMessage: async () => {} });
      await until('the member joined and fetched', () => joins.length > 0 && apis.has('Fetch'));
      const join = joins[0].payload;
      expect(Object.keys(join).filter((key) => groupJoinFields.includes(key)).sort()).toEqual(groupJoinFields);
      expect(join).toMatchObject({ groupId: 'inst-group', isLeader: true, memberAssignment: { 'inst-group': [0, 1] } });
      expect(typeof join.duration).toBe('number');
      expect(join.duration as number).toBeGreaterThanOrEqual(0);
      expect([...apis]).toEqual(expect.arrayContaining(['JoinGroup', 'SyncGroup', 'Fetch']));
      await consumer.disconnect();
    });
  });
}
