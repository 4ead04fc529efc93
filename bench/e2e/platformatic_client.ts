// @platformatic/kafka 2.x as a `lanes bench` row (kafka_clients.ts says how it is configured):
// Producer.send with many messages per call (acks=-1, one partition per call, rotating); a
// Consumer's message stream (EARLIEST, autocommit every second, highWaterMark 1024 messages,
// long polls of at most 100 ms, min bytes 1). Imported when a run starts; not a devDependency
// (its engines field asks for Node ≥ 22.22, so a plain install on Node 20 would warn): `npm run
// clients:install` adds it, and without it the row is skipped with a line saying so. Typed below
// by the few shapes used here, so the build does not need it.
//
// Node 20: the 2.x line calls Promise.withResolvers (Node 22+); a polyfill is installed before
// the client is imported, as the compatibility tests do.
import { clientPartitions, holdsItsShare, rotatingPartition, until, type KafkaClientConnection, type KafkaClientLibrary } from './kafka_clients.js';
import type { ClientConsumer, ClientProducer, ClientTopic } from './client_harness.js';
import { installPromiseWithResolvers } from '../support/promise_with_resolvers.js';

export const platformaticLibrary: KafkaClientLibrary = {
  id: 'lanes-platformatic',
  label: 'Lanes (wire, memory) ← @platformatic/kafka',
  specifier: '@platformatic/kafka',
  missingHint: 'npm run clients:install to add this row',
  async open(address): Promise<KafkaClientConnection> {
    installPromiseWithResolvers();
    const specifier: string = '@platformatic/kafka';
    const kafka = (await import(specifier)) as PlatformaticModule;
    const base = { bootstrapBrokers: [address], retries: 5, retryDelay: 100 };
    const admin = new kafka.Admin({ ...base, clientId: 'lanes-bench-platformatic-admin' });
    return {
      async topic(name, workload): Promise<ClientTopic> {
        await admin.createTopics({ topics: [name], partitions: clientPartitions, replicas: 1 });
        return {
          async producer(index): Promise<ClientProducer> {
            const producer = new kafka.Producer({ ...base, clientId: `lanes-bench-platformatic-producer-${index}`, acks: -1, idempotent: false, autocreateTopics: false });
            const partition = rotatingPartition(clientPartitions);
            return {
              async send(values) {
                const to = partition();
                await producer.send({ messages: values.map((value) => ({ topic: name, value, partition: to })), acks: -1 });
              },
              close: () => producer.close(),
            };
          },
          async consumer(index, onValues): Promise<ClientConsumer> {
            const consumer = new kafka.Consumer({
              ...base,
              clientId: `lanes-bench-platformatic-consumer-${index}`,
              groupId: `${name}-group`,
              sessionTimeout: 30_000,
              heartbeatInterval: 3_000,
              maxWaitTime: 100,
              minBytes: 1,
              maxBytes: 10 * 1024 * 1024,
            });
            const stream = await consumer.consume({ topics: [name], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: 1_000, highWaterMark: 1024 });
            stream.on('data', (message: { value: Buffer }) => onValues([message.value]));
            stream.on('error', () => undefined);
            const assigned = () => (consumer.assignments ?? []).reduce((sum, assignment) => sum + assignment.partitions.length, 0);
            return {
              ready: until(() => holdsItsShare(assigned(), clientPartitions, workload.consumers), 60_000, `a ${name} group member got no partitions`),
              close: async () => {
                await stream.close();
                await consumer.close(true);
              },
            };
          },
          dispose: () => admin.deleteTopics({ topics: [name] }),
        };
      },
      close: () => admin.close(),
    };
  },
};

interface PlatformaticAdmin {
  createTopics(options: { topics: string[]; partitions: number; replicas: number }): Promise<unknown>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  close(): Promise<void>;
}

interface PlatformaticProducer {
  send(options: { messages: { topic: string; value: Buffer; partition: number }[]; acks: number }): Promise<unknown>;
  close(): Promise<void>;
}

interface PlatformaticStream {
  on(event: 'data', listener: (message: { value: Buffer }) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  close(): Promise<void>;
}

interface PlatformaticConsumer {
  consume(options: { topics: string[]; mode: string; autocommit: number; highWaterMark: number }): Promise<PlatformaticStream>;
  /** The partitions this member holds now (null before it first joins). */
  assignments: { topic: string; partitions: number[] }[] | null;
  close(force?: boolean): Promise<void>;
}

interface PlatformaticModule {
  Admin: new (options: Record<string, unknown>) => PlatformaticAdmin;
  Producer: new (options: Record<string, unknown>) => PlatformaticProducer;
  Consumer: new (options: Record<string, unknown>) => PlatformaticConsumer;
  MessagesStreamModes: { EARLIEST: string };
}
