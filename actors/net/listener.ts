// The Kafka listener: a TCP server whose connections speak the Kafka protocol to the broker.
// Main thread. Stopping closes the server (no new connections), stops reading from every
// connection, lets long polls answer at once (the shared `shutdown` promise), waits up to a
// grace period for in-flight requests to be answered, then closes what is left.
//
// Bounds shared by its connections live here: the request and response byte budgets, the
// connection counts (total and per client address: beyond them a new connection is closed at
// once, warned about at most every refusedConnectionLogIntervalMs), and a sweep that closes idle
// connections and frames not completed in time (Connection.checkTimeouts).
//
// A listener speaks one of Kafka's security protocols (listener_spec.ts). SSL and SASL_SSL
// listeners are TLS servers (tls_settings.ts): the connection bounds apply to the TCP connection
// before its handshake, which must finish within the frame deadline; a client whose handshake
// fails (a plaintext client on a TLS port, an unknown CA) is served nothing, and a warning says
// why (rate-limited as refusals are).
import { isTransactionVersion, transactionVersionDefault, transactionVersionMax, transactionVersionMin } from '../../core/txn/transaction_version.js';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { usesSasl, usesTls, type SecurityProtocol } from '../../core/security/listener_spec.js';
import type { CredentialStore } from '../../core/security/credentials.js';
import type { SaslAuthority } from '../../core/security/sasl_session.js';
import { loadTlsMaterial, tlsServerOptions, type TlsFiles } from './tls_settings.js';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../system_clock.js';
import { defaultClusterId, defaultNodeId, type BrokerFacade, type GroupFacade, type ServerSettings, type TxnFacade } from '../../core/handlers/handler.js';
import { groupMethods } from '../../core/group/group_calls.js';
import { txnFacadeMethods } from '../../core/txn/txn_calls.js';
import {
  connectionResponseBytesHigh,
  connectionResponseBytesLow,
  connectionsMaxDefault,
  connectionsMaxIdleMsDefault,
  connectionsPerAddressMaxDefault,
  frameBytesMax as frameBytesMaxDefault,
  queuedRequestBytesMaxDefault,
  refusedConnectionLogIntervalMs,
  requestFrameTimeoutMsDefault,
  responseBytesMaxDefault,
} from '../../core/limits.js';
import { componentLogger, logger as rootLogger, type Logger } from '../logger.js';
import type { AclAuthority } from '../../core/acl/acl_authority.js';
import { ByteBudget } from './byte_budget.js';
import { Connection, plainAddress, type RequestObserver } from './connection.js';

export interface ListenerOptions {
  /** The broker; if it also has the group methods, group APIs are served. */
  broker: BrokerFacade & Partial<GroupFacade>;
  /** Kafka's listener name, for logs; default: the protocol's name. */
  name?: string;
  /** Default PLAINTEXT. SSL and SASL_SSL need `tls`. */
  protocol?: SecurityProtocol;
  /** The certificate, key, CA and client authentication of an SSL or SASL_SSL listener. */
  tls?: TlsFiles;
  /** The mechanisms, credentials and session lifetime of a SASL_PLAINTEXT or SASL_SSL listener. */
  sasl?: SaslAuthority;
  /** The SCRAM credentials Describe/AlterUserScramCredentials read and change; absent: none kept. */
  credentials?: CredentialStore;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9092; 0 picks a free port (see `port` after listen). */
  port?: number;
  /**
   * Kafka's advertised.listeners: the host and port Metadata and FindCoordinator name, for
   * clients that reach the broker through a name or address it does not listen on (containers,
   * NAT). Unset: the host it listens on when that is a name or one address (so a broker started
   * with `--host localhost` says `localhost`, not the address the name resolved to), the address
   * the client connected to when it listens on every address (0.0.0.0, ::); and the port the
   * client connected to.
   */
  advertisedHost?: string;
  advertisedPort?: number;
  nodeId?: number;
  clusterId?: string;
  /** Kafka's auto.create.topics.enable; default true. */
  autoCreateTopics?: boolean;
  /** Kafka's num.partitions; default 1. */
  defaultPartitions?: number;
  /** The finalized transaction.version (core/txn/transaction_version.ts); default 2. */
  transactionVersion?: number;
  frameBytesMax?: number;
  /** Requests held per connection before it stops reading; default 128. */
  inFlightMax?: number;
  /** Kafka's queued.max.request.bytes: request bytes in memory over all connections. */
  queuedMaxRequestBytes?: number;
  /** Response bytes queued over all connections. */
  responseBytesMax?: number;
  /** Queued response bytes at which one connection stops starting requests, and where it resumes. */
  connectionResponseBytesHigh?: number;
  connectionResponseBytesLow?: number;
  /** Kafka's max.connections and max.connections.per.ip. */
  connectionsMax?: number;
  connectionsPerAddressMax?: number;
  /** Kafka's connections.max.idle.ms. */
  connectionsMaxIdleMs?: number;
  /** How long one request frame may take to arrive once begun. */
  requestFrameTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Told of each request served (api name, handler time in ms): the admin port's metrics. */
  onRequest?: RequestObserver;
  /** The authorizer's ACLs; absent or null: no authorizer (every request allowed). */
  acls?: AclAuthority | null;
}

function groupsOf(broker: BrokerFacade & Partial<GroupFacade>): GroupFacade | null {
  return groupMethods.every((name) => typeof broker[name] === 'function') ? (broker as GroupFacade) : null;
}

function txnsOf(broker: BrokerFacade & Partial<TxnFacade>): TxnFacade | null {
  return txnFacadeMethods.every((name) => typeof broker[name] === 'function') ? (broker as TxnFacade) : null;
}

export class KafkaListener {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  readonly protocol: SecurityProtocol;
  readonly #server: Server;
  readonly #tls: TlsFiles | null;
  /** TLS connections still in their handshake: not Connections yet, closed on stop. */
  readonly #handshaking: Set<Socket>;
  readonly #connections: Set<Connection>;
  readonly #logger: Logger;
  readonly #signalShutdown: () => void;
  readonly #budgets: Budgets;
  readonly #sweep: NodeJS.Timeout;
  #stopping: Promise<void> | null = null;

  private constructor(server: Server, host: string, port: number, connections: Set<Connection>, logger: Logger, signalShutdown: () => void, budgets: Budgets, sweep: NodeJS.Timeout, identity: { name: string; protocol: SecurityProtocol; tls: TlsFiles | null; handshaking: Set<Socket> }) {
    this.#server = server;
    this.name = identity.name;
    this.protocol = identity.protocol;
    this.#tls = identity.tls;
    this.#handshaking = identity.handshaking;
    this.#budgets = budgets;
    this.#sweep = sweep;
    this.#connections = connections;
    this.host = host;
    this.port = port;
    this.#logger = logger;
    this.#signalShutdown = signalShutdown;
  }

  static async listen(options: ListenerOptions): Promise<KafkaListener> {
    const host = options.host ?? '127.0.0.1';
    const protocol = options.protocol ?? 'PLAINTEXT';
    const name = options.name ?? protocol;
    const tls = usesTls(protocol) ? (options.tls ?? null) : null;
    if (usesTls(protocol) && tls === null) throw new RangeError(`KafkaListener: a ${protocol} listener needs tls (certificate and key)`);
    const sasl = usesSasl(protocol) ? (options.sasl ?? null) : null;
    if (usesSasl(protocol) && sasl === null) throw new RangeError(`KafkaListener: a ${protocol} listener needs sasl (mechanisms and credentials)`);
    const advertisedHost = options.advertisedHost ?? (listensEverywhere(host) ? null : host);
    const logger = componentLogger(options.logger ?? rootLogger, 'listener').child({ listener: name });
    const settings: ServerSettings = {
      nodeId: options.nodeId ?? defaultNodeId,
      clusterId: options.clusterId ?? defaultClusterId,
      autoCreateTopics: options.autoCreateTopics ?? true,
      defaultPartitions: options.defaultPartitions ?? 1,
      transactionVersion: options.transactionVersion ?? transactionVersionDefault,
    };
    if (!isTransactionVersion(settings.transactionVersion!)) {
      throw new RangeError(`KafkaListener: transactionVersion must be an integer in ${transactionVersionMin}..${transactionVersionMax}, got ${settings.transactionVersion}`);
    }
    if (!Number.isInteger(settings.defaultPartitions) || settings.defaultPartitions < 1) {
      throw new RangeError(`KafkaListener: defaultPartitions must be a positive integer, got ${settings.defaultPartitions}`);
    }
    let signalShutdown!: () => void;
    const shutdown = new Promise<void>((resolve) => {
      signalShutdown = resolve;
    });
    const connections = new Set<Connection>();
    const budgets: Budgets = {
      requests: new ByteBudget(positive('queuedMaxRequestBytes', options.queuedMaxRequestBytes ?? queuedRequestBytesMaxDefault)),
      responses: new ByteBudget(positive('responseBytesMax', options.responseBytesMax ?? responseBytesMaxDefault)),
    };
    const responseBytesHigh = positive('connectionResponseBytesHigh', options.connectionResponseBytesHigh ?? connectionResponseBytesHigh);
    const responseBytesLow = Math.min(options.connectionResponseBytesLow ?? connectionResponseBytesLow, responseBytesHigh - 1);
    const connectionsMax = positive('connectionsMax', options.connectionsMax ?? connectionsMaxDefault);
    const perAddressMax = positive('connectionsPerAddressMax', options.connectionsPerAddressMax ?? connectionsPerAddressMaxDefault);
    const idleMs = positive('connectionsMaxIdleMs', options.connectionsMaxIdleMs ?? connectionsMaxIdleMsDefault);
    const frameMs = positive('requestFrameTimeoutMs', options.requestFrameTimeoutMs ?? requestFrameTimeoutMsDefault);
    const clock = options.clock ?? systemClock;
    const perAddress = new Map<string, number>();
    const refusals = new RefusalLog(logger, clock);
    const handshaking = new Set<Socket>();
    const handshakeFailures = new RefusalLog(logger, clock, 'TLS handshake failed, nothing served');
    /** Counts a TCP connection against the bounds; false: refused and closed. */
    const admit = (socket: Socket): boolean => {
      const address = plainAddress(socket.remoteAddress);
      const fromAddress = perAddress.get(address) ?? 0;
      const open = connections.size + handshaking.size;
      if (open >= connectionsMax || fromAddress >= perAddressMax) {
        socket.on('error', () => {});
        socket.destroy();
        refusals.refused(address, open >= connectionsMax ? `${connectionsMax} connections open (connections max)` : `${fromAddress} connections open from ${address} (connections max per address)`);
        return false;
      }
      perAddress.set(address, fromAddress + 1);
      socket.once('close', () => {
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left === 0) perAddress.delete(address);
        else perAddress.set(address, left);
      });
      return true;
    };
    const serve = (socket: Socket): void => {
      const connection = new Connection(socket, {
        broker: options.broker,
        groups: groupsOf(options.broker),
        txns: txnsOf(options.broker),
        settings,
        clock,
        logger,
        frameBytesMax: options.frameBytesMax ?? frameBytesMaxDefault,
        inFlightMax: options.inFlightMax ?? 128,
        requestBudget: budgets.requests,
        responseBudget: budgets.responses,
        responseBytesHigh,
        responseBytesLow,
        shutdown,
        onRequest: options.onRequest,
        advertisedHost,
        advertisedPort: options.advertisedPort ?? null,
        sasl,
        credentials: options.credentials ?? null,
        acls: options.acls ?? null,
      });
      connections.add(connection);
      socket.once('close', () => connections.delete(connection));
    };
    let server: Server;
    if (tls === null) {
      server = createServer({ noDelay: true }, (socket: Socket) => {
        if (admit(socket)) serve(socket);
      });
    } else {
      const tlsServer: TlsServer = createTlsServer({ ...tlsServerOptions(tls, loadTlsMaterial(tls)), handshakeTimeout: frameMs, noDelay: true });
      // Registered after the TLS server's own 'connection' listener, which wraps the socket.
      tlsServer.on('connection', (socket: Socket) => {
        if (!admit(socket)) return;
        handshaking.add(socket);
        socket.once('close', () => handshaking.delete(socket));
      });
      tlsServer.on('secureConnection', (socket: TLSSocket) => {
        // The handshake is done: from here the Connection owns the socket (and its timeouts).
        const raw = (socket as unknown as { _parent?: Socket })._parent;
        if (raw !== undefined) handshaking.delete(raw);
        serve(socket);
      });
      tlsServer.on('tlsClientError', (error: Error & { code?: string }, socket: TLSSocket) => {
        if (socket.destroyed && error.code === undefined) return;
        handshakeFailures.refused(plainAddress(socket.remoteAddress), tlsFailureReason(error));
      });
      server = tlsServer;
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 9092, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => logger.error({ err: error }, 'listener error'));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 9092);
    // Timeouts are checked by one sweep over all connections rather than a timer per connection.
    const sweepMs = Math.min(1000, Math.max(10, Math.floor(Math.min(idleMs, frameMs) / 4)));
    const sweep = setInterval(() => {
      const nowMs = clock.nowMs();
      for (const connection of connections) connection.checkTimeouts(nowMs, idleMs, frameMs);
    }, sweepMs);
    sweep.unref();
    // The server callback and the listener share one set of open connections.
    const listener = new KafkaListener(server, host, port, connections, logger, signalShutdown, budgets, sweep, { name, protocol, tls, handshaking });
    logger.info({ host, port, protocol }, 'listening');
    return listener;
  }

  /**
   * Reads the TLS files again (SIGHUP): connections accepted from now on get the new certificate.
   * A file that cannot be read or used keeps the old one: logged at error, returns false.
   */
  reloadTls(): boolean {
    if (this.#tls === null) return true;
    try {
      (this.#server as TlsServer).setSecureContext(loadTlsMaterial(this.#tls));
    } catch (error) {
      this.#logger.error({ err: error instanceof Error ? error.message : String(error) }, 'TLS reload failed; keeping the previous certificate');
      return false;
    }
    this.#logger.info({ cert: this.#tls.certFile }, 'TLS certificate reloaded');
    return true;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /** Request bytes in memory and response bytes queued, over all connections (the budgets' use). */
  get bytesHeld(): { requests: number; responses: number; requestsPeak: number; responsesPeak: number } {
    const { requests, responses } = this.#budgets;
    return { requests: requests.used, responses: responses.used, requestsPeak: requests.peak, responsesPeak: responses.peak };
  }

  /**
   * Stops accepting, answers what was received (long polls end at once), waits at most
   * `graceMs` for it, then closes every connection.
   */
  stop(graceMs = 800): Promise<void> {
    this.#stopping ??= this.#stop(graceMs);
    return this.#stopping;
  }

  async #stop(graceMs: number): Promise<void> {
    clearInterval(this.#sweep);
    const connections = [...this.#connections];
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const connection of connections) connection.stopReading();
    for (const socket of this.#handshaking) socket.destroy();
    this.#signalShutdown();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(connections.map((connection) => connection.drained())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    for (const connection of [...this.#connections]) connection.close(true);
    await closed;
    this.#logger.info('listener stopped');
  }
}

interface Budgets {
  readonly requests: ByteBudget;
  readonly responses: ByteBudget;
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`KafkaListener: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** Warns about refused connections at most once per interval, with how many were refused since. */
class RefusalLog {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #what: string;
  #lastMs = -Infinity;
  #suppressed = 0;

  constructor(logger: Logger, clock: Clock, what = 'refusing connection') {
    this.#logger = logger;
    this.#clock = clock;
    this.#what = what;
  }

  refused(address: string, reason: string): void {
    const nowMs = this.#clock.nowMs();
    if (nowMs - this.#lastMs < refusedConnectionLogIntervalMs) {
      this.#suppressed++;
      return;
    }
    this.#logger.warn({ client: address, refusedSinceLastWarning: this.#suppressed }, `${this.#what}: ${reason}`);
    this.#lastMs = nowMs;
    this.#suppressed = 0;
  }
}

/** True for the wildcard addresses, where only the socket knows which address a client used. */
function listensEverywhere(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Why a TLS handshake failed, in an operator's words where OpenSSL's are cryptic. */
function tlsFailureReason(error: Error & { code?: string }): string {
  const code = error.code ?? '';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST' || /wrong version number|http request|packet length too long|unknown protocol/i.test(error.message)) {
    return 'the client does not speak TLS (a plaintext client on an SSL or SASL_SSL listener? use security.protocol SSL or SASL_SSL)';
  }
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'the client did not complete the TLS handshake in time';
  if (/peer did not return a certificate/i.test(error.message)) return 'the client sent no certificate, and this listener requires one (--ssl-client-auth required)';
  return `${code === '' ? '' : `${code}: `}${error.message}`;
}
