// The BrokerPort of an embedded client: direct calls into the Broker of this process (Lanes.start()).
// Main thread. Fetched bytes are views into shared memory until release().
//
// The long poll: fetch every partition; if none has records, park on the Broker's high-watermark
// waiters (waitForData re-reads the partition's directory slot before it registers, so a record
// appended after the empty fetch is never missed), on `wake`, or on the deadline; then fetch again.

import { ErrorCode, LanesError, isLanesError } from '../../core/errors.js';
import { defaultClusterId, defaultNodeId } from '../../core/handlers/handler.js';
import { producerIds } from '../../core/handlers/init_producer_id.js';
import type { Broker } from '../host/broker.js';
import { checkLogCanHonour, parseTopicConfigs } from '../../core/handlers/topic_config.js';
import { alterConfigResource } from '../../core/handlers/alter_config_resource.js';
import { answerPerResource, type ResourceAnswer } from '../../core/handlers/config_resources.js';
import { describeConfigResource, type DescribedResource } from '../../core/handlers/describe_configs.js';
import type { ServerSettings } from '../../core/handlers/handler.js';
import {
  earliestTimestamp,
  latestTimestamp,
  type BrokerPort,
  type ConfigResourceChange,
  type ConfigResourceQuery,
  type GroupListing,
  type IsolationLevel,
  type PartitionOffsets,
  type PortFetchRequest,
  type PortFetchResult,
  type TopicToCreate,
  type TxnPortApi,
} from './broker_port.js';
import type { ClusterDescription, DeletedRecords } from '../net/cluster.js';

/** What the port needs of its Lanes (kept narrow to avoid an import cycle with lanes.ts). */
export interface EmbeddedHost {
  readonly broker: Broker;
  ensureTopic(topic: string): Promise<number>;
  topicsChanged(): void;
  onTopicsChanged(listener: () => void): () => void;
}

/**
 * The broker settings an embedded broker reports as its configs: the defaults a Kafka listener
 * starts with (node 0, auto-created topics of one partition: ensureTopic's).
 */
const embeddedSettings: ServerSettings = { nodeId: 0, clusterId: 'lanes', autoCreateTopics: true, defaultPartitions: 1 };

function unknownTopic(topic: string): LanesError {
  return new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
}

export class EmbeddedPort implements BrokerPort {
  readonly clientHost = '/embedded';
  readonly verifyFetchedCrc = false;
  readonly #host: EmbeddedHost;

  constructor(host: EmbeddedHost) {
    this.#host = host;
  }

  get #broker(): Broker {
    return this.#host.broker;
  }

  async partitionCounts(): Promise<Map<string, number>> {
    return new Map(this.#broker.listTopics().map((topic) => [topic.name, topic.partitions.length]));
  }

  async partitionCount(topic: string): Promise<number | undefined> {
    return this.#broker.topic(topic)?.partitions.length;
  }

  ensureTopic(topic: string): Promise<number> {
    return this.#host.ensureTopic(topic);
  }

  async createTopic({ topic, partitions, configEntries }: TopicToCreate, validateOnly: boolean): Promise<boolean> {
    // Checked as CreateTopics checks them (INVALID_CONFIG), before the topic is looked up.
    const { overrides, config } = parseTopicConfigs(configEntries);
    checkLogCanHonour({ ...this.#broker.topicConfigDefaults, ...config });
    if (this.#broker.topic(topic) !== undefined) return false;
    if (!validateOnly) await this.#broker.createTopic(topic, { partitions, configs: overrides });
    return true;
  }

  async deleteTopic(topic: string): Promise<void> {
    if (this.#broker.topic(topic) === undefined) throw unknownTopic(topic);
    await this.#broker.deleteTopic(topic);
  }

  async createPartitions(topic: string, count: number): Promise<void> {
    const current = this.#broker.topic(topic)?.partitions.length;
    if (current === undefined) throw unknownTopic(topic);
    if (count <= current) throw new LanesError(ErrorCode.INVALID_PARTITIONS, `topic ${topic} has ${current} partitions; the new count ${count} must be larger`);
    await this.#broker.createPartitions(topic, count);
  }

  async describeConfigs(resources: readonly ConfigResourceQuery[], includeSynonyms: boolean): Promise<DescribedResource[]> {
    const host = { broker: this.#broker, settings: embeddedSettings };
    return resources.map((resource) => describeConfigResource(host, resource.resourceType, resource.resourceName, resource.configurationKeys, { includeSynonyms, includeDocumentation: false }));
  }

  /** The same checks and effects as AlterConfigs over the wire (alter_config_resource.ts). */
  async alterConfigs(resources: readonly ConfigResourceChange[], validateOnly: boolean): Promise<ResourceAnswer[]> {
    const host = { broker: this.#broker, settings: embeddedSettings };
    return answerPerResource(resources, (resource) => alterConfigResource(host, resource.resourceType, resource.resourceName, { kind: 'replace', configs: resource.configs }, validateOnly));
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[] | undefined> {
    return this.#broker.describeTopic(topic)?.partitions.map(({ partition, logStartOffset, highWatermark }) => ({ partition, logStartOffset, highWatermark }));
  }

  async listOffset(topic: string, partition: number, timestamp: number, isolation: IsolationLevel = 'read_uncommitted'): Promise<number> {
    if (timestamp === earliestTimestamp || timestamp === latestTimestamp) {
      const described = this.#broker.describeTopic(topic)?.partitions[partition];
      if (described === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} partition ${partition} does not exist`);
      if (timestamp === earliestTimestamp) return described.logStartOffset;
      return isolation === 'read_committed' ? described.lastStableOffset : described.highWatermark;
    }
    return this.#broker.offsetForTimestamp(topic, partition, timestamp);
  }

  async deleteRecords(topic: string, offsets: readonly { partition: number; offset: number }[]): Promise<DeletedRecords[]> {
    if (this.#broker.topic(topic) === undefined) throw unknownTopic(topic);
    return Promise.all(
      offsets.map(async ({ partition, offset }) => {
        try {
          return { partition, lowWatermark: await this.#broker.deleteRecords(topic, partition, offset), errorCode: ErrorCode.NONE };
        } catch (error) {
          if (!isLanesError(error)) throw error;
          return { partition, lowWatermark: -1, errorCode: error.errorCode };
        }
      }),
    );
  }

  /**
   * The broker of this process, with the node and cluster ids `lanes start` answers by default,
   * as the only broker and the controller. It listens on no address: host `embedded`, port 0.
   */
  async describeCluster(): Promise<ClusterDescription> {
    return { clusterId: defaultClusterId, controllerId: defaultNodeId, brokers: [{ nodeId: defaultNodeId, host: 'embedded', port: 0, rack: null }] };
  }

  /** From the process-wide allocator the Kafka listener uses too, so ids never collide. */
  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    return producerIds.allocate(Date.now());
  }

  readonly transactions: TxnPortApi = {
    initTransactionalProducer: (request) => this.#broker.initTransactionalProducer(request),
    addPartitionsToTxn: (request) => this.#broker.addPartitionsToTxn(request),
    addOffsetsToTxn: (request) => this.#broker.addOffsetsToTxn(request),
    txnOffsetCommit: (request) => this.#broker.txnOffsetCommit(request),
    endTxn: (request) => this.#broker.endTxn(request),
  };

  async produce(topic: string, partition: number, batch: Uint8Array, acks: -1 | 0 | 1): Promise<{ baseOffset: number; logStartOffset: number }> {
    const result = await this.#broker.produce(topic, partition, batch, { acks });
    return { baseOffset: result.baseOffset, logStartOffset: result.logStartOffset };
  }

  async fetch(requests: readonly PortFetchRequest[], maxWaitMs: number, wake: Promise<void>, isolation: IsolationLevel = 'read_uncommitted'): Promise<PortFetchResult[]> {
    const first = await this.#fetchNow(requests, isolation);
    const answered = first.some((result) => result.errorCode !== ErrorCode.NONE || result.batches.length > 0);
    if (answered || maxWaitMs <= 0 || requests.length === 0) return first;
    for (const result of first) result.release();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
      timer.unref();
    });
    // Past the high watermark seen: in read_committed a partition may hold records above its
    // last stable offset and return none; only a new batch (a marker, say) can change that.
    const grown = requests.map(({ topic, partition, fetchOffset }, i) => this.#broker.waitForData(topic, partition, Math.max(fetchOffset, first[i].highWatermark), maxWaitMs).catch(() => {}));
    try {
      await Promise.race([...grown, wake, deadline]);
    } finally {
      clearTimeout(timer);
    }
    return this.#fetchNow(requests, isolation);
  }

  async #fetchNow(requests: readonly PortFetchRequest[], isolation: IsolationLevel): Promise<PortFetchResult[]> {
    return Promise.all(
      requests.map(async ({ topic, partition, fetchOffset, maxBytes }): Promise<PortFetchResult> => {
        try {
          const result = await this.#broker.fetch(topic, partition, fetchOffset, maxBytes, isolation);
          return { errorCode: ErrorCode.NONE, batches: result.batches, highWatermark: result.highWatermark, logStartOffset: result.logStartOffset, abortedTransactions: result.abortedTransactions, release: result.release };
        } catch (error) {
          if (!isLanesError(error)) throw error;
          return { errorCode: error.errorCode, batches: [], highWatermark: -1, logStartOffset: -1, abortedTransactions: null, release: () => {} };
        }
      }),
    );
  }

  joinGroup: BrokerPort['joinGroup'] = (request) => this.#broker.joinGroup(request);
  syncGroup: BrokerPort['syncGroup'] = (request) => this.#broker.syncGroup(request);
  heartbeat: BrokerPort['heartbeat'] = (request) => this.#broker.heartbeat(request);
  leaveGroup: BrokerPort['leaveGroup'] = (request) => this.#broker.leaveGroup(request);
  offsetCommit: BrokerPort['offsetCommit'] = (request) => this.#broker.offsetCommit(request);
  consumerGroupHeartbeat: BrokerPort['consumerGroupHeartbeat'] = (request) => this.#broker.consumerGroupHeartbeat(request);
  offsetFetch: BrokerPort['offsetFetch'] = (request) => this.#broker.offsetFetch(request);
  describeGroups: BrokerPort['describeGroups'] = (groupIds) => this.#broker.describeGroups(groupIds);
  deleteGroups: BrokerPort['deleteGroups'] = (groupIds) => this.#broker.deleteGroups(groupIds);

  async listGroups(): Promise<GroupListing[]> {
    return (await this.#broker.listGroups()).map(({ groupId, protocolType, groupState }) => ({ groupId, protocolType, groupState }));
  }

  topicsChanged(): void {
    this.#host.topicsChanged();
  }

  onTopicsChanged(listener: () => void): () => void {
    return this.#host.onTopicsChanged(listener);
  }

  async close(): Promise<void> {}
}
