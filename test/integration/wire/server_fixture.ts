// A broker (memory storage, one shard) with its Kafka listener on a free port, for wire and
// compatibility tests.
import { Broker } from '../../../actors/host/broker.js';
import type { GroupConfig } from '../../../core/group/group_config.js';
import { KafkaListener, type ListenerOptions } from '../../../actors/net/listener.js';

const MiB = 1024 * 1024;

export interface TestServer {
  broker: Broker;
  listener: KafkaListener;
  host: string;
  port: number;
  /** "127.0.0.1:port" */
  address: string;
  stop(): Promise<void>;
}

/** `groups`: group settings over the test defaults (no initial rebalance delay). */
export async function startTestServer(options: Omit<ListenerOptions, 'broker'> & { maxMessageBytes?: number; groups?: Partial<GroupConfig> } = {}): Promise<TestServer> {
  const { maxMessageBytes, groups, ...listenerOptions } = options;
  const broker = await Broker.start({
    storage: 'memory',
    shards: 1,
    memoryBytes: 256 * MiB,
    ringBytes: 4 * MiB,
    groups: { initialRebalanceDelayMs: 0, ...groups },
    topicDefaults: maxMessageBytes === undefined ? undefined : { maxMessageBytes },
  });
  const listener = await KafkaListener.listen({ ...listenerOptions, broker, host: '127.0.0.1', port: 0 });
  return {
    broker,
    listener,
    host: listener.host,
    port: listener.port,
    address: `${listener.host}:${listener.port}`,
    async stop() {
      await listener.stop(200);
      await broker.stop();
    },
  };
}
