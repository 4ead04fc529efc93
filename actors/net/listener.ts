// The Kafka listener: a TCP server whose connections speak the Kafka protocol to the broker.
// Main thread. Stopping closes the server (no new connections), stops reading from every
// connection, lets long polls answer at once (the shared `shutdown` promise), waits up to a
// grace period for in-flight requests to be answered, then closes what is left.
import { createServer, type Server, type Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../system_clock.js';
import type { BrokerFacade, GroupFacade, ServerSettings } from '../../core/handlers/handler.js';
import { frameBytesMax as frameBytesMaxDefault } from '../../core/limits.js';
import { logger as rootLogger, type Logger } from '../logger.js';
import { Connection, type RequestObserver } from './connection.js';

export interface ListenerOptions {
  /** The broker; if it also has the group methods, group APIs are served. */
  broker: BrokerFacade & Partial<GroupFacade>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9092; 0 picks a free port (see `port` after listen). */
  port?: number;
  nodeId?: number;
  clusterId?: string;
  /** Kafka's auto.create.topics.enable; default true. */
  autoCreateTopics?: boolean;
  /** Kafka's num.partitions; default 1. */
  defaultPartitions?: number;
  frameBytesMax?: number;
  /** Requests held per connection before it stops reading; default 128. */
  inFlightMax?: number;
  clock?: Clock;
  logger?: Logger;
  /** Told of each request served (api name, handler time in ms): the admin port's metrics. */
  onRequest?: RequestObserver;
}

function groupsOf(broker: BrokerFacade & Partial<GroupFacade>): GroupFacade | null {
  const methods: (keyof GroupFacade)[] = ['joinGroup', 'syncGroup', 'heartbeat', 'leaveGroup', 'offsetCommit', 'offsetFetch', 'offsetDelete', 'describeGroups', 'listGroups', 'deleteGroups'];
  return methods.every((name) => typeof broker[name] === 'function') ? (broker as GroupFacade) : null;
}

export class KafkaListener {
  readonly host: string;
  readonly port: number;
  readonly #server: Server;
  readonly #connections: Set<Connection>;
  readonly #logger: Logger;
  readonly #signalShutdown: () => void;
  #stopping: Promise<void> | null = null;

  private constructor(server: Server, host: string, port: number, connections: Set<Connection>, logger: Logger, signalShutdown: () => void) {
    this.#server = server;
    this.#connections = connections;
    this.host = host;
    this.port = port;
    this.#logger = logger;
    this.#signalShutdown = signalShutdown;
  }

  static async listen(options: ListenerOptions): Promise<KafkaListener> {
    const host = options.host ?? '127.0.0.1';
    const logger = (options.logger ?? rootLogger).child({ component: 'listener' });
    const settings: ServerSettings = {
      nodeId: options.nodeId ?? 0,
      clusterId: options.clusterId ?? 'lanes',
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
    const server = createServer({ noDelay: true }, (socket: Socket) => {
      const connection = new Connection(socket, {
        broker: options.broker,
        groups: groupsOf(options.broker),
        settings,
        clock: options.clock ?? systemClock,
        logger,
        frameBytesMax: options.frameBytesMax ?? frameBytesMaxDefault,
        inFlightMax: options.inFlightMax ?? 128,
        shutdown,
        onRequest: options.onRequest,
      });
      connections.add(connection);
      socket.once('close', () => connections.delete(connection));
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
    // The server callback and the listener share one set of open connections.
    const listener = new KafkaListener(server, host, port, connections, logger, signalShutdown);
    logger.info({ host, port }, 'listening');
    return listener;
  }

  /** Open connections. */
  get connectionCount(): number {
    return this.#connections.size;
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
