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
import { isTransactionVersion, transactionVersionDefault, transactionVersionMax, transactionVersionMin } from '../../core/txn/transaction_version.js';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerConsumeCommand } from '../cli/consume.js';
import { registerClusterCommands } from '../cli/cluster.js';
import { registerGroupCommands } from '../cli/group.js';
import { registerProduceCommand } from '../cli/produce.js';
import { registerTopicCommands } from '../cli/topic.js';
import { registerTxnCommands } from '../cli/txn.js';
import { registerUserCommands } from '../cli/user.js';
import type { AdminServer } from '../admin/admin_server.js';
import * as limits from '../../core/limits.js';
import type { KafkaListener } from '../net/listener.js';
import { clientAuthModes, TlsSettingsError, type ClientAuth, type TlsFiles } from '../net/tls_settings.js';
import { saslMechanisms, type SaslMechanism } from '../../core/security/sasl_session.js';
import { ListenerSpecError, parseAdvertisedListeners, parseListeners, parseProtocolMap, usesTls, type ListenerSpec } from '../../core/security/listener_spec.js';
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

function transactionVersionLevel(value: string): number {
  const parsed = Number(value);
  if (!isTransactionVersion(parsed)) throw new InvalidArgumentError(`expected a level from ${transactionVersionMin} to ${transactionVersionMax}`);
  return parsed;
}

/** Only this machine can reach an address of these: 127.0.0.0/8, ::1, localhost. */
function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || /^::ffff:127\./.test(name);
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected 0 or a positive integer');
  return parsed;
}

function mechanismList(value: string): SaslMechanism[] {
  const names = value.split(',').map((part) => part.trim().toUpperCase()).filter((part) => part !== '');
  for (const name of names) {
    if (!(saslMechanisms as readonly string[]).includes(name)) throw new InvalidArgumentError(`${name} is not one of ${saslMechanisms.join(', ')}`);
  }
  if (names.length === 0) throw new InvalidArgumentError(`expected one or more of ${saslMechanisms.join(', ')}`);
  return [...new Set(names)] as SaslMechanism[];
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

/** A repeatable flag whose values may also be comma-separated lists (Kafka's listeners; LANES_LISTENERS). */
function repeatedList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((part) => part.trim()).filter((part) => part !== '')];
}

/** Kafka's super.users: `User:a;User:b`, each `Type:name`. */
function principalList(value: string): string[] {
  const principals = value.split(';').map((principal) => principal.trim()).filter((principal) => principal.length > 0);
  for (const principal of principals) {
    const colon = principal.indexOf(':');
    if (colon <= 0 || colon === principal.length - 1) throw new InvalidArgumentError(`expected principals of the form User:name separated by ";", got "${principal}"`);
  }
  return principals;
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
  /**
   * Kafka's listeners, each with its security protocol; absent: one PLAINTEXT listener on
   * `host`:`port` (advertised as `advertisedHost`/`advertisedPort`). The first is `listener`.
   */
  listeners?: readonly ListenerSpec[];
  /** Kafka's advertised.listeners: what Metadata names to clients of each listener, by name. */
  advertisedListeners?: ReadonlyMap<string, { host: string; port: number }>;
  /** The certificate and key of SSL and SASL_SSL listeners. */
  tls?: TlsFiles;
  /** Kafka's sasl.enabled.mechanisms on SASL listeners; default every one Lanes has. */
  saslMechanisms?: readonly SaslMechanism[];
  /** Kafka's connections.max.reauth.ms (KIP-368): 0 or absent, sessions do not expire. */
  saslSessionLifetimeMs?: number;
  /** Development mode: consumer groups rebalance without the initial 3 s delay. */
  dev?: boolean;
  /** Kafka's auto.create.topics.enable. */
  autoCreateTopics: boolean;
  /** Kafka's num.partitions for auto-created topics. */
  partitions: number;
  /** The admin HTTP port (dashboard, /metrics); undefined: none. 0 picks a free port. */
  adminPort?: number;
  /** Default 127.0.0.1. */
  adminHost?: string;
  /** Bearer token the admin port requires (AdminServerOptions.token); needed beyond loopback unless adminInsecure. */
  adminToken?: string;
  /** Lets the admin port listen beyond loopback without a token. */
  adminInsecure?: boolean;
  /** Listener bounds (Kafka's queued.max.request.bytes, max.connections, max.connections.per.ip, connections.max.idle.ms) and the request frame deadline; listener defaults when absent. */
  queuedMaxRequestBytes?: number;
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  connectionsMaxIdleMs?: number;
  frameTimeoutMs?: number;
  /** Kafka's group.consumer.session.timeout.ms and group.consumer.heartbeat.interval.ms (KIP-848 groups); Kafka's defaults when absent. */
  groupConsumerSessionTimeoutMs?: number;
  groupConsumerHeartbeatIntervalMs?: number;
  /** The finalized transaction.version ApiVersions advertises (0–2); 2 when absent. */
  transactionVersion?: number;
  /** Group coordinator settings beyond `dev` (programmatic use, e.g. lanes/testing's short session minimum). */
  groups?: BrokerOptions['groups'];
  /** Kafka's authorizer: every request checked against the ACLs (actors/host/host_acls.ts); off by default. */
  authorizer?: boolean;
  /** Kafka's super.users: principals the authorizer allows everything. */
  superUsers?: string[];
}

export interface RunningServer {
  broker: Broker;
  /** The first listener (the only one without `listeners`). */
  listener: KafkaListener;
  /** Every listener, in the order given. */
  listeners: KafkaListener[];
  /** null without --admin-port. */
  admin: AdminServer | null;
  /** Stops the admin port, the listener (answering in-flight requests), then the broker. */
  stop(): Promise<void>;
}

/** Starts broker and listener (no signal handlers, no output): for `lanes start` and tests. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const dataDir = resolve(options.dataDir);
  const { Broker } = await import('./broker.js');
  const starting = Broker.start({
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
  // Started, then the modules it needs loaded one at a time: jest's ES module loader (the
  // lanes/testing helpers run under it) fails when two dynamic imports link the same built-in
  // module at once ("request for 'node:module' is not in cache").
  const broker = await starting;
  let modules;
  try {
    const { KafkaListener } = await import('../net/listener.js');
    const { AdminServer } = options.adminPort === undefined ? { AdminServer: null } : await import('../admin/admin_server.js');
    const { FileCredentialStore } = await import('../security/credential_store.js');
    const { saslAuthority } = await import('../security/sasl_authority.js');
    const { HostAcls } = options.authorizer === true ? await import('./host_acls.js') : { HostAcls: null };
    modules = { KafkaListener, AdminServer, FileCredentialStore, saslAuthority, HostAcls };
  } catch (error) {
    await broker.stop();
    throw error;
  }
  const { KafkaListener, AdminServer, FileCredentialStore, saslAuthority, HostAcls } = modules;
  let credentials;
  let acls;
  try {
    credentials = options.storage === 'memory' ? FileCredentialStore.inMemory() : await FileCredentialStore.open(dataDir);
    acls = HostAcls === null ? null : HostAcls.open({ dataDir: options.storage === 'disk' ? dataDir : null, superUsers: options.superUsers ?? [] });
  } catch (error) {
    await broker.stop();
    throw error;
  }
  const sasl = saslAuthority({ mechanisms: options.saslMechanisms ?? saslMechanisms, credentials, sessionLifetimeMs: options.saslSessionLifetimeMs ?? 0 });
  // Built before the listener, so the listener reports every request to the admin metrics.
  const admin = AdminServer === null ? null : new AdminServer({ broker, token: options.adminToken });
  const specs: readonly ListenerSpec[] = options.listeners ?? [{ name: 'PLAINTEXT', host: options.host, port: options.port, protocol: 'PLAINTEXT' }];
  const listeners: KafkaListener[] = [];
  for (const spec of specs) {
    const advertised = options.listeners === undefined ? { host: options.advertisedHost, port: options.advertisedPort } : options.advertisedListeners?.get(spec.name);
    try {
      listeners.push(
        await KafkaListener.listen({
          broker,
          name: spec.name,
          protocol: spec.protocol,
          tls: usesTls(spec.protocol) ? options.tls : undefined,
          sasl,
          credentials,
          acls,
          host: spec.host,
          port: spec.port,
          advertisedHost: advertised?.host,
          advertisedPort: advertised?.port,
          autoCreateTopics: options.autoCreateTopics,
          defaultPartitions: options.partitions,
          transactionVersion: options.transactionVersion,
          onRequest: admin?.onRequest,
          queuedMaxRequestBytes: options.queuedMaxRequestBytes,
          connectionsMax: options.maxConnections,
          connectionsPerAddressMax: options.maxConnectionsPerIp,
          connectionsMaxIdleMs: options.connectionsMaxIdleMs,
          requestFrameTimeoutMs: options.frameTimeoutMs,
        }),
      );
    } catch (error) {
      for (const each of listeners) await each.stop(0);
      await broker.stop();
      if (error instanceof TlsSettingsError) throw error;
      throw ListenError.from(error, options.listeners === undefined ? '--port' : '--listener', spec.host, spec.port);
    }
  }
  const listener = listeners[0];
  const stopListeners = (graceMs: number): Promise<void> => Promise.all(listeners.map((each) => each.stop(graceMs))).then(() => undefined);
  // The gauges count every listener's connections and bytes (each listener has its own budgets).
  admin?.observeListener({
    get connectionCount() {
      return listeners.reduce((sum, each) => sum + each.connectionCount, 0);
    },
    get bytesHeld() {
      const held = listeners.map((each) => each.bytesHeld);
      return { requests: held.reduce((sum, each) => sum + each.requests, 0), responses: held.reduce((sum, each) => sum + each.responses, 0) };
    },
  });
  try {
    await admin?.listen(options.adminHost ?? '127.0.0.1', options.adminPort ?? 0);
  } catch (error) {
    await admin?.stop();
    await stopListeners(0);
    await broker.stop();
    throw ListenError.from(error, '--admin-port', options.adminHost ?? '127.0.0.1', options.adminPort ?? 0);
  }
  let stopping: Promise<void> | null = null;
  return {
    broker,
    listener,
    listeners,
    admin,
    stop: () => (stopping ??= (admin?.stop() ?? Promise.resolve()).then(() => stopListeners(400)).then(() => broker.stop())),
  };
}

export async function startCommand(options: StartOptions): Promise<RunningServer> {
  const { logger, setLogFormat } = await import('../logger.js');
  // `lanes start` runs no user code: its LanesErrors reach clients as codes and messages over the
  // wire (or the log as messages), never as objects whose stack anyone reads, so its main thread
  // captures none, as shard threads do. Under a stream of bad requests (a DeleteTopics naming
  // 5,000 unknown topics makes 5,000 of them) the stacks were a twentieth of the main thread's time.
  const { captureLanesErrorStacks } = await import('../../core/errors.js');
  captureLanesErrorStacks(false);
  // A server says what it does (info); the library's default is warn.
  logger.level = options.logLevel ?? 'info';
  if (options.logFormat !== undefined) setLogFormat(options.logFormat);
  const server = await startServer(options);
  const { broker, listeners, admin } = server;
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
  // SIGHUP: TLS listeners read their certificate and key again (rotation without a restart).
  process.on('SIGHUP', () => {
    logger.info({ signal: 'SIGHUP' }, 'reloading TLS certificates');
    for (const each of listeners) each.reloadTls();
  });
  const topics = broker.listTopics();
  const where = options.storage === 'disk' ? `data in ${resolve(options.dataDir)}` : 'data in memory only';
  process.stdout.write(
    listeners.map((each) => `lanes: listening on ${each.host}:${each.port} (Kafka protocol${options.listeners === undefined ? '' : `, listener ${each.name}, ${each.protocol}`})\n`).join('') +
      (admin === null ? '' : `lanes: admin on ${admin.url} (dashboard at /, Prometheus metrics at /metrics)\n`) +
      `lanes: ${broker.shardCount} shard${broker.shardCount === 1 ? '' : 's'}, ${where}, ` +
      `${topics.length} topic${topics.length === 1 ? '' : 's'} recovered` +
      `${options.dev === true ? ', dev mode (no initial rebalance delay)' : ''}; stop with Ctrl-C.\n`,
  );
  return server;
}

/** The raw values of the listener and TLS flags, turned into StartOptions by securityOptions. */
interface StartFlags {
  listener?: string[];
  listenerSecurityProtocolMap?: string;
  advertisedListener?: string[];
  sslCert?: string;
  sslKey?: string;
  sslCa?: string;
  sslClientAuth?: ClientAuth;
  saslEnabledMechanisms?: SaslMechanism[];
}

/** Listeners and TLS files from the flags; a ListenerSpecError names the flag to change. */
function securityOptions(flags: StartFlags & Pick<StartOptions, 'advertisedHost' | 'advertisedPort'>): Pick<StartOptions, 'listeners' | 'advertisedListeners' | 'tls'> {
  const listeners = flags.listener === undefined ? undefined : parseListeners(flags.listener, parseProtocolMap(flags.listenerSecurityProtocolMap ?? ''));
  if (listeners === undefined && (flags.listenerSecurityProtocolMap !== undefined || flags.advertisedListener !== undefined)) {
    throw new ListenerSpecError('--listener-security-protocol-map and --advertised-listener name listeners: give them with --listener');
  }
  if (listeners !== undefined && (flags.advertisedHost !== undefined || flags.advertisedPort !== undefined)) {
    throw new ListenerSpecError('--advertised-host and --advertised-port apply to the default listener only: with --listener, use --advertised-listener NAME://host:port');
  }
  const advertisedListeners = listeners === undefined ? undefined : parseAdvertisedListeners(flags.advertisedListener ?? [], listeners);
  const needsTls = listeners?.some((spec) => usesTls(spec.protocol)) ?? false;
  if (needsTls && (flags.sslCert === undefined || flags.sslKey === undefined)) {
    throw new ListenerSpecError('an SSL or SASL_SSL listener needs --ssl-cert and --ssl-key (PEM files)');
  }
  const tls = flags.sslCert === undefined || flags.sslKey === undefined ? undefined : { certFile: flags.sslCert, keyFile: flags.sslKey, caFile: flags.sslCa, clientAuth: flags.sslClientAuth ?? 'none' };
  return { listeners, advertisedListeners, tls };
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
    .addOption(new Option('--listener <NAME://host:port>', 'a Kafka listener (repeatable, or comma-separated): NAME is PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL or a name in --listener-security-protocol-map; replaces --host/--port').env('LANES_LISTENERS').argParser(repeatedList))
    .addOption(new Option('--listener-security-protocol-map <NAME:PROTOCOL,...>', 'the security protocol of each listener not named like one (Kafka listener.security.protocol.map)').env('LANES_LISTENER_SECURITY_PROTOCOL_MAP'))
    .addOption(new Option('--advertised-listener <NAME://host:port>', 'what Metadata names to clients of listener NAME (repeatable; Kafka advertised.listeners)').env('LANES_ADVERTISED_LISTENERS').argParser(repeatedList))
    .addOption(new Option('--ssl-cert <file>', 'PEM certificate (chain) of SSL and SASL_SSL listeners; reread on SIGHUP').env('LANES_SSL_CERT'))
    .addOption(new Option('--ssl-key <file>', 'PEM private key of --ssl-cert (unencrypted); reread on SIGHUP').env('LANES_SSL_KEY'))
    .addOption(new Option('--ssl-ca <file>', 'PEM CA bundle client certificates must chain to').env('LANES_SSL_CA'))
    .addOption(new Option('--ssl-client-auth <mode>', 'client certificates: none, requested or required (Kafka ssl.client.auth)').choices(clientAuthModes).env('LANES_SSL_CLIENT_AUTH').default('none'))
    .addOption(new Option('--sasl-enabled-mechanisms <list>', `SASL mechanisms of SASL listeners, comma-separated (Kafka sasl.enabled.mechanisms; default ${saslMechanisms.join(',')})`).env('LANES_SASL_ENABLED_MECHANISMS').argParser(mechanismList))
    .addOption(new Option('--sasl-session-lifetime-ms <ms>', 'SASL sessions end this long after authentication unless the client re-authenticates (KIP-368, Kafka connections.max.reauth.ms; 0: never)').env('LANES_SASL_SESSION_LIFETIME_MS').argParser(nonNegativeInteger).default(0))
    .addOption(new Option('--data-dir <dir>', 'where durable data lives').env('LANES_DATA_DIR').default('lanes-data'))
    .addOption(new Option('--storage <kind>', 'disk or memory').choices(['disk', 'memory']).env('LANES_STORAGE').default('disk'))
    .addOption(new Option('--shards <n>', 'shards (default: one per core; 1 with --shard-threads inline)').env('LANES_SHARDS').argParser(positiveInteger))
    .addOption(new Option('--shard-threads <where>', 'workers: a thread per shard; inline: shards on the main thread, no thread hop per request (default: inline for memory storage on 1–2 cores, else workers)').choices(['workers', 'inline']).env('LANES_SHARD_THREADS'))
    .addOption(new Option('--log-level <level>', 'log level (default: info)').choices(logLevelNames).env('LANES_LOG_LEVEL'))
    .addOption(new Option('--log-format <format>', 'pretty: readable lines; json: one JSON object a line (default: pretty on a terminal, json otherwise)').choices(logFormats).env('LANES_LOG_FORMAT'))
    .addOption(new Option('--dev', 'development mode: no initial rebalance delay for consumer groups').env('LANES_DEV'))
    .addOption(new Option('--auto-create-topics <bool>', 'create unknown topics on Metadata (Kafka auto.create.topics.enable)').env('LANES_AUTO_CREATE_TOPICS').argParser(booleanFlag).default(true))
    .addOption(new Option('--partitions <n>', 'partitions of auto-created topics (Kafka num.partitions)').env('LANES_PARTITIONS').argParser(positiveInteger).default(1))
    .addOption(new Option('--admin-port <port>', 'serve the dashboard, /metrics and /healthz on this port (e.g. 9644; 0 picks a free one; off unless given)').env('LANES_ADMIN_PORT').argParser(portNumber))
    .addOption(new Option('--admin-host <host>', 'address of the admin port; beyond loopback it needs --admin-token (or --admin-insecure)').env('LANES_ADMIN_HOST').default('127.0.0.1'))
    .addOption(new Option('--admin-token <token>', 'the admin port requires it (Authorization: Bearer <token>, or ?token= in a browser); /healthz stays open').env('LANES_ADMIN_TOKEN'))
    .addOption(new Option('--admin-insecure', 'let the admin port listen beyond loopback without a token').env('LANES_ADMIN_INSECURE'))
    .addOption(new Option('--queued-max-request-bytes <n>', 'request bytes in memory over all connections; past it, stop reading (Kafka queued.max.request.bytes)').env('LANES_QUEUED_MAX_REQUEST_BYTES').argParser(positiveInteger).default(limits.queuedRequestBytesMaxDefault))
    .addOption(new Option('--max-connections <n>', 'open Kafka connections; more are closed on accept (Kafka max.connections)').env('LANES_MAX_CONNECTIONS').argParser(positiveInteger).default(limits.connectionsMaxDefault))
    .addOption(new Option('--max-connections-per-ip <n>', 'open Kafka connections from one address (Kafka max.connections.per.ip)').env('LANES_MAX_CONNECTIONS_PER_IP').argParser(positiveInteger).default(limits.connectionsPerAddressMaxDefault))
    .addOption(new Option('--connections-max-idle-ms <ms>', 'close connections idle this long (Kafka connections.max.idle.ms)').env('LANES_CONNECTIONS_MAX_IDLE_MS').argParser(positiveInteger).default(limits.connectionsMaxIdleMsDefault))
    .addOption(new Option('--frame-timeout-ms <ms>', 'close a connection that takes longer to send one request once begun').env('LANES_FRAME_TIMEOUT_MS').argParser(positiveInteger).default(limits.requestFrameTimeoutMsDefault))
    .addOption(new Option('--group-consumer-session-timeout-ms <ms>', 'a consumer-protocol (KIP-848) member silent this long leaves its group (Kafka group.consumer.session.timeout.ms)').env('LANES_GROUP_CONSUMER_SESSION_TIMEOUT_MS').argParser(positiveInteger).default(groupConfigDefault.consumerSessionTimeoutMs))
    .addOption(new Option('--group-consumer-heartbeat-interval-ms <ms>', 'how often consumer-protocol members heartbeat; below the session timeout (Kafka group.consumer.heartbeat.interval.ms)').env('LANES_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS').argParser(positiveInteger).default(groupConfigDefault.consumerHeartbeatIntervalMs))
    .addOption(new Option('--transaction-version <level>', 'the transaction.version clients are told to use: 2 (KIP-890 part 2: an epoch bump per transaction, implicit partition and group adds), 1 or 0 the first transaction protocol').env('LANES_TRANSACTION_VERSION').argParser(transactionVersionLevel).default(transactionVersionDefault))
    .addOption(new Option('--authorizer', 'check every request against the ACLs (Kafka authorizer.class.name; manage them with CreateAcls/DeleteAcls, e.g. kafka-acls.sh or an admin client)').env('LANES_AUTHORIZER'))
    .addOption(new Option('--super-users <principals>', 'principals the authorizer allows everything, separated by ";" (Kafka super.users), e.g. "User:admin"').env('LANES_SUPER_USERS').argParser(principalList))
    .action(async (options: StartOptions & StartFlags, command: Command) => {
      try {
        Object.assign(options, securityOptions(options), { saslMechanisms: options.saslEnabledMechanisms });
      } catch (error) {
        if (!(error instanceof ListenerSpecError)) throw error;
        command.error(`lanes: ${error.message}`);
      }
      if (options.adminPort !== undefined && !isLoopback(options.adminHost ?? '127.0.0.1') && (options.adminToken ?? '') === '' && options.adminInsecure !== true) {
        command.error(`lanes: --admin-host ${options.adminHost}: the admin port beyond loopback needs --admin-token <token> (or --admin-insecure to serve it to anyone who can reach it)`);
      }
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
  registerUserCommands(program);
  // Imported on demand: the benchmark runner pulls in peers' clients that `lanes start` never needs.
  (await import('../cli/bench.js')).registerBenchCommand(program);
  (await import('../cli/lab.js')).registerLabCommand(program);
  await program.parseAsync(argv);
}
