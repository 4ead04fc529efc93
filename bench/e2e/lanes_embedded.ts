// Lanes embedded: the broker in the benchmark's own process, used through the KafkaJS-shaped
// client (actors/client): producers call send() with a batch of messages (acks=-1, several
// sends in flight), the K group members read with eachBatch, auto-committing after each batch.
// No sockets; the shard workers are threads of this process, the client runs on its event loop.
import { Lanes, type Consumer, type Kafka, type Producer } from '../../actors/host/index.js';
import { runClientWorkload, type ClientConsumer, type ClientProducer, type ClientTopic } from './client_harness.js';
import type { SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

const MiB = 1024 * 1024;
const partitions = 8;

function lanesTopic(kafka: Kafka, name: string, workload: Workload): ClientTopic {
  let created: Promise<unknown> | null = null;
  const create = () => (created ??= kafka.admin().createTopics({ topics: [{ topic: name, numPartitions: partitions }] }));
  const members: Consumer[] = [];
  void workload;
  return {
    async producer(): Promise<ClientProducer> {
      await create();
      const producer: Producer = kafka.producer();
      await producer.connect();
      // One message object per value, kept while the same array comes back (throughput sends).
      let lastValues: Buffer[] | null = null;
      let lastMessages: { value: Buffer }[] = [];
      return {
        async send(values) {
          if (values !== lastValues) {
            lastValues = values;
            lastMessages = values.map((value) => ({ value }));
          }
          await producer.send({ topic: name, acks: -1, messages: lastMessages });
        },
        close: () => producer.disconnect(),
      };
    },
    async consumer(_index, onValues): Promise<ClientConsumer> {
      await create();
      const consumer = kafka.consumer({ groupId: `${name}-group`, maxWaitTimeInMs: 100 });
      members.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [name], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: partitions,
        eachBatch: async ({ batch }) => onValues(batch.messages.map((message) => message.value!)),
      });
      return {
        // Assigned: the member reads once it owns partitions (every member does, K ≤ 8).
        ready: (async () => {
          while (consumer.assignment().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
        })(),
        close: () => consumer.disconnect(),
      };
    },
    async dispose() {
      await kafka.admin().deleteTopics({ topics: [name] });
    },
  };
}

export function lanesEmbeddedDriver(): SystemDriver {
  return {
    id: 'lanes-embedded',
    label: 'Lanes (embedded)',
    durability: 'acks=-1 answered once the batch is in the shared-memory log (in-process client, no sockets)',
    durable: false,
    missing: () => null,
    async start(context: SessionContext): Promise<SystemSession> {
      // Whole WebAssembly pages (64 KiB): the shared memory is one WebAssembly.Memory.
      const memoryBytes = Math.ceil(Math.max(1024 * MiB, Math.ceil(context.expectedBytes * 1.5) + 512 * MiB) / 65_536) * 65_536;
      const lanes = await Lanes.start({ storage: 'memory', memoryBytes });
      const kafka = lanes.kafka({ clientId: 'lanes-bench' });
      let runs = 0;
      return {
        async run(workload, counters) {
          const topic = lanesTopic(kafka, `bench-${++runs}`, workload);
          try {
            return await runClientWorkload(workload, topic, counters);
          } finally {
            await topic.dispose();
          }
        },
        // The next system must not hang on a broker that does not finish stopping.
        stop: async () => {
          let timer: NodeJS.Timeout | undefined;
          const stopped = await Promise.race([
            lanes.stop().then(() => true),
            new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 15_000))),
          ]);
          clearTimeout(timer);
          if (!stopped) process.stderr.write('lanes bench: the embedded broker did not stop within 15 s; going on without it\n');
        },
      };
    },
  };
}
