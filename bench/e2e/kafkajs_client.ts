// kafkajs 2.x and Confluent's @confluentinc/kafka-javascript (its KafkaJS-compatible API) as
// `lanes bench` rows (kafka_clients.ts says how they are configured). Imported when a run
// starts, so a missing package only skips its row.
import type { KafkaClientLibrary, KafkajsShaped } from './kafka_clients.js';
import { kafkajsShapedConnection } from './kafka_clients.js';

const autoCommitIntervalMs = 1_000;
const consumerOptions = { maxWaitTimeInMs: 100, minBytes: 1, maxBytes: 10 * 1024 * 1024, sessionTimeout: 30_000, heartbeatInterval: 3_000 };

export const kafkajsLibrary: KafkaClientLibrary = {
  id: 'lanes-kafkajs',
  label: 'Lanes (wire, memory) ← kafkajs',
  specifier: 'kafkajs',
  missingHint: 'npm i -D kafkajs',
  async open(address) {
    const { Kafka, logLevel } = await import('kafkajs');
    const kafka = new Kafka({ clientId: 'lanes-bench-kafkajs', brokers: [address], logLevel: logLevel.NOTHING });
    const shaped: KafkajsShaped = {
      producer: () => kafka.producer({ allowAutoTopicCreation: false, idempotent: false }),
      consumer: (groupId) => {
        const consumer = kafka.consumer({ groupId, ...consumerOptions });
        let assigned = 0;
        consumer.on(consumer.events.GROUP_JOIN, (event) => {
          assigned = Object.values(event.payload.memberAssignment).reduce((sum, partitions) => sum + partitions.length, 0);
        });
        // kafkajs commits after every batch unless given an interval (one OffsetCommit per Fetch:
        // 9,735 commits in a 3 s single-record run); a performance-minded user commits every
        // second, as the @platformatic/kafka row does (librdkafka's default is every 5 s).
        const run: typeof consumer.run = (options) => consumer.run({ ...options, autoCommitInterval: autoCommitIntervalMs });
        return { consumer: { connect: () => consumer.connect(), disconnect: () => consumer.disconnect(), subscribe: (options) => consumer.subscribe(options), run }, assigned: () => assigned };
      },
      admin: () => kafka.admin(),
    };
    return kafkajsShapedConnection(shaped);
  },
};

/**
 * Confluent's client (librdkafka underneath) through its KafkaJS API. Not a devDependency: it
 * builds librdkafka natively; `npm run clients:install` adds it and the row. Written from its
 * migration guide (acks and fromBeginning in the configuration, not per call; assignment() as
 * [{ topic, partitions }]). librdkafka batches on its own (linger.ms 0: send at once, for
 * latency), and its eachBatch may hand over one message at a time.
 */
export const confluentLibrary: KafkaClientLibrary = {
  id: 'lanes-confluent',
  label: 'Lanes (wire, memory) ← @confluentinc/kafka-javascript',
  specifier: '@confluentinc/kafka-javascript',
  missingHint: 'it builds librdkafka natively; npm run clients:install adds this row',
  async open(address) {
    // Typed loosely: the package is optional and may not be installed when this compiles.
    const specifier = '@confluentinc/kafka-javascript';
    const module = (await import(specifier)) as { KafkaJS: { Kafka: new (config: unknown) => ConfluentKafka } };
    const kafka = new module.KafkaJS.Kafka({ kafkaJS: { clientId: 'lanes-bench-confluent', brokers: [address], logLevel: 1 } });
    const shaped: KafkajsShaped = {
      producer: () => {
        // acks belongs to the producer's configuration in this API; send() refuses it.
        const producer = kafka.producer({ kafkaJS: { acks: -1, idempotent: false, allowAutoTopicCreation: false }, 'linger.ms': 0 }) as ConfluentProducer;
        return {
          connect: () => producer.connect(),
          disconnect: () => producer.disconnect(),
          send: ({ topic, messages }) => producer.send({ topic, messages }),
        };
      },
      consumer: (groupId) => {
        const consumer = kafka.consumer({
          kafkaJS: { groupId, fromBeginning: true, maxWaitTimeInMs: 100, minBytes: 1, sessionTimeout: 30_000, heartbeatInterval: 3_000 },
        }) as ConfluentConsumer;
        return {
          consumer: {
            ...bind(consumer),
            // fromBeginning belongs to the consumer's configuration in this API, not to subscribe.
            subscribe: ({ topics }: { topics: string[] }) => consumer.subscribe({ topics }),
          },
          // [{ topic, partitions: [..] }] or [{ topic, partition }], depending on the version.
          assigned: () => consumer.assignment().reduce((sum, entry) => sum + (Array.isArray(entry.partitions) ? entry.partitions.length : 1), 0),
        };
      },
      admin: () => kafka.admin() as ReturnType<KafkajsShaped['admin']>,
    };
    return kafkajsShapedConnection(shaped);
  },
};

interface ConfluentProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: { topic: string; messages: { value: Buffer; partition: number }[] }): Promise<unknown>;
}

interface ConfluentConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(options: { topics: string[] }): Promise<void>;
  run(options: unknown): Promise<void>;
  assignment(): { topic: string; partitions?: number[]; partition?: number }[];
}

function bind(consumer: ConfluentConsumer): Omit<ReturnType<KafkajsShaped['consumer']>['consumer'], 'subscribe'> {
  return { connect: () => consumer.connect(), disconnect: () => consumer.disconnect(), run: (options) => consumer.run(options) };
}

interface ConfluentKafka {
  producer(config: unknown): unknown;
  consumer(config: unknown): unknown;
  admin(): unknown;
}
