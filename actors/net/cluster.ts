// A Kafka cluster as a client sees it: bootstrap connection, broker addresses from Metadata, one
// connection per broker and lane, partition leaders and group coordinators. Shared by the CLI
// (actors/cli) and the over-the-wire client (actors/client/wire_port.ts), which is why it lives
// here beside kafka_client.ts rather than in either: it is plain outbound connection management. Works the same
// against one Lanes broker (every answer is "node 0") and a Kafka cluster (requests go to the
// partition's leader and the group's coordinator).
//
// Lanes: `control` carries everything but Fetch; `fetch` carries long polls, which would
// otherwise hold up heartbeats and commits (brokers answer a connection's requests in order);
// `group` carries JoinGroup/SyncGroup, which a coordinator holds until a rebalance completes
//
// Thread: the caller's main thread.

import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, LanesError } from '../../core/errors.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import { EndpointType } from '../../core/protocol/messages/describe_cluster.js';
import type { MetadataResponse } from '../../core/protocol/messages/metadata.js';
import { describeErrorCode, KafkaClientError, KafkaConnection, type RequestObserver, type SocketFactory } from './kafka_client.js';
import { zeroTopicId } from '../../core/handlers/topic_ids.js';

/** A cluster operation failed for a reason a user can act on: reported as one line, no stack. */
export class ClusterError extends Error {
  override name = 'ClusterError';
}

export interface BrokerAddress {
  host: string;
  port: number;
}

export interface ClusterOptions {
  brokers: readonly BrokerAddress[];
  clientId: string;
  requestTimeoutMs: number;
  /** Told of every connection's requests (the over-the-wire client's instrumentation events). */
  observer?: RequestObserver;
  /** How every connection's socket is opened (KafkaJS's socketFactory); default a plain TCP connect. */
  socketFactory?: SocketFactory;
}

export type Lane = 'control' | 'fetch' | 'group';

export interface TopicLayout {
  name: string;
  /** Partition number → leader node id (−1 when leaderless). */
  leaders: Map<number, number>;
  partitions: MetadataResponse['topics'][number]['partitions'];
}

/** One partition's DeleteRecords answer. */
export interface DeletedRecords {
  partition: number;
  /** The log start offset after the deletion; −1 when it failed. */
  lowWatermark: number;
  errorCode: number;
}

export interface ClusterDescription {
  clusterId: string | null;
  /** −1 when the cluster names no controller. */
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
}

export interface OffsetQuery {
  topic: string;
  partition: number;
  /** −2 earliest, −1 latest, otherwise a timestamp in ms. */
  timestamp: number;
}

/** Kafka's retriable coordinator errors: ask again after a short pause. */
const coordinatorRetryCodes = new Set<number>([
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.NOT_COORDINATOR,
]);
const retryAttemptsMax = 20;
/** A host that drops SYNs is reported after this long, or after --timeout if shorter. */
const connectTimeoutMsMax = 10_000;
const retryPauseMs = 100;

export function parseBrokers(list: string): BrokerAddress[] {
  const brokers = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry);
      const port = match === null ? NaN : Number(match[3]);
      if (match === null || port < 1 || port > 65535) throw new ClusterError(`--brokers: '${entry}' is not host:port`);
      return { host: match[1] ?? match[2], port };
    });
  if (brokers.length === 0) throw new ClusterError('--brokers: no broker given');
  return brokers;
}

export class Cluster {
  readonly #options: ClusterOptions;
  readonly #bootstrap: KafkaConnection;
  /** node id → address, from the latest Metadata. */
  readonly #addresses = new Map<number, BrokerAddress>();
  readonly #connections = new Map<string, Promise<KafkaConnection>>();
  readonly #coordinators = new Map<string, number>();
  #closed = false;

  private constructor(options: ClusterOptions, bootstrap: KafkaConnection) {
    this.#options = options;
    this.#bootstrap = bootstrap;
  }

  /** Connects to the first bootstrap broker that answers; names every failure otherwise. */
  static async connect(options: ClusterOptions): Promise<Cluster> {
    const failures: string[] = [];
    for (const broker of options.brokers) {
      try {
        const connection = await KafkaConnection.connect({
          ...broker,
          clientId: options.clientId,
          requestTimeoutMs: options.requestTimeoutMs,
          connectTimeoutMs: Math.min(connectTimeoutMsMax, options.requestTimeoutMs),
          observer: options.observer,
          socketFactory: options.socketFactory,
        });
        return new Cluster(options, connection);
      } catch (error) {
        failures.push(error instanceof KafkaClientError ? error.message.replace(/^cannot connect to /, '') : String(error));
      }
    }
    const list = options.brokers.map((b) => `${b.host}:${b.port}`).join(',');
    throw new ClusterError(`cannot connect to any broker in ${list} (${failures.join('; ')})`);
  }

  get bootstrap(): KafkaConnection {
    return this.#bootstrap;
  }

  get clientId(): string {
    return this.#options.clientId;
  }

  /**
   * Metadata for `topics` (null: every topic); learns broker addresses. Creates none unless
   * `autoCreate`, which asks the broker to create unknown ones as it would for a producer
   * (Kafka's auto.create.topics.enable decides; a broker that does not still answers unknown).
   */
  async metadata(topics: readonly string[] | null, autoCreate = false): Promise<MetadataResponse> {
    const version = this.#bootstrap.version(ApiKey.Metadata);
    // v0 cannot ask for "all topics" except with an empty list, and would create unknown ones.
    if (version < 1) throw new ClusterError(`${this.#bootstrap.address} only speaks Metadata v0`);
    const response = await this.#bootstrap.send(ApiKey.Metadata, {
      topics: topics === null ? null : topics.map((topicName) => ({ topicId: zeroTopicId(), topicName })),
      allowAutoTopicCreation: autoCreate,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    for (const broker of response.brokers) this.#addresses.set(broker.nodeId, { host: broker.host, port: broker.port });
    return response;
  }

  /**
   * One topic's partitions and leaders. Unknown topics are a ClusterError (after asking the broker
   * to create it, with `autoCreate`, as a producer does); a topic whose leaders are still being
   * elected (just created) is asked for again, briefly.
   */
  async topic(name: string, autoCreate = false): Promise<TopicLayout> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.metadata([name], autoCreate);
      const topic = response.topics.find((t) => t.topicName === name);
      if (topic === undefined) throw new ClusterError(`topic '${name}': the broker did not describe it`);
      if (topic.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        const hint = autoCreate ? ` and the broker does not create topics on first use; create it with \`lanes topic create ${name}\`` : '';
        throw new ClusterError(`topic '${name}' does not exist${hint}`);
      }
      const leaderless = topic.partitions.some((p) => p.leaderId < 0 || p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE);
      if ((topic.errorCode === ErrorCode.LEADER_NOT_AVAILABLE || leaderless) && attempt < retryAttemptsMax) {
        await sleep(retryPauseMs);
        continue;
      }
      if (topic.errorCode !== ErrorCode.NONE) throw new ClusterError(`topic '${name}': ${describeErrorCode(topic.errorCode)}`);
      const partitions = [...topic.partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
      return { name, partitions, leaders: new Map(partitions.map((p) => [p.partitionIndex, p.leaderId])) };
    }
  }

  /** A connection to broker `nodeId` on `lane`, opened on first use. */
  async connection(nodeId: number, lane: Lane = 'control'): Promise<KafkaConnection> {
    if (this.#closed) throw new ClusterError('the cluster connection is closed');
    let address = this.#addresses.get(nodeId);
    if (address === undefined) {
      await this.metadata([]);
      address = this.#addresses.get(nodeId);
      if (address === undefined) throw new ClusterError(`broker ${nodeId} is not in the cluster metadata`);
    }
    // The bootstrap connection doubles as the control lane of the broker it reached.
    if (lane === 'control' && address.host === this.#bootstrap.host && address.port === this.#bootstrap.port) return this.#bootstrap;
    const key = `${lane}/${address.host}:${address.port}`;
    let connection = this.#connections.get(key);
    if (connection !== undefined) {
      const open = await connection.catch(() => null);
      if (open !== null && !open.closed) return open;
    }
    connection = KafkaConnection.connect({
      ...address,
      clientId: this.#options.clientId,
      requestTimeoutMs: this.#options.requestTimeoutMs,
      connectTimeoutMs: Math.min(connectTimeoutMsMax, this.#options.requestTimeoutMs),
      observer: this.#options.observer,
      socketFactory: this.#options.socketFactory,
    }).catch(
      (error: unknown) => {
        throw new ClusterError(error instanceof Error ? error.message : String(error));
      },
    );
    this.#connections.set(key, connection);
    return connection;
  }

  /** The coordinator of `groupId` (FindCoordinator, retried while it loads). */
  /** The coordinator of a group (key type 0) or of a transactional id (key type 1). */
  async coordinator(groupId: string, keyType: 0 | 1 = 0): Promise<{ nodeId: number; connection: KafkaConnection }> {
    const cacheKey = `${keyType}\u0000${groupId}`;
    const known = this.#coordinators.get(cacheKey);
    if (known !== undefined) return { nodeId: known, connection: await this.connection(known) };
    for (let attempt = 0; ; attempt++) {
      const response = await this.#findCoordinator(groupId, keyType);
      if (response.errorCode === ErrorCode.NONE) {
        this.#addresses.set(response.nodeId, { host: response.host, port: response.port });
        this.#coordinators.set(cacheKey, response.nodeId);
        return { nodeId: response.nodeId, connection: await this.connection(response.nodeId) };
      }
      if (!coordinatorRetryCodes.has(response.errorCode) || attempt >= retryAttemptsMax) {
        throw new ClusterError(`${keyType === 0 ? 'group' : 'transactional id'} '${groupId}': no coordinator (${describeErrorCode(response.errorCode)})`);
      }
      await sleep(retryPauseMs);
    }
  }

  /** One key's coordinator: the top-level fields up to v3, its entry of the batch from v4. */
  async #findCoordinator(key: string, keyType: 0 | 1): Promise<{ errorCode: number; nodeId: number; host: string; port: number }> {
    const version = this.#bootstrap.version(ApiKey.FindCoordinator);
    const response = await this.#bootstrap.send(ApiKey.FindCoordinator, { key, keyType, coordinatorKeys: [key] }, { version });
    if (version < 4) return response;
    const answer = response.coordinators.find((coordinator) => coordinator.key === key);
    if (answer === undefined) {
      throw new ClusterError(`${keyType === 0 ? 'group' : 'transactional id'} '${key}': the FindCoordinator answer names no coordinator for it`);
    }
    return answer;
  }

  /** Forgets a group's coordinator (after NOT_COORDINATOR), so the next call asks again. */
  forgetCoordinator(groupId: string, keyType: 0 | 1 = 0): void {
    this.#coordinators.delete(`${keyType}\u0000${groupId}`);
  }

  /**
   * ListOffsets for many partitions, one request per leader. Returns "topic/partition" → offset
   * (−1 when the broker has no offset for a timestamp). Per-partition errors are ClusterErrors.
   */
  async listOffsets(queries: readonly OffsetQuery[], layouts: ReadonlyMap<string, TopicLayout>): Promise<Map<string, number>> {
    const byLeader = new Map<number, OffsetQuery[]>();
    for (const query of queries) {
      const leader = layouts.get(query.topic)?.leaders.get(query.partition);
      if (leader === undefined) throw new ClusterError(`topic '${query.topic}' has no partition ${query.partition}`);
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [query]);
      else list.push(query);
    }
    const offsets = new Map<string, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        const connection = await this.connection(leader);
        const topics = new Map<string, { partitionIndex: number; currentLeaderEpoch: number; timestamp: number }[]>();
        for (const query of list) {
          const partitions = topics.get(query.topic) ?? [];
          partitions.push({ partitionIndex: query.partition, currentLeaderEpoch: -1, timestamp: query.timestamp });
          topics.set(query.topic, partitions);
        }
        const response = await connection.send(ApiKey.ListOffsets, {
          replicaId: -1,
          isolationLevel: 0,
          topics: [...topics].map(([topicName, partitions]) => ({ topicName, partitions })),
          timeoutMs: 0,
        });
        for (const topic of response.topics) {
          for (const partition of topic.partitions) {
            if (partition.errorCode !== ErrorCode.NONE) {
              throw new ClusterError(`offsets of ${topic.topicName}[${partition.partitionIndex}]: ${describeErrorCode(partition.errorCode)}`);
            }
            offsets.set(partitionKey(topic.topicName, partition.partitionIndex), partition.offset);
          }
        }
      }),
    );
    return offsets;
  }

  /**
   * DeleteRecords on one topic, one request per leader (`leaders`: partition → leader node): each
   * partition's log start offset moves to its offset (−1: the high watermark). Answers every asked
   * partition with its new low watermark or its error code (UNKNOWN_TOPIC_OR_PARTITION for a
   * partition `leaders` lacks).
   */
  async deleteRecords(topic: string, leaders: ReadonlyMap<number, number>, offsets: readonly { partition: number; offset: number }[], timeoutMs: number): Promise<DeletedRecords[]> {
    const byLeader = new Map<number, { partitionIndex: number; offset: number }[]>();
    const answers = new Map<number, DeletedRecords>();
    for (const { partition, offset } of offsets) {
      const leader = leaders.get(partition);
      if (leader === undefined) {
        answers.set(partition, { partition, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
        continue;
      }
      const list = byLeader.get(leader);
      if (list === undefined) byLeader.set(leader, [{ partitionIndex: partition, offset }]);
      else list.push({ partitionIndex: partition, offset });
    }
    await Promise.all(
      [...byLeader].map(async ([leader, partitions]) => {
        const connection = await this.connection(leader);
        const response = await connection.send(ApiKey.DeleteRecords, { topics: [{ topicName: topic, partitions }], timeoutMs });
        for (const answer of response.topics) {
          if (answer.topicName !== topic) continue;
          for (const { partitionIndex, lowWatermark, errorCode } of answer.partitions) answers.set(partitionIndex, { partition: partitionIndex, lowWatermark, errorCode });
        }
      }),
    );
    return offsets.map(({ partition }) => answers.get(partition) ?? { partition, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR });
  }

  /**
   * The cluster id, controller and brokers: DescribeCluster where the bootstrap broker serves it
   * (Kafka 2.8+, Lanes), Metadata otherwise. A refusal is a LanesError with the broker's code.
   */
  async describeCluster(): Promise<ClusterDescription> {
    if (this.#bootstrap.brokerVersions(ApiKey.DescribeCluster) === undefined) {
      const metadata = await this.metadata([]);
      return {
        clusterId: metadata.clusterId,
        controllerId: metadata.controllerId,
        brokers: metadata.brokers.map(({ nodeId, host, port, rack }) => ({ nodeId, host, port, rack })),
      };
    }
    const response = await this.#bootstrap.send(ApiKey.DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: EndpointType.broker, includeFencedBrokers: false });
    if (response.errorCode !== ErrorCode.NONE) {
      throw new LanesError(response.errorCode, `describe cluster${response.errorMessage ? `: ${response.errorMessage}` : ''}`);
    }
    for (const broker of response.brokers) this.#addresses.set(broker.brokerId, { host: broker.host, port: broker.port });
    return {
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers: response.brokers.map(({ brokerId, host, port, rack }) => ({ nodeId: brokerId, host, port, rack })),
    };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#bootstrap.close();
    for (const connection of this.#connections.values()) void connection.then((c) => c.close(), () => undefined);
    this.#connections.clear();
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
