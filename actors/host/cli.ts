// `lanes` command line. Options come from flags, then LANES_* environment variables, then
// defaults (flags > env > defaults, as Redpanda's and Iggy's tools do).
//
// `lanes start` starts the broker and its Kafka listener and prints the address it listens on;
// with --admin-port, also the admin HTTP port (actors/admin/: dashboard, /metrics, /healthz).
// SIGTERM / SIGINT: stop accepting, answer what is in flight (long polls end at once), stop the
// broker, exit 0.
//
// The client commands (`topic`, `produce`, `consume`, `group`, in actors/cli/) speak the Kafka
// wire protocol to `--brokers` (or LANES_BROKERS, default 127.0.0.1:9092), so they work against
// Lanes and any Kafka. A failure is one line on stderr and exit status 1.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerConsumeCommand } from '../cli/consume.js';
import { registerClusterCommands } from '../cli/cluster.js';
import { registerGroupCommands } from '../cli/group.js';
import { registerProduceCommand } from '../cli/produce.js';
import { registerTopicCommands } from '../cli/topic.js';
import { registerTxnCommands } from '../cli/txn.js';
import type { AdminServer } from '../admin/admin_server.js';
import * as limits from '../../core/limits.js';
import type { KafkaListener } from '../net/listener.js';
import { logFormats, logLevelNames, type LogFormat } from '../log_settings.js';
import { groupConfigDefault } from '../../core/group/group_config.js';
import { ListenError } from './listen_error.js';
import { lanesVersion } from './version.js';
import type { Broker, BrokerOptions } from './broker.js';

// The broker, its listener, the admin server (prom-client) and the logger (pino) are imported
// when `lanes start` runs, not with this module: a client command (`lanes topic list`…) then
// loads only commander and the Kafka client, a fraction of the modules, and starts that much
// sooner (CLI children on a busy machine took seconds to load what they never used).

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer');
  return parsed;
}

function portNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('expected a port number (0 picks a free one)');
  return parsed;
}

/** An advertised port is where clients connect: 0 (pick a free one) means nothing there. */
function advertisedPortNumber(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65535) throw new InvalidArgumentError('expected a port number from 1 to 65535');
  return parsed;
}

function booleanFlag(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new InvalidArgumentError('expected true or false');
}

export interface StartOptions {
  dataDir: string;
  storage: 'disk' | 'memory';
  shards?: number;
  /** Where shards run: a worker thread each, or inline on the main thread (BrokerOptions.shardThreads). */
  shardThreads?: BrokerOptions['shardThreads'];
  logLevel?: string;
  /** Readable lines or JSON; default: readable on a terminal, JSON otherwise. */
  logFormat?: LogFormat;
  host: string;
  /** What Metadata and FindCoordinator name as the broker's address (ListenerOptions). */
  advertisedHost?: string;
  advertisedPort?: number;
  port: number;
  /** Development mode: consumer groups rebalance without the initial 3 s delay. */
  dev?: boolean;
  /** Kafka's auto.create.topics.enable. */
  autoCreateTopics: boolean;
  /** Kafka's num.partitions for auto-created topics. */
  partitions: number;
  /** The admin HTTP port (dashboard, /metrics); undefined: none. 0 picks a free port. */
  adminPort?: number;
  /** Default 127.0.0.1: the admin port has no authentication. */
  adminHost?: string;
  /** Listener bounds (Kafka's queued.max.request.bytes, max.connections, max.connections.per.ip, connections.max.idle.ms) and the request frame deadline; listener defaults when absent. */
  queuedMaxRequestBytes?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  connectionsMaxIdleMs?: number;
  frameTimeoutMs?: number;
  /** Kafka's group.consumer.session.timeout.ms and group.consumer.heartbeat.interval.ms (KIP-848 groups); Kafka's defaults when absent. */
  groupConsumerSessionTimeoutMs?: number;
  groupConsumerHeartbeatIntervalMs?: number;
  /** Group coordinator settings beyond `dev` (programmatic use, e.g. lanes/testing's short session minimum). */
  groups?: BrokerOptions['groups'];
}

export interface RunningServer {
  broker: Broker;
  listener: KafkaListener;
  /** null without --admin-port. */
  admin: AdminServer | null;
  /** Stops the admin port, the listener (answering in-flight requests), then the broker. */
  stop(): Promise<void>;
}

/** Starts broker and listener (no signal handlers, no output): for `lanes start` and tests. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  const [{ Broker }, { KafkaListener }, { AdminServer }] = await Promise.all([
    import('./broker.js'),
    import('../net/listener.js'),
    options.adminPort === undefined ? { AdminServer: null } : import('../admin/admin_server.js'),
  ]);
  const broker = await Broker.start({
    storage: options.storage,
    dataDir,
    shards: options.shards,
    shardThreads: options.shardThreads,
    groups: {
      ...(options.dev === true ? { initialRebalanceDelayMs: 0 } : {}),
      ...(options.groupConsumerSessionTimeoutMs === undefined ? {} : { consumerSessionTimeoutMs: options.groupConsumerSessionTimeoutMs }),
      ...(options.groupConsumerHeartbeatIntervalMs === undefined ? {} : { consumerHeartbeatIntervalMs: options.groupConsumerHeartbeatIntervalMs }),
      ...options.groups,
    },
  });
  // Built before the listener, so the listener reports every request to the admin metrics.
  const admin = AdminServer === null ? null : new AdminServer({ broker });
  let listener: KafkaListener;
  try {
    listener = await KafkaListener.listen({
      broker,
      host: options.host,
      port: options.port,
      advertisedHost: options.advertisedHost,
      advertisedPort: options.advertisedPort,
      autoCreateTopics: options.autoCreateTopics,
      defaultPartitions: options.partitions,
      onRequest: admin?.onRequest,
      queuedMaxRequestBytes: options.queuedMaxRequestBytes,
      connectionsMax: options.maxConnections,
      connectionsPerAddressMax: options.maxConnectionsPerIp,
      connectionsMaxIdleMs: options.connectionsMaxIdleMs,
      requestFrameTimeoutMs: options.frameTimeoutMs,
    });
  } catch (error) {
    await broker.stop();
    throw ListenError.from(error, '--port', options.host, options.port);
  }
  admin?.observeListener(listener);
  try {
    await admin?.listen(options.adminHost ?? '127.0.0.1', options.adminPort ?? 0);
  } catch (error) {
    await admin?.stop();
    await listener.stop(0);
    await broker.stop();
    throw ListenError.from(error, '--admin-port', options.adminHost ?? '127.0.0.1', options.adminPort ?? 0);
  }
  let stopping: Promise<void> | null = null;
  return {
    broker,
    listener,
    admin,
    stop: () => (stopping ??= (admin?.stop() ?? Promise.resolve()).then(() => listener.stop(400)).then(() => broker.stop())),
  };
}

export async function startCommand(options: StartOptions): Promise<RunningServer> {
  const { logger, setLogFormat } = await import('../logger.js');
  // A server says what it does (info); the library's default is warn.
  logger.level = options.logLevel ?? 'info';
  if (options.logFormat !== undefined) setLogFormat(options.logFormat);
  const server = await startServer(options);
  const { broker, listener, admin } = server;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  // Handlers before the address is printed: a supervisor may send SIGTERM as soon as it reads it.
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  const topics = broker.listTopics();
  const where = options.storage === 'disk' ? `data in ${resolve(options.dataDir)}` : 'data in memory only';
  process.stdout.write(
    `lanes: listening on ${listener.host}:${listener.port} (Kafka protocol)\n` +
      (admin === null ? '' : `lanes: admin on ${admin.url} (dashboard at /, Prometheus metrics at /metrics)\n`) +
      `lanes: ${broker.shardCount} shard${broker.shardCount === 1 ? '' : 's'}, ${where}, ` +
      `${topics.length} topic${topics.length === 1 ? '' : 's'} recovered` +
      `${options.dev === true ? ', dev mode (no initial rebalance delay)' : ''}; stop with Ctrl-C.\n`,
  );
  return server;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('lanes').description('A Kafka-compatible message broker for Node.js, built around consumer groups.').version(lanesVersion(), '-V, --version', 'print the version');
  // Usage errors read like every other failure: `lanes: …`, one line (inherited by the subcommands added below).
  program.configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'lanes: ')) });
  program
    .command('start')
    .description('start the broker and its Kafka listener')
    .addOption(new Option('--host <host>', 'address to listen on').env('LANES_HOST').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on (0 picks a free one)').env('LANES_PORT').argParser(portNumber).default(9092))
    .addOption(new Option('--advertised-host <host>', 'host clients are told to connect to (Kafka advertised.listeners; default: --host, or the address a client connected to when listening on 0.0.0.0 or ::)').env('LANES_ADVERTISED_HOST'))
    .addOption(new Option('--advertised-port <port>', 'port clients are told to connect to (default: the port they connected to)').env('LANES_ADVERTISED_PORT').argParser(advertisedPortNumber))
    .addOption(new Option('--data-dir <dir>', 'where durable data lives').env('LANES_DATA_DIR').default('lanes-data'))
    .addOption(new Option('--storage <kind>', 'disk or memory').choices(['disk', 'memory']).env('LANES_STORAGE').default('disk'))
    .addOption(new Option('--shards <n>', 'shards (default: one per core; 1 with --shard-threads inline)').env('LANES_SHARDS').argParser(positiveInteger))
    .addOption(new Option('--shard-threads <where>', 'workers: a thread per shard; inline: shards on the main thread, no thread hop per request').choices(['workers', 'inline']).env('LANES_SHARD_THREADS'))
    .addOption(new Option('--log-level <level>', 'log level (default: info)').choices(logLevelNames).env('LANES_LOG_LEVEL'))
    .addOption(new Option('--log-format <format>', 'pretty: readable lines; json: one JSON object a line (default: pretty on a terminal, json otherwise)').choices(logFormats).env('LANES_LOG_FORMAT'))
    .addOption(new Option('--dev', 'development mode: no initial rebalance delay for consumer groups').env('LANES_DEV'))
    .addOption(new Option('--auto-create-topics <bool>', 'create unknown topics on Metadata (Kafka auto.create.topics.enable)').env('LANES_AUTO_CREATE_TOPICS').argParser(booleanFlag).default(true))
    .addOption(new Option('--partitions <n>', 'partitions of auto-created topics (Kafka num.partitions)').env('LANES_PARTITIONS').argParser(positiveInteger).default(1))
    .addOption(new Option('--admin-port <port>', 'serve the dashboard, /metrics and /healthz on this port (e.g. 9644; 0 picks a free one; off unless given)').env('LANES_ADMIN_PORT').argParser(portNumber))
    .addOption(new Option('--admin-host <host>', 'address of the admin port (no authentication: keep it private)').env('LANES_ADMIN_HOST').default('127.0.0.1'))
    .addOption(new Option('--queued-max-request-bytes <n>', 'request bytes in memory over all connections; past it, stop reading (Kafka queued.max.request.bytes)').env('LANES_QUEUED_MAX_REQUEST_BYTES').argParser(positiveInteger).default(limits.queuedRequestBytesMaxDefault))
    .addOption(new Option('--max-connections <n>', 'open Kafka connections; more are closed on accept (Kafka max.connections)').env('LANES_MAX_CONNECTIONS').argParser(positiveInteger).default(limits.connectionsMaxDefault))
    .addOption(new Option('--max-connections-per-ip <n>', 'open Kafka connections from one address (Kafka max.connections.per.ip)').env('LANES_MAX_CONNECTIONS_PER_IP').argParser(positiveInteger).default(limits.connectionsPerAddressMaxDefault))
    .addOption(new Option('--connections-max-idle-ms <ms>', 'close connections idle this long (Kafka connections.max.idle.ms)').env('LANES_CONNECTIONS_MAX_IDLE_MS').argParser(positiveInteger).default(limits.connectionsMaxIdleMsDefault))
    .addOption(new Option('--frame-timeout-ms <ms>', 'close a connection that takes longer to send one request once begun').env('LANES_FRAME_TIMEOUT_MS').argParser(positiveInteger).default(limits.requestFrameTimeoutMsDefault))
    .addOption(new Option('--group-consumer-session-timeout-ms <ms>', 'a consumer-protocol (KIP-848) member silent this long leaves its group (Kafka group.consumer.session.timeout.ms)').env('LANES_GROUP_CONSUMER_SESSION_TIMEOUT_MS').argParser(positiveInteger).default(groupConfigDefault.consumerSessionTimeoutMs))
    .addOption(new Option('--group-consumer-heartbeat-interval-ms <ms>', 'how often consumer-protocol members heartbeat; below the session timeout (Kafka group.consumer.heartbeat.interval.ms)').env('LANES_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS').argParser(positiveInteger).default(groupConfigDefault.consumerHeartbeatIntervalMs))
    .action(async (options: StartOptions, command: Command) => {
      // Checked here, before the coordinator's own check (an assert, for programmer errors).
      if ((options.groupConsumerHeartbeatIntervalMs ?? 0) >= (options.groupConsumerSessionTimeoutMs ?? Infinity)) {
        command.error('lanes: --group-consumer-heartbeat-interval-ms must be below --group-consumer-session-timeout-ms');
      }
      await startCommand(options);
    });
  registerTopicCommands(program);
  registerProduceCommand(program);
  registerConsumeCommand(program);
  registerGroupCommands(program);
  registerClusterCommands(program);
  registerTxnCommands(program);
  // Imported on demand: the benchmark runner pulls in peers' clients that `lanes start` never needs.
  (await import('../cli/bench.js')).registerBenchCommand(program);
  (await import('../cli/lab.js')).registerLabCommand(program);
  await program.parseAsync(argv);
}
