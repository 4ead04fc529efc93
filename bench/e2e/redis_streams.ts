// Redis Streams through ioredis: one stream per workload, producers pipeline XADDs (one pipeline
// per send, several in flight per connection), the K group members loop XREADGROUP COUNT n BLOCK
// 100 and XACK every batch they read (the XACK is queued before the next XREADGROUP on the same
// connection, not awaited: the pipelining a careful Redis client would do).
//
// Variants: no persistence (`--save '' --appendonly no`: an XADD reply means the entry is in
// memory) and `--appendonly yes --appendfsync always` (the reply comes after the AOF write is
// fsynced; Redis fsyncs once per event-loop turn, so a pipeline shares one fsync).
import type { Redis } from 'ioredis';
import { runClientWorkload, type ClientConsumer, type ClientProducer, type ClientTopic } from './client_harness.js';
import { findBinary, resolvable, startServerProcess } from './server_process.js';
import type { SessionContext, SystemDriver, SystemSession, Workload } from './workloads.js';

// ioredis is a devDependency of lanes: loaded when the system runs, missing() says if it is absent.
let RedisClient: typeof Redis | null = null;

function connect(port: number): Promise<Redis> {
  const redis = new RedisClient!({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  return redis.connect().then(() => redis);
}

type Entries = [Buffer, Buffer[]][];

/** The entries of an XREADGROUP reply of one stream: RESP2 [[key, entries]] or RESP3 (ioredis 6's default) [key, entries]. */
function entriesOf(reply: unknown): Entries {
  if (reply === null || !Array.isArray(reply) || reply.length === 0) return [];
  const entries: unknown = Array.isArray(reply[0]) ? (reply[0] as unknown[])[1] : reply[1];
  if (!Array.isArray(entries)) throw new Error(`XREADGROUP: unexpected reply shape ${JSON.stringify(reply).slice(0, 200)}`);
  return entries as Entries;
}

function streamTopic(port: number, key: string, workload: Workload): ClientTopic {
  const group = 'bench';
  const count = workload.recordsPerSend;
  let admin: Redis | null = null;
  const ensureGroup = async () => {
    admin ??= await connect(port);
    await admin.call('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM');
  };
  let created: Promise<void> | null = null;
  return {
    async producer(): Promise<ClientProducer> {
      created ??= ensureGroup();
      await created;
      const redis = await connect(port);
      return {
        async send(values) {
          const pipeline = redis.pipeline();
          for (const value of values) pipeline.xadd(key, '*', 'v', value);
          const results = await pipeline.exec();
          for (const [error] of results ?? []) if (error) throw error;
        },
        close: async () => void redis.disconnect(),
      };
    },
    async consumer(index, onValues): Promise<ClientConsumer> {
      created ??= ensureGroup();
      await created;
      const redis = await connect(port);
      let open = true;
      const loop = (async () => {
        while (open) {
          const entries = entriesOf(await redis.callBuffer('XREADGROUP', 'GROUP', group, `c${index}`, 'COUNT', count, 'BLOCK', 100, 'STREAMS', key, '>'));
          if (entries.length === 0) continue;
          const ids: Buffer[] = new Array(entries.length);
          const values: Buffer[] = new Array(entries.length);
          for (let at = 0; at < entries.length; at++) {
            ids[at] = entries[at][0];
            values[at] = entries[at][1][1];
          }
          redis.callBuffer('XACK', key, group, ...ids).catch(() => undefined);
          onValues(values);
        }
      })();
      loop.catch(() => undefined); // awaited (and thrown) by close()
      return {
        ready: Promise.resolve(),
        async close() {
          open = false;
          try {
            await loop; // a failed XREADGROUP surfaces here, failing the run
          } finally {
            redis.disconnect();
          }
        },
      };
    },
    async dispose() {
      admin ??= await connect(port);
      await admin.del(key);
      admin.disconnect();
    },
  };
}

export function redisDriver(appendFsyncAlways: boolean): SystemDriver {
  return {
    id: appendFsyncAlways ? 'redis-aof' : 'redis',
    label: appendFsyncAlways ? 'Redis Streams (AOF always)' : 'Redis Streams',
    durability: appendFsyncAlways ? 'XADD answered after the AOF write is fsynced (appendfsync always)' : 'XADD answered once the entry is in memory (no AOF, no RDB)',
    durable: appendFsyncAlways,
    missing: () =>
      findBinary('redis-server') === null
        ? 'redis-server not found (apt-get install -y redis-server)'
        : !resolvable('ioredis')
          ? 'the ioredis package is not installed (a devDependency of lanes)'
          : null,
    async start(context: SessionContext): Promise<SystemSession> {
      RedisClient ??= (await import('ioredis')).Redis;
      const binary = findBinary('redis-server')!;
      const persistence = appendFsyncAlways ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
      const server = await startServerProcess(
        'redis-server',
        binary,
        (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', context.dataDir, '--protected-mode', 'no', '--loglevel', 'warning', ...persistence],
        context.dataDir,
      );
      let runs = 0;
      return {
        async run(workload, counters) {
          const topic = streamTopic(server.port, `bench-${++runs}`, workload);
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
