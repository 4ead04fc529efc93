// Child-process entry of the load generator's own broker: the same Broker and KafkaListener that
// `lanes start` runs (actors/host/cli.ts: startServer), from source through tsx so no build is
// needed, with memory storage and consumer groups in dev mode (no initial rebalance delay).
// startServer takes no memory size, so this composes the two parts itself, as startServer does.
//
// Prints `lanes-load-ready {"host","port","shards","shardThreads"}` once listening (other lines are logs); SIGTERM/SIGINT stop it (answering
// what is in flight) and exit 0, which also lets --cpu-prof write its profiles.
//
// Options by environment: LANES_LOAD_SHARDS (default: one per core), LANES_LOAD_SHARD_THREADS
// ('workers' or 'inline'; default: the broker's), LANES_LOAD_MEMORY_MIB
// (default 2048), LANES_LOAD_PORT (default 0), LANES_LOAD_STORAGE ('memory', the default, or
// 'disk': files in LANES_LOAD_DATA_DIR, fsync before an acks=-1 answer, the broker's default),
// LANES_LOAD_GC_REPORT=1 (print GC pauses and event-loop delay of the main thread when stopped),
// LANES_LOAD_ADMIN=1 (an admin port on a free loopback port, as `lanes start --admin-port`: its
// /metrics holds the broker's own per-request service times, which `lanes bench` reads around
// each run; its URL is in the ready line as "adminUrl").
import { AdminServer } from '../../actors/admin/admin_server.js';
import { Broker } from '../../actors/host/broker.js';
import { KafkaListener } from '../../actors/net/listener.js';
import { logger } from '../../actors/logger.js';
import { watchGcAndLoop } from './gc_report.js';

const MiB = 1024 * 1024;
logger.level = process.env.LANES_LOG_LEVEL ?? 'warn';
const shards = process.env.LANES_LOAD_SHARDS === undefined ? undefined : Number(process.env.LANES_LOAD_SHARDS);
const shardThreadsEnv = process.env.LANES_LOAD_SHARD_THREADS;
if (shardThreadsEnv !== undefined && shardThreadsEnv !== 'workers' && shardThreadsEnv !== 'inline') throw new Error(`broker_child: LANES_LOAD_SHARD_THREADS must be workers or inline, got ${shardThreadsEnv}`);
const shardThreads = shardThreadsEnv;
const memoryBytes = Number(process.env.LANES_LOAD_MEMORY_MIB ?? 2048) * MiB;

const storage = process.env.LANES_LOAD_STORAGE === 'disk' ? 'disk' : 'memory';
const dataDir = process.env.LANES_LOAD_DATA_DIR;
if (storage === 'disk' && dataDir === undefined) throw new Error('broker_child: LANES_LOAD_STORAGE=disk needs LANES_LOAD_DATA_DIR');
const broker = await Broker.start({ storage, dataDir, shards, shardThreads, memoryBytes, flush: 'always', groups: { initialRebalanceDelayMs: 0 } });
// Built before the listener, so the listener reports every request to its metrics. Its group
// poll runs rarely: the benchmark reads only the request histograms.
const admin = process.env.LANES_LOAD_ADMIN === '1' ? new AdminServer({ broker, pollIntervalMs: 60_000 }) : null;
const listener = await KafkaListener.listen({ broker, host: '127.0.0.1', port: Number(process.env.LANES_LOAD_PORT ?? 0), onRequest: admin?.onRequest });
admin?.observeListener(listener);
await admin?.listen('127.0.0.1', 0);
const gcReport = process.env.LANES_LOAD_GC_REPORT === '1' ? watchGcAndLoop() : null;
process.stdout.write(`lanes-load-ready ${JSON.stringify({ host: listener.host, port: listener.port, shards: broker.shardCount, shardThreads: broker.options.shardThreads, adminUrl: admin?.url ?? null })}\n`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  if (gcReport !== null) process.stdout.write(`${gcReport()}\n`);
  (admin?.stop() ?? Promise.resolve())
    .then(() => listener.stop(200))
    .then(() => broker.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`broker stop failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
}
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
