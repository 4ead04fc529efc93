// The embedded entry point: `Lanes.start()` runs a Broker in this process (shard threads, shared
// memory) and `lanes.kafka({ clientId })` hands out KafkaJS-shaped producers, consumers and admins
// that call the Broker directly, with no sockets. Runs on the main thread.
//
//   const lanes = await Lanes.start({ storage: 'memory' });
//   const kafka = lanes.kafka({ clientId: 'app' });
//   await kafka.admin().createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] });
//   await kafka.producer().send({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] });

import { EventEmitter } from 'node:events';
import { ErrorCode, LanesError, isLanesError } from '../../core/errors.js';
import { Broker, type BrokerOptions } from '../host/broker.js';
import { logger as rootLogger, type Logger } from '../logger.js';
import { Admin } from './admin.js';
import { Consumer } from './consumer.js';
import { Producer } from './producer.js';
import type { ConsumerConfig, ProducerConfig } from './types.js';

export type LanesOptions = BrokerOptions;

export interface KafkaConfig {
  clientId?: string;
}

/** What every client of one Lanes instance shares: the broker and its topic metadata. */
export class ClientContext {
  readonly broker: Broker;
  readonly clientId: string;
  readonly logger: Logger;
  readonly #lanes: Lanes;

  constructor(lanes: Lanes, clientId: string) {
    this.#lanes = lanes;
    this.broker = lanes.broker;
    this.clientId = clientId;
    this.logger = rootLogger.child({ component: 'client', clientId });
  }

  /** Partition count by topic, as the broker knows it now. */
  partitionsPerTopic(): Map<string, number> {
    return new Map(this.broker.listTopics().map((topic) => [topic.name, topic.partitions.length]));
  }

  partitionCount(topic: string): number | undefined {
    return this.broker.topic(topic)?.partitions.length;
  }

  /** Creates a missing topic with one partition (Kafka's auto.create.topics.enable, num.partitions=1). */
  ensureTopic(topic: string): Promise<number> {
    return this.#lanes.ensureTopic(topic);
  }

  /** Tells the consumers of this Lanes that topics or partitions changed (they rebalance if it matters). */
  topicsChanged(): void {
    this.#lanes.metadataEvents.emit('changed');
  }

  onTopicsChanged(listener: () => void): () => void {
    this.#lanes.metadataEvents.on('changed', listener);
    return () => this.#lanes.metadataEvents.off('changed', listener);
  }

  track(client: { disconnect(): Promise<void> }): void {
    this.#lanes.clients.add(client);
  }

  untrack(client: { disconnect(): Promise<void> }): void {
    this.#lanes.clients.delete(client);
  }
}

/** KafkaJS's `Kafka` object, bound to an embedded broker. */
export class Kafka {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
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

  private constructor(broker: Broker) {
    this.broker = broker;
    this.metadataEvents.setMaxListeners(0);
  }

  /**
   * Starts an embedded broker. Defaults differ from a server's in one place: the group
   * coordinator's initial rebalance delay is 0 (Kafka: 3 s), since an in-process group is usually
   * a test or a single service whose members start together.
   */
  static async start(options: LanesOptions = {}): Promise<Lanes> {
    const broker = await Broker.start({
      storage: 'memory',
      ...options,
      groups: { initialRebalanceDelayMs: 0, ...options.groups },
    });
    return new Lanes(broker);
  }

  kafka(config: KafkaConfig = {}): Kafka {
    return new Kafka(new ClientContext(this, config.clientId ?? 'lanes'));
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
    await this.broker.stop();
  }
}

export function unknownTopic(topic: string): LanesError {
  return new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
}

export { isLanesError };
