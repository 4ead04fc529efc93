// The entry points: `Lanes.start()` runs a Broker in this process (shard threads, shared memory)
// and `lanes.kafka({ clientId })` hands out KafkaJS-shaped producers, consumers and admins that
// call the Broker directly, with no sockets; `new Kafka({ clientId, brokers: ['host:port'] })`
// hands out the same clients over the Kafka protocol. Runs on the main thread.
//
//   const lanes = await Lanes.start({ storage: 'memory' });
//   const kafka = lanes.kafka({ clientId: 'app' });
//   await kafka.admin().createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
//   await kafka.producer().send({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] });

import { EventEmitter } from 'node:events';
import { ErrorCode, LanesError, isLanesError } from '../../core/errors.js';
import { Broker, type BrokerOptions } from '../host/broker.js';
import { componentLogger, creatorLogger, logger as rootLogger, useLogCreator, type Logger } from '../logger.js';
import { kafkaLevelOfPino, pinoLevelOfKafka, type LogCreator } from '../log_lines.js';
import { parseBrokers } from '../net/cluster.js';
import type { BrokerPort } from './broker_port.js';
import { EmbeddedPort } from './embedded_port.js';
import { observedPort } from './instrumentation.js';
import type { RequestObserver, SocketFactory } from '../net/kafka_client.js';
import { WirePort } from './wire_port.js';
import { Admin } from './admin.js';
import { Consumer } from './consumer.js';
import { Producer } from './producer.js';
import type { ConsumerConfig, ProducerConfig, RetryOptions } from './types.js';

export interface LanesOptions extends BrokerOptions {
  /**
   * KafkaJS's level numbers (`logLevel.NOTHING` 0, `ERROR` 1, `WARN` 2, `INFO` 4, `DEBUG` 5) for
   * the broker's logs in this process, its shard threads' included. Default WARN (or
   * LANES_LOG_LEVEL): an embedded broker is quiet unless something needs attention.
   */
  logLevel?: number;
  /** KafkaJS's logCreator: the broker's log entries go to it instead of stdout (for this process). */
  logCreator?: LogCreator;
}

/** Log options of KafkaJS's `Kafka` config, for the clients one Kafka makes. */
export interface KafkaLogOptions {
  /** KafkaJS's level numbers; default: the process's level (WARN unless LANES_LOG_LEVEL says otherwise). */
  logLevel?: number;
  /** KafkaJS's logCreator: the clients' log entries go to it instead of stdout. */
  logCreator?: LogCreator;
}

/** The `client` logger of one Kafka's clients, honouring its logLevel and logCreator. */
function clientLogger(clientId: string, options: KafkaLogOptions): Logger {
  const level = options.logLevel === undefined ? undefined : pinoLevelOfKafka(options.logLevel);
  const base = options.logCreator === undefined ? rootLogger : creatorLogger(options.logCreator, options.logLevel ?? kafkaLevelOfPino(rootLogger.levelVal), level ?? rootLogger.level);
  const logger = componentLogger(base, 'client', { clientId });
  if (level !== undefined) logger.level = level;
  return logger;
}

export interface KafkaConfig extends KafkaLogOptions {
  clientId?: string;
  /**
   * `['host:port', …]`: talk the Kafka protocol to `lanes start` or a Kafka cluster instead of an
   * embedded broker. Required for `new Kafka(...)`; `lanes.kafka()` ignores it.
   */
  brokers?: string[];
  /** Per-request timeout over the wire (ms); default 30 s. */
  requestTimeout?: number;
  /** KafkaJS's retry options for every client made here (each client's own `retry` goes over them). */
  retry?: RetryOptions;
  /**
   * KafkaJS's socketFactory, over the wire only: `({ host, port, onConnect }) => net.Socket`, which
   * must call `onConnect` once connected (pass it to `net.connect`). Default: a plain TCP connect.
   */
  socketFactory?: SocketFactory;
}

/** What every client made by one Kafka shares: how to reach the broker, and who is connected. */
export class ClientContext {
  readonly clientId: string;
  readonly logger: Logger;
  /** The Kafka's `retry`, under each client's own. */
  readonly retry: RetryOptions | undefined;
  readonly #openPort: (observer: RequestObserver | undefined) => BrokerPort;
  readonly #clients: Set<{ disconnect(): Promise<void> }>;

  constructor(options: { clientId: string; openPort: (observer: RequestObserver | undefined) => BrokerPort; clients: Set<{ disconnect(): Promise<void> }>; logger: Logger; retry?: RetryOptions }) {
    this.clientId = options.clientId;
    this.retry = options.retry;
    this.logger = options.logger;
    this.#openPort = options.openPort;
    this.#clients = options.clients;
  }

  /**
   * The broker as one producer, consumer or admin sees it: shared in-process, its own connections
   * over the wire; its requests reported to `observer` (the client's request events).
   */
  openPort(observer?: RequestObserver): BrokerPort {
    return this.#openPort(observer);
  }

  track(client: { disconnect(): Promise<void> }): void {
    this.#clients.add(client);
  }

  untrack(client: { disconnect(): Promise<void> }): void {
    this.#clients.delete(client);
  }
}

/**
 * KafkaJS's `Kafka` object. `lanes.kafka({ clientId })` binds it to an embedded broker;
 * `new Kafka({ clientId, brokers: ['host:port'] })` to a broker over the Kafka protocol. The
 * producers, consumers and admins behave the same either way.
 */
export class Kafka {
  readonly #context: ClientContext;

  constructor(config: KafkaConfig | ClientContext) {
    if (config instanceof ClientContext) {
      this.#context = config;
      return;
    }
    const brokers = config?.brokers;
    if (!Array.isArray(brokers) || brokers.length === 0) {
      throw new TypeError("new Kafka({ brokers: ['host:port'] }) needs at least one broker; for an embedded broker use (await Lanes.start()).kafka()");
    }
    const addresses = parseBrokers(brokers.join(','));
    const clientId = config.clientId ?? 'lanes';
    const requestTimeoutMs = config.requestTimeout ?? 30_000;
    const logger = clientLogger(clientId, config);
    this.#context = new ClientContext({
      clientId,
      logger,
      openPort: (observer) => new WirePort({ brokers: addresses, clientId, requestTimeoutMs, logger, observer, socketFactory: config.socketFactory }),
      clients: new Set(),
      retry: config.retry,
    });
  }

  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.#context, config);
  }

  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.#context, config);
  }

  admin(): Admin {
    return new Admin(this.#context);
  }
}

export class Lanes {
  readonly broker: Broker;
  /** @internal */
  readonly metadataEvents = new EventEmitter();
  /** @internal Clients connected through this instance; stop() disconnects them first. */
  readonly clients = new Set<{ disconnect(): Promise<void> }>();
  readonly #creating = new Map<string, Promise<number>>();

  readonly #port: EmbeddedPort;

  readonly #stopLogging: () => void;

  private constructor(broker: Broker, stopLogging: () => void) {
    this.broker = broker;
    this.#stopLogging = stopLogging;
    this.metadataEvents.setMaxListeners(0);
    this.#port = new EmbeddedPort({
      broker,
      ensureTopic: (topic) => this.ensureTopic(topic),
      topicsChanged: () => this.metadataEvents.emit('changed'),
      onTopicsChanged: (listener) => {
        this.metadataEvents.on('changed', listener);
        return () => this.metadataEvents.off('changed', listener);
      },
    });
  }

  /**
   * Starts an embedded broker. Defaults differ from a server's in one place: the group
   * coordinator's initial rebalance delay is 0 (Kafka: 3 s), since an in-process group is usually
   * a test or a single service whose members start together.
   */
  static async start(options: LanesOptions = {}): Promise<Lanes> {
    const { logLevel, logCreator, ...brokerOptions } = options;
    // Before the broker starts: its shard threads take the level and destination at spawn.
    // Process-wide (the broker's modules and threads share one logger); stop() puts them back.
    const previousLevel = rootLogger.level;
    const level = logLevel === undefined ? previousLevel : pinoLevelOfKafka(logLevel);
    rootLogger.level = level;
    const stopCreator = logCreator === undefined ? () => {} : useLogCreator(logCreator, logLevel ?? kafkaLevelOfPino(rootLogger.levelVal));
    const stopLogging = () => {
      stopCreator();
      if (rootLogger.level === level) rootLogger.level = previousLevel;
    };
    let broker: Broker;
    try {
      broker = await Broker.start({
        storage: 'memory',
        ...brokerOptions,
        groups: { initialRebalanceDelayMs: 0, ...brokerOptions.groups },
      });
    } catch (error) {
      stopLogging();
      throw error;
    }
    return new Lanes(broker, stopLogging);
  }

  kafka(config: KafkaConfig = {}): Kafka {
    const clientId = config.clientId ?? 'lanes';
    const openPort = (observer: RequestObserver | undefined) => (observer === undefined ? this.#port : observedPort(this.#port, observer, clientId));
    return new Kafka(new ClientContext({ clientId, openPort, clients: this.clients, logger: clientLogger(clientId, config), retry: config.retry }));
  }

  /** @internal */
  ensureTopic(topic: string): Promise<number> {
    const known = this.broker.topic(topic)?.partitions.length;
    if (known !== undefined) return Promise.resolve(known);
    let creating = this.#creating.get(topic);
    if (creating === undefined) {
      creating = this.broker
        .createTopic(topic, { partitions: 1 })
        .then(
          (entry) => entry.partitions.length,
          (error: unknown) => {
            // Another path created it meanwhile.
            const count = this.broker.topic(topic)?.partitions.length;
            if (count !== undefined) return count;
            throw error;
          },
        )
        .finally(() => this.#creating.delete(topic));
      this.#creating.set(topic, creating);
      void creating.then(() => this.metadataEvents.emit('changed'), () => {});
    }
    return creating;
  }

  /** Disconnects every producer, consumer and admin made here, then stops the broker. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.clients].map((client) => client.disconnect()));
    this.clients.clear();
    try {
      await this.broker.stop();
    } finally {
      this.#stopLogging();
    }
  }
}

export function unknownTopic(topic: string): LanesError {
  return new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
}

export { isLanesError };
