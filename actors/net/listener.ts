// The Kafka listener: a TCP server whose connections speak the Kafka protocol to the broker.
// Main thread. Stopping closes the server (no new connections), stops reading from every
// connection, lets long polls answer at once (the shared `shutdown` promise), waits up to a
// grace period for in-flight requests to be answered, then closes what is left.
//
// Bounds shared by its connections live here: the request and response byte budgets, the
// connection counts (total and per client address: beyond them a new connection is closed at
// once, warned about at most every refusedConnectionLogIntervalMs), and a sweep that closes idle
// connections and frames not completed in time (Connection.checkTimeouts).
import { createServer, type Server, type Socket } from 'node:net';
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
  readonly #server: Server;
  readonly #connections: Set<Connection>;
  readonly #logger: Logger;
  readonly #signalShutdown: () => void;
  readonly #budgets: Budgets;
  readonly #sweep: NodeJS.Timeout;
  #stopping: Promise<void> | null = null;

  private constructor(server: Server, host: string, port: number, connections: Set<Connection>, logger: Logger, signalShutdown: () => void, budgets: Budgets, sweep: NodeJS.Timeout) {
    this.#server = server;
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
    const advertisedHost = options.advertisedHost ?? (listensEverywhere(host) ? null : host);
    const logger = componentLogger(options.logger ?? rootLogger, 'listener');
    const settings: ServerSettings = {
      nodeId: options.nodeId ?? defaultNodeId,
      clusterId: options.clusterId ?? defaultClusterId,
      autoCreateTopics: options.autoCreateTopics ?? true,
      defaultPartitions: options.defaultPartitions ?? 1,
    };
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
    const server = createServer({ noDelay: true }, (socket: Socket) => {
      const address = plainAddress(socket.remoteAddress);
      const fromAddress = perAddress.get(address) ?? 0;
      if (connections.size >= connectionsMax || fromAddress >= perAddressMax) {
        socket.on('error', () => {});
        socket.destroy();
        refusals.refused(address, connections.size >= connectionsMax ? `${connectionsMax} connections open (connections max)` : `${fromAddress} connections open from ${address} (connections max per address)`);
        return;
      }
      perAddress.set(address, fromAddress + 1);
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
        acls: options.acls ?? null,
      });
      connections.add(connection);
      socket.once('close', () => {
        connections.delete(connection);
        const left = (perAddress.get(address) ?? 1) - 1;
        if (left === 0) perAddress.delete(address);
        else perAddress.set(address, left);
      });
    });
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
    const listener = new KafkaListener(server, host, port, connections, logger, signalShutdown, budgets, sweep);
    logger.info({ host, port }, 'listening');
    return listener;
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
  #lastMs = -Infinity;
  #suppressed = 0;

  constructor(logger: Logger, clock: Clock) {
    this.#logger = logger;
    this.#clock = clock;
  }

  refused(address: string, reason: string): void {
    const nowMs = this.#clock.nowMs();
    if (nowMs - this.#lastMs < refusedConnectionLogIntervalMs) {
      this.#suppressed++;
      return;
    }
    this.#logger.warn({ client: address, refusedSinceLastWarning: this.#suppressed }, `refusing connection: ${reason}`);
    this.#lastMs = nowMs;
    this.#suppressed = 0;
  }
}

/** True for the wildcard addresses, where only the socket knows which address a client used. */
function listensEverywhere(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}
