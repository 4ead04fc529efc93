// The BrokerPort over the Kafka protocol: `new Kafka({ brokers: ['host:port'] })` against
// `lanes start` or a Kafka cluster. Main thread. Built on actors/net/cluster.ts (bootstrap,
// broker addresses, one connection per broker and lane, coordinators) and the core/protocol codecs.
//
// Lanes (connections per broker):
//   control   metadata, produce, list offsets, topic admin, heartbeats, commits, offset fetches
//   group     JoinGroup and SyncGroup, which the coordinator holds until the rebalance completes
//   fetch     long-poll Fetch
// Brokers answer a connection's requests in order, so a held JoinGroup or Fetch must not sit in
// front of a heartbeat. Each producer, consumer and admin has its own port, hence its own
// connections; they open on first use and reopen after close().
//
// Partition leaders come from Metadata and are cached per topic for `metadataMaxAgeMs`, or until a
// request answers NOT_LEADER_OR_FOLLOWER / UNKNOWN_TOPIC_OR_PARTITION. Consumers poll
// `partitionCounts()` themselves (never cached) to notice new topics and partitions.

import { setTimeout as sleep } from 'node:timers/promises';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError, errorCodeName, isLanesError } from '../../core/errors.js';
import type { GroupRequestOf, GroupResultOf } from '../../core/group/group_calls.js';
import type { GroupState } from '../../core/group/group_state.js';
import { ApiKey } from '../../core/protocol/api_keys.js';
import type { MetadataResponse } from '../../core/protocol/messages/metadata.js';
import type { ApiKeyNumber, RequestBodies, ResponseBodies } from '../../core/protocol/messages/registry.js';
import { offsetFetchSingleGroupVersionMax } from '../../core/protocol/messages/offset_fetch.js';
import { concatChunks } from '../../core/protocol/writer.js';
import { Cluster, type BrokerAddress, type ClusterDescription, type DeletedRecords, type Lane } from '../net/cluster.js';
import type { Logger } from '../logger.js';
import type { KafkaConnection, RequestObserver, SocketFactory } from '../net/kafka_client.js';
import type { ResourceAnswer } from '../../core/handlers/config_resources.js';
import type { DescribedResource } from '../../core/handlers/describe_configs.js';
import type { BrokerPort, ConfigResourceChange, ConfigResourceQuery, GroupListing, IsolationLevel, PartitionOffsets, PortFetchRequest, PortFetchResult, TopicToCreate, TxnPortApi } from './broker_port.js';
import { isZeroTopicId, topicIdText, zeroTopicId } from '../../core/handlers/topic_ids.js';
import { fetchByNameVersionMax, type FetchRequestPartition } from '../../core/protocol/messages/fetch.js';
import { produceByNameVersionMax } from '../../core/protocol/messages/produce.js';
import { addPartitionsToTxnClientVersionMax } from '../../core/protocol/messages/add_partitions_to_txn.js';
import { endTxnVersion2FromVersion, txnOffsetCommitVersion2FromVersion } from '../../core/txn/transaction_version.js';

export interface WirePortOptions {
  brokers: readonly BrokerAddress[];
  clientId: string;
  requestTimeoutMs: number;
  logger: Logger;
  /** How long cached partition leaders are trusted; default 5 s. */
  metadataMaxAgeMs?: number;
  /** Told of every request on this port's connections (the client's instrumentation events). */
  observer?: RequestObserver;
  /** How each connection's socket is opened (KafkaJS's socketFactory). */
  socketFactory?: SocketFactory;
}

interface Layout {
  /** partition → leader node id (−1 while leaderless) */
  readonly leaders: number[];
  readonly fetchedMs: number;
}

/** Kafka errors after which the cached leaders of a topic are stale. */
const staleMetadataCodes = new Set<number>([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.LEADER_NOT_AVAILABLE,
]);
const coordinatorCodes = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE]);
const leaderWaitAttempts = 50;
const leaderWaitPauseMs = 100;

function network(error: unknown): LanesError {
  if (isLanesError(error)) return error;
  return new LanesError(ErrorCode.NETWORK_EXCEPTION, error instanceof Error ? error.message : String(error), { cause: error });
}

function failed(errorCode: number, what: string, message?: string | null): LanesError {
  return new LanesError(errorCode, `${what}: ${errorCodeName(errorCode)}${message ? `: ${message}` : ''}`);
}

/** Where a resource's configs are asked or changed: a broker's own configs at that broker, the rest at any. */
async function configTarget(cluster: Cluster, resource: { resourceType: number; resourceName: string }): Promise<KafkaConnection> {
  const brokerResource = 4;
  if (resource.resourceType === brokerResource && /^\d+$/.test(resource.resourceName)) return cluster.connection(Number(resource.resourceName));
  return cluster.bootstrap;
}

/** An answer that names no resource: what a broker that skipped one is taken to have said. */
function noAnswer(resource: { resourceType: number; resourceName: string }, what: string): DescribedResource {
  return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: `${what} of ${resource.resourceName}: the broker did not answer for it`, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] };
}

export class WirePort implements BrokerPort {
  /** The broker sees the socket's address itself. */
  readonly clientHost = '';
  readonly verifyFetchedCrc = true;
  readonly #options: WirePortOptions;
  readonly #layouts = new Map<string, Layout>();
  /** Topic ids from Metadata, both ways (ConsumerGroupHeartbeat names topics by id). */
  readonly #topicIds = new Map<string, Uint8Array>();
  readonly #topicNames = new Map<string, string>();
  #cluster: Promise<Cluster> | null = null;

  constructor(options: WirePortOptions) {
    this.#options = options;
  }

  // ─── Connections ─────────────────────────────────────────────────────────────────────────────

  #connect(): Promise<Cluster> {
    if (this.#cluster === null) {
      const { brokers, clientId, requestTimeoutMs, observer, socketFactory } = this.#options;
      const connecting = Cluster.connect({ brokers, clientId, requestTimeoutMs, observer, socketFactory });
      this.#cluster = connecting;
      connecting.catch(() => {
        if (this.#cluster === connecting) this.#cluster = null;
      });
    }
    return this.#cluster;
  }

  /** Runs `call` with the cluster; a connection failure becomes NETWORK_EXCEPTION and the next call reconnects. */
  async #with<T>(call: (cluster: Cluster) => Promise<T>): Promise<T> {
    let cluster: Cluster;
    try {
      cluster = await this.#connect();
    } catch (error) {
      throw network(error);
    }
    try {
      return await call(cluster);
    } catch (error) {
      if (isLanesError(error)) throw error;
      if (cluster.bootstrap.closed && this.#cluster !== null) {
        const current = this.#cluster;
        this.#cluster = null;
        void current.then((c) => c.close(), () => {});
      }
      throw network(error);
    }
  }

  async #leaderConnection(cluster: Cluster, topic: string, partition: number, lane: Lane): Promise<{ connection: KafkaConnection; leader: number }> {
    const layout = await this.#layout(cluster, topic);
    if (layout === undefined || partition >= layout.leaders.length) {
      throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} partition ${partition} does not exist`);
    }
    const leader = layout.leaders[partition];
    if (leader < 0) throw new LanesError(ErrorCode.LEADER_NOT_AVAILABLE, `topic ${topic} partition ${partition} has no leader`);
    return { connection: await cluster.connection(leader, lane), leader };
  }

  /** The coordinator's connection on `lane`; Cluster caches the node until forgetCoordinator. */
  async #coordinator(cluster: Cluster, groupId: string, lane: Lane): Promise<KafkaConnection> {
    const { nodeId, connection } = await cluster.coordinator(groupId);
    return lane === 'control' ? connection : cluster.connection(nodeId, lane);
  }

  #coordinatorAnswered(cluster: Cluster, groupId: string, errorCode: number): void {
    if (coordinatorCodes.has(errorCode)) cluster.forgetCoordinator(groupId);
  }

  async close(): Promise<void> {
    const cluster = this.#cluster;
    this.#cluster = null;
    this.#layouts.clear();
    this.#topicIds.clear();
    this.#topicNames.clear();
    if (cluster !== null) (await cluster.catch(() => null))?.close();
  }

  // ─── Metadata ────────────────────────────────────────────────────────────────────────────────

  #remember(response: MetadataResponse): void {
    const nowMs = Date.now();
    for (const topic of response.topics) {
      // A null name answers a request by topic id, which this client never sends.
      if (topic.topicName === null) continue;
      if (topic.errorCode === ErrorCode.NONE && !isZeroTopicId(topic.topicId)) {
        this.#topicIds.set(topic.topicName, topic.topicId);
        this.#topicNames.set(topicIdText(topic.topicId), topic.topicName);
      }
      if (topic.errorCode !== ErrorCode.NONE && topic.errorCode !== ErrorCode.LEADER_NOT_AVAILABLE) {
        this.#layouts.delete(topic.topicName);
        continue;
      }
      const leaders: number[] = [];
      for (const partition of topic.partitions) leaders[partition.partitionIndex] = partition.errorCode === ErrorCode.NONE ? partition.leaderId : -1;
      this.#layouts.set(topic.topicName, { leaders: Array.from({ length: leaders.length }, (_, i) => leaders[i] ?? -1), fetchedMs: nowMs });
    }
  }

  async #layout(cluster: Cluster, topic: string): Promise<Layout | undefined> {
    const cached = this.#layouts.get(topic);
    if (cached !== undefined && Date.now() - cached.fetchedMs < (this.#options.metadataMaxAgeMs ?? 5_000)) return cached;
    this.#remember(await cluster.metadata([topic]));
    return this.#layouts.get(topic);
  }

  #forget(topic: string): void {
    this.#layouts.delete(topic);
  }

  partitionCounts(): Promise<Map<string, number>> {
    return this.#with(async (cluster) => {
      const response = await cluster.metadata(null);
      this.#remember(response);
      const counts = new Map<string, number>();
      for (const topic of response.topics) {
        if (topic.errorCode === ErrorCode.NONE && !topic.isInternal && topic.topicName !== null) counts.set(topic.topicName, topic.partitions.length);
      }
      return counts;
    });
  }

  partitionCount(topic: string): Promise<number | undefined> {
    return this.#with(async (cluster) => (await this.#layout(cluster, topic))?.leaders.length);
  }

  /** Metadata with allowAutoTopicCreation (KafkaJS's way), then waits until every partition has a leader. */
  ensureTopic(topic: string): Promise<number> {
    return this.#with(async (cluster) => {
      for (let attempt = 0; attempt < leaderWaitAttempts; attempt++) {
        const response = await cluster.bootstrap.send(ApiKey.Metadata, {
          topics: [{ topicId: zeroTopicId(), topicName: topic }],
          allowAutoTopicCreation: true,
          includeClusterAuthorizedOperations: false,
          includeTopicAuthorizedOperations: false,
        });
        this.#remember(response);
        const layout = this.#layouts.get(topic);
        if (layout !== undefined && layout.leaders.length > 0 && layout.leaders.every((leader) => leader >= 0)) return layout.leaders.length;
        const answer = response.topics.find((t) => t.topicName === topic);
        const retriable = answer === undefined || answer.errorCode === ErrorCode.NONE || answer.errorCode === ErrorCode.LEADER_NOT_AVAILABLE || answer.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        if (!retriable) throw failed(answer.errorCode, `topic ${topic}`);
        this.#forget(topic);
        await sleep(leaderWaitPauseMs);
      }
      throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist and the broker did not create it`);
    });
  }

  /** Waits until Metadata shows the topic with a leader for every partition (or gone, when `gone`). */
  async #awaitTopic(cluster: Cluster, topic: string, until: (layout: Layout | undefined) => boolean): Promise<void> {
    for (let attempt = 0; attempt < leaderWaitAttempts; attempt++) {
      this.#forget(topic);
      const layout = await this.#layout(cluster, topic);
      if (until(layout)) return;
      await sleep(leaderWaitPauseMs);
    }
  }

  async #controller(cluster: Cluster): Promise<KafkaConnection> {
    const metadata = await cluster.metadata([]);
    return metadata.controllerId >= 0 ? cluster.connection(metadata.controllerId) : cluster.bootstrap;
  }

  createTopic({ topic, partitions, configEntries }: TopicToCreate, validateOnly: boolean): Promise<boolean> {
    return this.#with(async (cluster) => {
      const controller = await this.#controller(cluster);
      const version = controller.version(ApiKey.CreateTopics);
      const response = await controller.send(ApiKey.CreateTopics, {
        topics: [{ topicName: topic, numPartitions: partitions, replicationFactor: version >= 4 ? -1 : 1, assignments: [], configs: configEntries.map(({ name, value }) => ({ name, value })) }],
        timeoutMs: this.#options.requestTimeoutMs,
        validateOnly,
      });
      const answer = response.topics.find((t) => t.topicName === topic);
      if (answer === undefined) throw new LanesError(ErrorCode.UNKNOWN_SERVER_ERROR, `create topic ${topic}: the broker did not answer for it`);
      if (answer.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return false;
      if (answer.errorCode !== ErrorCode.NONE) throw failed(answer.errorCode, `create topic ${topic}`, answer.errorMessage);
      if (!validateOnly) await this.#awaitTopic(cluster, topic, (layout) => layout !== undefined && layout.leaders.length === partitions && layout.leaders.every((leader) => leader >= 0));
      return true;
    });
  }

  deleteTopic(topic: string): Promise<void> {
    return this.#with(async (cluster) => {
      const controller = await this.#controller(cluster);
      const response = await controller.send(ApiKey.DeleteTopics, { topics: [{ topicName: topic, topicId: zeroTopicId() }], topicNames: [topic], timeoutMs: this.#options.requestTimeoutMs });
      const answer = response.responses.find((t) => t.topicName === topic);
      if (answer !== undefined && answer.errorCode !== ErrorCode.NONE) throw failed(answer.errorCode, `delete topic ${topic}`);
      await this.#awaitTopic(cluster, topic, (layout) => layout === undefined);
    });
  }

  createPartitions(topic: string, count: number): Promise<void> {
    return this.#with(async (cluster) => {
      const controller = await this.#controller(cluster);
      const response = await controller.send(ApiKey.CreatePartitions, {
        topics: [{ topicName: topic, count, assignments: null }],
        timeoutMs: this.#options.requestTimeoutMs,
        validateOnly: false,
      });
      const answer = response.results.find((t) => t.topicName === topic);
      if (answer !== undefined && answer.errorCode !== ErrorCode.NONE) throw failed(answer.errorCode, `create partitions of ${topic}`, answer.errorMessage);
      await this.#awaitTopic(cluster, topic, (layout) => layout !== undefined && layout.leaders.length >= count && layout.leaders.every((leader) => leader >= 0));
    });
  }

  describeConfigs(resources: readonly ConfigResourceQuery[], includeSynonyms: boolean): Promise<DescribedResource[]> {
    return this.#with(async (cluster) => {
      const answers = await Promise.all(
        resources.map(async (resource) => {
          const connection = await configTarget(cluster, resource);
          const response = await connection.send(ApiKey.DescribeConfigs, { resources: [resource], includeSynonyms, includeDocumentation: false });
          return response.results[0] ?? noAnswer(resource, 'describe configs');
        }),
      );
      return answers;
    });
  }

  alterConfigs(resources: readonly ConfigResourceChange[], validateOnly: boolean): Promise<ResourceAnswer[]> {
    return this.#with(async (cluster) =>
      Promise.all(
        resources.map(async (resource) => {
          const connection = await configTarget(cluster, resource);
          const response = await connection.send(ApiKey.AlterConfigs, { resources: [resource], validateOnly });
          return response.responses[0] ?? noAnswer(resource, 'alter configs');
        }),
      ),
    );
  }

  // ─── Offsets ─────────────────────────────────────────────────────────────────────────────────

  /** One ListOffsets per leader; answers by partition. */
  async #listOffsets(cluster: Cluster, topic: string, partitions: readonly number[], timestamp: number, isolation: IsolationLevel = 'read_uncommitted'): Promise<Map<number, number>> {
    const layout = await this.#layout(cluster, topic);
    if (layout === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
    const byLeader = new Map<number, number[]>();
    for (const partition of partitions) {
      const leader = layout.leaders[partition];
      if (leader === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} partition ${partition} does not exist`);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const offsets = new Map<number, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, list]) => {
        const connection = await cluster.connection(leader);
        const response = await connection.send(ApiKey.ListOffsets, {
          replicaId: -1,
          isolationLevel: isolation === 'read_committed' ? 1 : 0,
          topics: [{ topicName: topic, partitions: list.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp })) }],
          timeoutMs: 0,
        });
        for (const answer of response.topics) {
          for (const partition of answer.partitions) {
            if (partition.errorCode !== ErrorCode.NONE) {
              if (staleMetadataCodes.has(partition.errorCode)) this.#forget(topic);
              throw failed(partition.errorCode, `offsets of ${topic}/${partition.partitionIndex}`);
            }
            offsets.set(partition.partitionIndex, partition.offset);
          }
        }
      }),
    );
    return offsets;
  }

  topicOffsets(topic: string): Promise<PartitionOffsets[] | undefined> {
    return this.#with(async (cluster) => {
      this.#forget(topic);
      const layout = await this.#layout(cluster, topic);
      if (layout === undefined) return undefined;
      const partitions = layout.leaders.map((_, i) => i);
      const [earliest, latest] = await Promise.all([this.#listOffsets(cluster, topic, partitions, -2), this.#listOffsets(cluster, topic, partitions, -1)]);
      return partitions.map((partition) => ({ partition, logStartOffset: earliest.get(partition) ?? 0, highWatermark: latest.get(partition) ?? 0 }));
    });
  }

  listOffset(topic: string, partition: number, timestamp: number, isolation?: IsolationLevel): Promise<number> {
    return this.#with(async (cluster) => (await this.#listOffsets(cluster, topic, [partition], timestamp, isolation)).get(partition) ?? -1);
  }

  deleteRecords(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<DeletedRecords[]> {
    return this.#with(async (cluster) => {
      this.#forget(topic);
      const layout = await this.#layout(cluster, topic);
      if (layout === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
      const leaders = new Map(layout.leaders.map((leader, partition) => [partition, leader]));
      const answers = await cluster.deleteRecords(topic, leaders, offsets, this.#options.requestTimeoutMs);
      if (answers.some(({ errorCode }) => staleMetadataCodes.has(errorCode))) this.#forget(topic);
      return answers;
    });
  }

  describeCluster(): Promise<ClusterDescription> {
    return this.#with((cluster) => cluster.describeCluster());
  }

  // ─── Produce and fetch ───────────────────────────────────────────────────────────────────────

  initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    return this.#with(async (cluster) => {
      const response = await cluster.bootstrap.send(ApiKey.InitProducerId, { transactionalId: null, transactionTimeoutMs: -1, producerId: -1, producerEpoch: -1 });
      if (response.errorCode !== ErrorCode.NONE) throw failed(response.errorCode, 'InitProducerId');
      return { producerId: response.producerId, producerEpoch: response.producerEpoch };
    });
  }

  /** Each call goes to the transactional id's coordinator (FindCoordinator key type 1), found again after NOT_COORDINATOR. */
  readonly transactions: TxnPortApi = {
    initTransactionalProducer: (request) =>
      this.#txnCall(request.transactionalId, ApiKey.InitProducerId, { transactionalId: request.transactionalId, transactionTimeoutMs: request.transactionTimeoutMs, producerId: request.producerId, producerEpoch: request.producerEpoch }, (response) => ({
        errorCode: response.errorCode,
        producerId: response.producerId,
        producerEpoch: response.producerEpoch,
      })),
    addPartitionsToTxn: (request) => {
      const topics = new Map<string, number[]>();
      for (const { topic, partition } of request.partitions) topics.set(topic, [...(topics.get(topic) ?? []), partition]);
      const body = { transactions: [], transactionalId: request.transactionalId, producerId: request.producerId, producerEpoch: request.producerEpoch, topics: [...topics].map(([topicName, partitions]) => ({ topicName, partitions })) };
      // Every partition carries the coordinator's answer; the first one that is not NONE speaks for all.
      return this.#txnCall(
        request.transactionalId,
        ApiKey.AddPartitionsToTxn,
        body,
        (response) => ({
          errorCode: response.results.flatMap((topic) => topic.partitions).find((partition) => partition.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE,
        }),
        addPartitionsToTxnClientVersionMax,
      );
    },
    addOffsetsToTxn: (request) => this.#txnCall(request.transactionalId, ApiKey.AddOffsetsToTxn, request, (response) => ({ errorCode: response.errorCode })),
    txnOffsetCommit: (request) => {
      const topics = new Map<string, { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }[]>();
      for (const offset of request.offsets) {
        topics.set(offset.topic, [...(topics.get(offset.topic) ?? []), { partitionIndex: offset.partition, committedOffset: offset.offset, committedLeaderEpoch: offset.leaderEpoch, committedMetadata: offset.metadata }]);
      }
      const body = {
        transactionalId: request.transactionalId,
        groupId: request.groupId,
        producerId: request.producerId,
        producerEpoch: request.producerEpoch,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [...topics].map(([topicName, partitions]) => ({ topicName, partitions })),
      };
      // Lanes answers TxnOffsetCommit at the transaction coordinator; Kafka at the group's, which is where this goes.
      return this.#with(async (cluster) => {
        const connection = await this.#coordinator(cluster, request.groupId, 'control');
        const response = await connection.send(ApiKey.TxnOffsetCommit, body, { version: Math.min(connection.version(ApiKey.TxnOffsetCommit), txnOffsetCommitVersion2FromVersion - 1) });
        const errorCode = response.topics.flatMap((topic) => topic.partitions).find((partition) => partition.errorCode !== ErrorCode.NONE)?.errorCode ?? ErrorCode.NONE;
        this.#coordinatorAnswered(cluster, request.groupId, errorCode);
        return { errorCode };
      });
    },
    // The first transaction protocol: this producer keeps its epoch across transactions.
    endTxn: (request) =>
      this.#txnCall(request.transactionalId, ApiKey.EndTxn, request, (response) => ({ errorCode: response.errorCode, producerId: request.producerId, producerEpoch: request.producerEpoch }), endTxnVersion2FromVersion - 1),
  };

  /** `versionMax`: the highest version this client's transaction protocol (version 1) uses of the API. */
  #txnCall<Key extends ApiKeyNumber, Answer extends { errorCode: number }>(transactionalId: string, apiKey: Key, body: RequestBodies[Key], answer: (response: ResponseBodies[Key]) => Answer, versionMax = Infinity): Promise<Answer> {
    return this.#with(async (cluster) => {
      const { connection } = await cluster.coordinator(transactionalId, 1);
      const answered = answer(await connection.send(apiKey, body, { version: Math.min(connection.version(apiKey), versionMax) }));
      if (coordinatorCodes.has(answered.errorCode)) cluster.forgetCoordinator(transactionalId, 1);
      return answered;
    });
  }

  produce(topic: string, partition: number, batch: Uint8Array, acks: -1 | 0 | 1, transactionalId?: string): Promise<{ baseOffset: number; logStartOffset: number }> {
    return this.#with(async (cluster) => {
      const { connection } = await this.#leaderConnection(cluster, topic, partition, 'control');
      const body = {
        transactionalId: transactionalId ?? null,
        acks,
        timeoutMs: this.#options.requestTimeoutMs,
        topics: [{ topicName: topic, topicId: zeroTopicId(), partitions: [{ partitionIndex: partition, records: batch }] }],
      };
      if (acks === 0) {
        await connection.sendWithoutResponse(ApiKey.Produce, body, { version: Math.min(connection.version(ApiKey.Produce), produceByNameVersionMax) });
        return { baseOffset: -1, logStartOffset: -1 };
      }
      const response = await connection.send(ApiKey.Produce, body, { timeoutMs: this.#options.requestTimeoutMs + 5_000, version: Math.min(connection.version(ApiKey.Produce), produceByNameVersionMax) });
      const answer = response.responses.find((t) => t.topicName === topic)?.partitions.find((p) => p.partitionIndex === partition);
      if (answer === undefined) throw new LanesError(ErrorCode.UNKNOWN_SERVER_ERROR, `produce to ${topic}/${partition}: no answer for the partition`);
      if (answer.errorCode !== ErrorCode.NONE) {
        if (staleMetadataCodes.has(answer.errorCode)) this.#forget(topic);
        throw failed(answer.errorCode, `produce to ${topic}/${partition}`, answer.errorMessage ?? answer.recordErrors[0]?.batchIndexErrorMessage);
      }
      return { baseOffset: answer.baseOffset, logStartOffset: answer.logStartOffset };
    });
  }

  /**
   * One Fetch per leader on its fetch lane, long-polling `maxWaitMs` (min bytes 1). A wake-up
   * answers at once with nothing; the broker's late answer is dropped (and holds the fetch lane
   * until it comes, so the next fetch queues behind it).
   */
  async fetch(requests: readonly PortFetchRequest[], maxWaitMs: number, wake: Promise<void>, isolation: IsolationLevel = 'read_uncommitted'): Promise<PortFetchResult[]> {
    const empty = (errorCode: number): PortFetchResult => ({ errorCode, batches: [], highWatermark: -1, logStartOffset: -1, abortedTransactions: null, release: () => {} });
    const fetching = this.#with(async (cluster) => {
      const results: PortFetchResult[] = requests.map(() => empty(ErrorCode.NONE));
      const byLeader = new Map<number, number[]>();
      for (const [i, { topic, partition }] of requests.entries()) {
        const layout = await this.#layout(cluster, topic);
        const leader = layout?.leaders[partition];
        if (leader === undefined || leader < 0) {
          results[i] = empty(leader === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.LEADER_NOT_AVAILABLE);
          this.#forget(topic);
          continue;
        }
        const sameLeader = byLeader.get(leader);
        if (sameLeader === undefined) byLeader.set(leader, [i]);
        else sameLeader.push(i);
      }
      await Promise.all(
        [...byLeader].map(async ([leader, indexes]) => {
          const connection = await cluster.connection(leader, 'fetch');
          const topics = new Map<string, FetchRequestPartition[]>();
          for (const i of indexes) {
            const { topic, partition, fetchOffset, maxBytes } = requests[i];
            const asked = { partitionIndex: partition, currentLeaderEpoch: -1, fetchOffset, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: maxBytes, replicaDirectoryId: zeroTopicId() };
            const list = topics.get(topic);
            if (list === undefined) topics.set(topic, [asked]);
            else list.push(asked);
          }
          const response = await connection.send(
            ApiKey.Fetch,
            {
              clusterId: null,
              replicaId: -1,
              replicaState: { replicaId: -1, replicaEpoch: -1 },
              maxWaitMs,
              minBytes: 1,
              maxBytes: 0x7fff_ffff,
              isolationLevel: isolation === 'read_committed' ? 1 : 0,
              sessionId: 0,
              sessionEpoch: -1,
              topics: [...topics].map(([topicName, partitions]) => ({ topicName, topicId: zeroTopicId(), partitions })),
              forgottenTopicsData: [],
              rackId: '',
            },
            { timeoutMs: this.#options.requestTimeoutMs + maxWaitMs, version: Math.min(connection.version(ApiKey.Fetch), fetchByNameVersionMax) },
          );
          if (response.errorCode !== ErrorCode.NONE) {
            for (const i of indexes) results[i] = empty(response.errorCode);
            return;
          }
          for (const answer of response.responses) {
            for (const partition of answer.partitions) {
              const i = indexes.find((index) => requests[index].topic === answer.topicName && requests[index].partition === partition.partitionIndex);
              if (i === undefined) continue;
              if (staleMetadataCodes.has(partition.errorCode)) this.#forget(answer.topicName);
              results[i] = {
                errorCode: partition.errorCode,
                batches: partition.records === null || partition.records.length === 0 ? [] : [concatChunks(partition.records)],
                highWatermark: partition.highWatermark,
                logStartOffset: partition.logStartOffset,
                abortedTransactions: partition.abortedTransactions,
                release: () => {},
              };
            }
          }
        }),
      );
      return results;
    });
    fetching.catch(() => {});
    const woken = wake.then(() => null);
    const answered = await Promise.race([fetching, woken]);
    // Outside #with, which would turn an InvariantError into NETWORK_EXCEPTION.
    assert(answered === null || answered.length === requests.length, 'the fetch answers every requested partition, in request order');
    return answered ?? requests.map(() => empty(ErrorCode.NONE));
  }

  // ─── Groups ──────────────────────────────────────────────────────────────────────────────────
  // Each call's request and result are those of core/group/group_calls.ts.

  joinGroup(request: GroupRequestOf<'joinGroup'>): Promise<GroupResultOf<'joinGroup'>> {
    assert(request.protocols.length > 0, `group ${request.groupId}: a JoinGroup offers at least one protocol`);
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'group');
      const response = await connection.send(
        ApiKey.JoinGroup,
        {
          groupId: request.groupId,
          sessionTimeoutMs: request.sessionTimeoutMs,
          rebalanceTimeoutMs: request.rebalanceTimeoutMs,
          memberId: request.memberId,
          groupInstanceId: request.groupInstanceId,
          protocolType: request.protocolType,
          protocols: request.protocols.map(({ name, metadata }) => ({ name, metadata })),
          reason: request.reason ?? null,
        },
        // The coordinator holds JoinGroup for up to the rebalance timeout.
        { timeoutMs: request.rebalanceTimeoutMs + this.#options.requestTimeoutMs },
      );
      this.#coordinatorAnswered(cluster, request.groupId, response.errorCode);
      return {
        errorCode: response.errorCode,
        generationId: response.generationId,
        protocolType: response.protocolType,
        protocolName: response.errorCode === ErrorCode.NONE ? response.protocolName : null,
        leader: response.leader,
        skipAssignment: response.skipAssignment,
        memberId: response.memberId,
        members: response.members.map(({ memberId, groupInstanceId, metadata }) => ({ memberId, groupInstanceId, metadata })),
      };
    });
  }

  syncGroup(request: GroupRequestOf<'syncGroup'>): Promise<GroupResultOf<'syncGroup'>> {
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'group');
      const response = await connection.send(ApiKey.SyncGroup, {
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        protocolType: request.protocolType,
        protocolName: request.protocolName,
        assignments: request.assignments.map(({ memberId, assignment }) => ({ memberId, assignment })),
      });
      this.#coordinatorAnswered(cluster, request.groupId, response.errorCode);
      return { errorCode: response.errorCode, protocolType: response.protocolType, protocolName: response.protocolName, assignment: response.assignment };
    });
  }

  heartbeat(request: GroupRequestOf<'heartbeat'>): Promise<GroupResultOf<'heartbeat'>> {
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'control');
      const response = await connection.send(ApiKey.Heartbeat, { ...request });
      this.#coordinatorAnswered(cluster, request.groupId, response.errorCode);
      return { errorCode: response.errorCode };
    });
  }

  leaveGroup(request: GroupRequestOf<'leaveGroup'>): Promise<GroupResultOf<'leaveGroup'>> {
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'control');
      const version = connection.version(ApiKey.LeaveGroup);
      const response = await connection.send(ApiKey.LeaveGroup, {
        groupId: request.groupId,
        memberId: request.members[0]?.memberId ?? '',
        members: request.members.map(({ memberId, groupInstanceId, reason }) => ({ memberId, groupInstanceId, reason: reason ?? null })),
      }, { version });
      this.#coordinatorAnswered(cluster, request.groupId, response.errorCode);
      return {
        errorCode: response.errorCode,
        members: version >= 3 ? response.members.map(({ memberId, groupInstanceId, errorCode }) => ({ memberId, groupInstanceId, errorCode })) : request.members.map(({ memberId, groupInstanceId }) => ({ memberId, groupInstanceId, errorCode: response.errorCode })),
      };
    });
  }

  /**
   * KIP-848's heartbeat. Topics travel by id: owned topics are looked up in Metadata (all topics,
   * once, when one is not known yet), and so are assigned ids this port has not seen; a topic
   * Metadata does not know (deleted meanwhile) is left out both ways.
   */
  consumerGroupHeartbeat(request: GroupRequestOf<'consumerGroupHeartbeat'>): Promise<GroupResultOf<'consumerGroupHeartbeat'>> {
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'control');
      const owned = request.ownedPartitions;
      if (owned !== null && owned.some(({ topic }) => !this.#topicIds.has(topic))) this.#remember(await cluster.metadata(null));
      const response = await connection.send(ApiKey.ConsumerGroupHeartbeat, {
        groupId: request.groupId,
        memberId: request.memberId,
        memberEpoch: request.memberEpoch,
        instanceId: request.instanceId,
        rackId: request.rackId,
        rebalanceTimeoutMs: request.rebalanceTimeoutMs,
        subscribedTopicNames: request.subscribedTopicNames === null ? null : [...request.subscribedTopicNames],
        subscribedTopicRegex: request.subscribedTopicRegex,
        serverAssignor: request.serverAssignor,
        topicPartitions:
          owned === null
            ? null
            : owned.flatMap(({ topic, partitions }) => {
                const topicId = this.#topicIds.get(topic);
                return topicId === undefined ? [] : [{ topicId, partitions: [...partitions] }];
              }),
      });
      this.#coordinatorAnswered(cluster, request.groupId, response.errorCode);
      const assigned = response.assignment?.topicPartitions ?? [];
      if (assigned.some(({ topicId }) => !this.#topicNames.has(topicIdText(topicId)))) this.#remember(await cluster.metadata(null));
      return {
        errorCode: response.errorCode,
        errorMessage: response.errorMessage,
        memberId: response.memberId,
        memberEpoch: response.memberEpoch,
        heartbeatIntervalMs: response.heartbeatIntervalMs,
        assignment:
          response.assignment === null
            ? null
            : response.assignment.topicPartitions.flatMap(({ topicId, partitions }) => {
                const topic = this.#topicNames.get(topicIdText(topicId));
                return topic === undefined ? [] : [{ topic, partitions }];
              }),
      };
    });
  }

  offsetCommit(request: GroupRequestOf<'offsetCommit'>): Promise<GroupResultOf<'offsetCommit'>> {
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'control');
      const response = await connection.send(ApiKey.OffsetCommit, {
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId,
        retentionTimeMs: -1,
        topics: request.topics.map(({ name, partitions }) => ({
          topicName: name,
          partitions: partitions.map(({ partitionIndex, committedOffset, committedLeaderEpoch, committedMetadata }) => ({ partitionIndex, committedOffset, committedLeaderEpoch, committedMetadata })),
        })),
      });
      const topics = response.topics.map(({ topicName, partitions }) => ({ name: topicName, partitions: partitions.map(({ partitionIndex, errorCode }) => ({ partitionIndex, errorCode })) }));
      for (const topic of topics) for (const partition of topic.partitions) this.#coordinatorAnswered(cluster, request.groupId, partition.errorCode);
      return { topics };
    });
  }

  offsetFetch(request: GroupRequestOf<'offsetFetch'>): Promise<GroupResultOf<'offsetFetch'>> {
    return this.#with(async (cluster) => {
      const connection = await this.#coordinator(cluster, request.groupId, 'control');
      // v7 at most: one group per request, answered in the top-level topics (v8 asks by groups).
      const response = await connection.send(
        ApiKey.OffsetFetch,
        {
          groupId: request.groupId,
          topics: request.topics === null ? null : request.topics.map(({ name, partitionIndexes }) => ({ topicName: name, partitionIndexes: [...partitionIndexes] })),
          groups: [],
          requireStable: false,
        },
        { version: offsetFetchSingleGroupVersionMax },
      );
      this.#coordinatorAnswered(cluster, request.groupId, response.errorCode);
      return {
        errorCode: response.errorCode,
        topics: response.topics.map(({ topicName, partitions }) => ({
          name: topicName,
          partitions: partitions.map(({ partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode }) => ({ partitionIndex, committedOffset, committedLeaderEpoch: committedLeaderEpoch ?? -1, metadata, errorCode })),
        })),
      };
    });
  }

  describeGroups(groupIds: GroupRequestOf<'describeGroups'>): Promise<GroupResultOf<'describeGroups'>> {
    return this.#with(async (cluster) =>
      Promise.all(
        groupIds.map(async (groupId) => {
          const connection = await this.#coordinator(cluster, groupId, 'control');
          // v5: an id without a classic group is described as Dead, as KafkaJS's admin shows it (v6
          // answers GROUP_ID_NOT_FOUND instead).
          const response = await connection.send(ApiKey.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false }, { version: 5 });
          const group = response.groups[0];
          return {
            errorCode: group.errorCode,
            groupId: group.groupId,
            groupState: group.groupState as GroupState,
            protocolType: group.protocolType,
            protocolData: group.protocolData,
            members: group.members.map((member) => ({
              memberId: member.memberId,
              groupInstanceId: member.groupInstanceId ?? null,
              clientId: member.clientId,
              clientHost: member.clientHost,
              memberMetadata: member.memberMetadata,
              memberAssignment: member.memberAssignment,
            })),
          };
        }),
      ),
    );
  }

  deleteGroups(groupIds: GroupRequestOf<'deleteGroups'>): Promise<GroupResultOf<'deleteGroups'>> {
    return this.#with(async (cluster) =>
      Promise.all(
        groupIds.map(async (groupId) => {
          const connection = await this.#coordinator(cluster, groupId, 'control');
          const response = await connection.send(ApiKey.DeleteGroups, { groupsNames: [groupId] });
          return { groupId, errorCode: response.results.find((result) => result.groupId === groupId)?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR };
        }),
      ),
    );
  }

  /** Every broker's groups (each broker lists the groups it coordinates). */
  listGroups(): Promise<GroupListing[]> {
    return this.#with(async (cluster) => {
      const metadata = await cluster.metadata([]);
      const perBroker = await Promise.all(
        metadata.brokers.map(async (broker) => {
          const connection = await cluster.connection(broker.nodeId);
          const response = await connection.send(ApiKey.ListGroups, { statesFilter: [], typesFilter: [] });
          if (response.errorCode !== ErrorCode.NONE) throw failed(response.errorCode, 'list groups');
          return response.groups.map(({ groupId, protocolType }) => ({ groupId, protocolType, groupState: '' }));
        }),
      );
      return perBroker.flat().sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
    });
  }

  topicsChanged(): void {
    // Other processes' consumers cannot hear it; consumers over the wire poll Metadata.
  }

  onTopicsChanged(): () => void {
    return () => {};
  }
}
