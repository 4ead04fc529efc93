// NATS JetStream through nats.js: one stream per workload (memory or file storage). Producers
// publish raw core-NATS messages with a reply subject and count the stream's PubAcks there, so
// a whole send (and several sends per producer) is in flight at once: the "async publish with
// many acks outstanding" the issue asks for, not one js.publish() round trip per record. PubAcks
// of one stream come back in publish order, so a FIFO of pending sends matches them.
//
// The group: one durable pull consumer (AckPolicy.All, no ack-pending cap) shared by K workers,
// each on its own connection, reading with consumer.consume() (overlapping pulls of n messages)
// and acknowledging every n/2 messages, the way a Kafka consumer commits per batch.
//
// Variants: memory storage (a PubAck means the message is in the server's memory) and file
// storage (a PubAck means it was written to the stream's file; nats-server does not fsync per
// message, it syncs files periodically).
import type { JsMsg, NatsConnection } from 'nats';
import { assert } from '../../core/assert.js';
import { runClientWorkload, type ClientConsumer, type ClientProducer, type ClientTopic } from './client_harness.js';
import { findBinary, resolvable, startServerProcess } from './server_process.js';
import type { SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

const durableName = 'bench';

// nats is a devDependency of lanes: loaded when the system runs, missing() says if it is absent.
let nats: typeof import('nats') | null = null;

function open(port: number): Promise<NatsConnection> {
  return nats!.connect({ servers: `127.0.0.1:${port}`, maxReconnectAttempts: 0, noEcho: true });
}

function streamTopic(port: number, run: number, storage: 'memory' | 'file', workload: Workload): ClientTopic {
  const stream = `bench-${run}`;
  const subject = `bench.${run}`;
  const pull = workload.recordsPerSend;
  let admin: NatsConnection | null = null;
  let created: Promise<void> | null = null;
  const create = async () => {
    admin ??= await open(port);
    const jsm = await admin.jetstreamManager();
    const { AckPolicy, DeliverPolicy, StorageType } = nats!;
    await jsm.streams.add({ name: stream, subjects: [subject], storage: storage === 'memory' ? StorageType.Memory : StorageType.File, num_replicas: 1 });
    await jsm.consumers.add(stream, { durable_name: durableName, ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.All, max_ack_pending: -1 });
  };
  return {
    async producer(index): Promise<ClientProducer> {
      created ??= create();
      await created;
      const nc = await open(port);
      const reply = `bench-ack.${run}.${index}`;
      const pending: { left: number; resolve: () => void; reject: (error: Error) => void }[] = [];
      nc.subscribe(reply, {
        callback: (error, message) => {
          const head = pending[0];
          if (head === undefined) return;
          // A PubAck is {"stream":…,"seq":…}; an error is {"error":…} or a status message.
          const data = message?.data;
          if (error !== null || data === undefined || data.length < 3 || data[2] !== 0x73 /* s */) {
            pending.shift();
            head.reject(error ?? new Error(`JetStream publish failed: ${data === undefined ? 'no data' : Buffer.from(data).toString()}`));
            return;
          }
          if (--head.left === 0) {
            pending.shift();
            head.resolve();
          }
        },
      });
      await nc.flush();
      return {
        send(values) {
          assert(values.length > 0, 'a send carries records');
          const done = new Promise<void>((resolve, reject) => pending.push({ left: values.length, resolve, reject }));
          for (const value of values) nc.publish(subject, value, { reply });
          return done;
        },
        close: () => nc.close(),
      };
    },
    async consumer(_index, onValues): Promise<ClientConsumer> {
      created ??= create();
      await created;
      const nc = await open(port);
      const consumer = await nc.jetstream().consumers.get(stream, durableName);
      let unacked = 0;
      let last: JsMsg | null = null;
      const messages = await consumer.consume({
        max_messages: pull,
        callback: (message) => {
          last = message;
          onValues([message.data]);
          if (++unacked >= pull / 2) {
            message.ack();
            unacked = 0;
          }
        },
      });
      return {
        ready: Promise.resolve(),
        async close() {
          if (unacked > 0) (last as JsMsg | null)?.ack();
          messages.stop();
          await nc.drain();
        },
      };
    },
    async dispose() {
      admin ??= await open(port);
      const jsm = await admin.jetstreamManager();
      await jsm.streams.delete(stream).catch(() => false);
      await admin.close();
    },
  };
}

export function jetStreamDriver(storage: 'memory' | 'file'): SystemDriver {
  return {
    id: `jetstream-${storage}`,
    label: `NATS JetStream (${storage})`,
    durability:
      storage === 'memory'
        ? 'PubAck once the message is in the stream (memory storage)'
        : 'PubAck once the message is written to the stream file (file storage; nats-server syncs files periodically, not per message)',
    durable: storage === 'file',
    missing: () =>
      findBinary('nats-server') === null
        ? 'nats-server not found (apt-get install -y nats-server)'
        : !resolvable('nats')
          ? 'the nats package is not installed (a devDependency of lanes)'
          : null,
    async start(context: SessionContext): Promise<SystemSession> {
      nats ??= await import('nats');
      const binary = findBinary('nats-server')!;
      const server = await startServerProcess('nats-server', binary, (port) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', context.dataDir], context.dataDir);
      let runs = 0;
      return {
        async run(workload, counters) {
          const topic = streamTopic(server.port, ++runs, storage, workload);
          try {
            return await runClientWorkload(workload, topic, counters);
          } finally {
            await topic.dispose();
          }
        },
        stop: () => server.stop(),
      };
    },
  };
}
