// Lanes over the Kafka wire protocol through the clients its users run: kafkajs, @platformatic/kafka
// and (when installed) Confluent's @confluentinc/kafka-javascript, each against a broker child
// process (bench/load/broker_process.ts, memory storage, acks=-1) and driven by the same loops as
// the peers (client_harness.ts), each configured as a performance-minded user would:
//
// - producers send many records per call (128 KiB of values in throughput runs, 4 calls in flight
//   per producer), acks=-1, no idempotence; each call goes to one partition, the next call to the
//   next partition (the sticky partitioning Kafka's own producer does: one batch per request
//   instead of a record per partition);
// - consumers read whole batches (kafkajs eachBatch over all 8 partitions concurrently;
//   platformatic's message stream with a 1024-message highWaterMark), with long polls of at most
//   100 ms and min bytes 1 (answered as soon as a record is there), auto-committing every second
//   (kafkajs, platformatic) or every 5 s (librdkafka's default).
//
// The broker's own service time per API (broker_service.ts) is read around every run.
import { performance } from 'node:perf_hooks';
import { startBrokerProcess, type BrokerProcess } from '../load/broker_process.js';
import { withBrokerService } from './broker_service.js';
import { runClientWorkload, type ClientConsumer, type ClientProducer, type ClientTopic } from './client_harness.js';
import { resolvable } from './server_process.js';
import type { SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

const MiB = 1024 * 1024;
export const clientPartitions = 8;
/** Long-poll bound for every client: as the embedded run's consumers. */
const maxWaitMs = 100;

/** One client library's adapter: a fresh topic per workload on the broker at `address`. */
export interface KafkaClientLibrary {
  id: string;
  label: string;
  /** The package to import; the row is skipped when it is not installed. */
  specifier: string;
  /** Why it may be absent, for the skip line. */
  missingHint: string;
  open(address: string): Promise<KafkaClientConnection>;
}

export interface KafkaClientConnection {
  topic(name: string, workload: Workload): Promise<ClientTopic>;
  close(): Promise<void>;
}

/** A member is ready once it holds its share of the partitions: every member of the group has joined. */
export function holdsItsShare(assigned: number, partitions: number, members: number): boolean {
  return assigned > 0 && assigned <= Math.ceil(partitions / members);
}

/** Polls `check` every 5 ms (clients expose assignments as state, not always as an event). */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what} within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Partition of the next producer call: one partition per call, rotating. */
export function rotatingPartition(partitions: number): () => number {
  let next = 0;
  return () => {
    const partition = next;
    next = (next + 1) % partitions;
    return partition;
  };
}

export function kafkaClientDriver(library: KafkaClientLibrary): SystemDriver {
  return {
    id: library.id,
    label: library.label,
    durability: 'acks=-1 answered once the batch is in the shared-memory log (the client library over TCP)',
    durable: false,
    missing: () => (resolvable(library.specifier) ? null : `${library.specifier} is not installed (${library.missingHint})`),
    async start(context: SessionContext): Promise<SystemSession> {
      const memoryMiB = Math.max(1024, Math.ceil((context.expectedBytes * 1.5) / MiB) + 512);
      const broker: BrokerProcess = await startBrokerProcess({ storage: 'memory', memoryMiB, admin: true });
      let connection: KafkaClientConnection;
      try {
        connection = await library.open(broker.address);
      } catch (error) {
        await broker.stop();
        throw error;
      }
      let runs = 0;
      return {
        async run(workload, counters) {
          const topic = await connection.topic(`bench-${++runs}`, workload);
          try {
            return await withBrokerService(broker.adminUrl, () => runClientWorkload(workload, topic, counters));
          } finally {
            await topic.dispose().catch(() => undefined);
          }
        },
        stop: async () => {
          await connection.close().catch(() => undefined);
          await broker.stop();
        },
      };
    },
  };
}

/** Shared by the kafkajs-shaped libraries (kafkajs itself, Confluent's KafkaJS API). */
export interface KafkajsShaped {
  producer(): { connect(): Promise<void>; disconnect(): Promise<void>; send(record: { topic: string; acks: number; messages: { value: Buffer; partition: number }[] }): Promise<unknown> };
  /** A group member, and how many partitions it holds now. */
  consumer(groupId: string): {
    consumer: {
      connect(): Promise<void>;
      disconnect(): Promise<void>;
      subscribe(options: { topics: string[]; fromBeginning: boolean }): Promise<void>;
      run(options: { partitionsConsumedConcurrently: number; eachBatch: (payload: { batch: { messages: { value: Buffer | null }[] } }) => Promise<void> }): Promise<void>;
    };
    assigned(): number;
  };
  admin(): { connect(): Promise<void>; disconnect(): Promise<void>; createTopics(options: { topics: { topic: string; numPartitions: number }[] }): Promise<unknown>; deleteTopics(options: { topics: string[] }): Promise<void> };
}

export function kafkajsShapedConnection(kafka: KafkajsShaped): KafkaClientConnection {
  const admin = kafka.admin();
  let connected: Promise<void> | null = null;
  const adminReady = () => (connected ??= admin.connect());
  return {
    async topic(name, workload): Promise<ClientTopic> {
      await adminReady();
      await admin.createTopics({ topics: [{ topic: name, numPartitions: clientPartitions }] });
      return {
        async producer(): Promise<ClientProducer> {
          const producer = kafka.producer();
          await producer.connect();
          const partition = rotatingPartition(clientPartitions);
          return {
            async send(values) {
              const to = partition();
              await producer.send({ topic: name, acks: -1, messages: values.map((value) => ({ value, partition: to })) });
            },
            close: () => producer.disconnect(),
          };
        },
        async consumer(_index, onValues): Promise<ClientConsumer> {
          const { consumer, assigned } = kafka.consumer(`${name}-group`);
          await consumer.connect();
          await consumer.subscribe({ topics: [name], fromBeginning: true });
          await consumer.run({
            partitionsConsumedConcurrently: clientPartitions,
            eachBatch: async ({ batch }) => onValues(batch.messages.map((message) => message.value!)),
          });
          return {
            ready: until(() => holdsItsShare(assigned(), clientPartitions, workload.consumers), 60_000, `a ${name} group member got no partitions`),
            close: () => consumer.disconnect(),
          };
        },
        dispose: () => admin.deleteTopics({ topics: [name] }),
      };
    },
    close: async () => {
      if (connected !== null) await admin.disconnect();
    },
  };
}
