// KafkaJS's admin client over a BrokerPort: topics, partitions, offsets and groups. In-process,
// every call that changes topics tells this Lanes' consumers at once, so a regex subscription or a
// grown topic rebalances without waiting for the next metadata poll; over the wire consumers poll.

import { ErrorCode, LanesError, errorCodeName, isMemberRefusalErrorCode, messageDetail, quoted } from '../../core/errors.js';
import { activeGroupMessage } from '../../core/group/empty_group_rule.js';
import { earliestTimestamp, type BrokerPort } from './broker_port.js';
import { toGroupDescription } from './group_description.js';
import { adminEvents, InstrumentationEmitter, type AdminEventName } from './instrumentation.js';
import type { ClientContext } from './lanes.js';
import type { AlterConfigResponse, DescribeConfigResponse, GroupDescription, GroupOverview, InstrumentationEvent, IResourceConfig, ITopicConfig, ITopicMetadata, RemoveInstrumentationEventListener, ResourceConfigQuery } from './types.js';

function unknownTopic(topic: string): LanesError {
  return new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
}

/** KafkaJS refuses an empty or malformed resource list before asking the broker; so does Lanes. */
function checkResources(what: string, resources: readonly { type: number; name: string }[]): void {
  if (!Array.isArray(resources) || resources.length === 0) throw new LanesError(ErrorCode.INVALID_REQUEST, `${what}: resources must be a non-empty array`);
  for (const resource of resources) {
    if (typeof resource.name !== 'string' || (resource.name === '' && resource.type !== 4)) throw new LanesError(ErrorCode.INVALID_REQUEST, `${what}: every resource needs a name`);
  }
}

/** KafkaJS throws the first resource's error; so does Lanes, with the broker's message. */
function throwFirstFailure(what: string, answers: readonly { errorCode: number; errorMessage: string | null; resourceName: string }[]): void {
  const failed = answers.find((answer) => answer.errorCode !== ErrorCode.NONE);
  if (failed !== undefined) {
    throw new LanesError(failed.errorCode, failed.errorMessage === null ? `${what} of ${failed.resourceName} failed` : `${what} of ${failed.resourceName}: ${messageDetail(failed.errorCode, failed.errorMessage)}`);
  }
}

export class Admin {
  /** KafkaJS's admin.events. */
  readonly events = adminEvents;
  readonly #context: ClientContext;
  readonly #emitter: InstrumentationEmitter<AdminEventName>;
  readonly #port: BrokerPort;

  constructor(context: ClientContext) {
    this.#context = context;
    this.#emitter = new InstrumentationEmitter(adminEvents, context.logger);
    this.#port = context.openPort(this.#emitter.requestObserver(adminEvents));
  }

  async connect(): Promise<void> {
    this.#context.track(this);
    this.#emitter.emit(adminEvents.CONNECT, {});
  }

  async disconnect(): Promise<void> {
    this.#context.untrack(this);
    await this.#port.close();
    this.#emitter.emit(adminEvents.DISCONNECT, {});
  }

  /** KafkaJS's instrumentation: `admin.on(admin.events.REQUEST, (event) => …)`; returns the remover. */
  on<T = unknown>(eventName: AdminEventName, listener: (event: InstrumentationEvent<T>) => void | Promise<void>): RemoveInstrumentationEventListener {
    return this.#emitter.on(eventName, listener);
  }

  /** True when every topic was created, false when some already existed (KafkaJS). */
  async createTopics({ topics, validateOnly = false }: { topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }): Promise<boolean> {
    let created = true;
    try {
      for (const topic of topics) {
        const partitions = topic.numPartitions === undefined || topic.numPartitions === -1 ? 1 : topic.numPartitions;
        if (!Number.isInteger(partitions) || partitions < 1) throw new LanesError(ErrorCode.INVALID_PARTITIONS, `numPartitions of ${topic.topic} must be a positive integer, got ${topic.numPartitions}`);
        if (!(await this.#port.createTopic({ topic: topic.topic, partitions, configEntries: topic.configEntries ?? [] }, validateOnly))) created = false;
      }
    } finally {
      this.#port.topicsChanged();
    }
    return created;
  }

  async deleteTopics({ topics }: { topics: string[]; timeout?: number }): Promise<void> {
    try {
      for (const topic of topics) await this.#port.deleteTopic(topic);
    } finally {
      this.#port.topicsChanged();
    }
  }

  async createPartitions({ topicPartitions }: { topicPartitions: { topic: string; count: number }[]; validateOnly?: boolean; timeout?: number }): Promise<void> {
    try {
      for (const { topic, count } of topicPartitions) await this.#port.createPartitions(topic, count);
    } finally {
      this.#port.topicsChanged();
    }
  }

  async listTopics(): Promise<string[]> {
    return [...(await this.#port.partitionCounts()).keys()];
  }

  async fetchTopicMetadata({ topics }: { topics?: string[] } = {}): Promise<{ topics: ITopicMetadata[] }> {
    const counts = await this.#port.partitionCounts();
    const names = topics ?? [...counts.keys()];
    return {
      topics: names.map((name) => {
        const count = counts.get(name);
        if (count === undefined) throw unknownTopic(name);
        return {
          name,
          partitions: Array.from({ length: count }, (_, partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] })),
        };
      }),
    };
  }

  /** Per partition: `offset` and `high` are the high watermark, `low` the log start offset. */
  async fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: string; high: string; low: string }[]> {
    const offsets = await this.#port.topicOffsets(topic);
    if (offsets === undefined) throw unknownTopic(topic);
    return offsets.map((partition) => ({ partition: partition.partition, offset: String(partition.highWatermark), high: String(partition.highWatermark), low: String(partition.logStartOffset) }));
  }

  /** The first offset of each partition whose record timestamp is ≥ `timestamp` (-1 past the end). */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]> {
    const count = await this.#port.partitionCount(topic);
    if (count === undefined) throw unknownTopic(topic);
    if (timestamp < 0) throw new RangeError(`fetchTopicOffsetsByTimestamp: timestamp must be ≥ 0, got ${timestamp} (${earliestTimestamp} and -1 are reserved)`);
    return Promise.all(Array.from({ length: count }, async (_, partition) => ({ partition, offset: String(await this.#port.listOffset(topic, partition, timestamp)) })));
  }

  /** Committed offsets of a group: -1 where nothing is committed (KafkaJS). */
  async fetchOffsets({ groupId, topics }: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]> {
    const names = topics ?? null;
    const counts = names === null ? new Map<string, number>() : await this.#port.partitionCounts();
    const request = names === null
      ? null
      : names.map((name) => {
          const count = counts.get(name);
          if (count === undefined) throw unknownTopic(name);
          return { name, partitionIndexes: Array.from({ length: count }, (_, i) => i) };
        });
    const response = await this.#port.offsetFetch({ groupId, topics: request });
    if (response.errorCode !== ErrorCode.NONE) throw new LanesError(response.errorCode, `fetching the offsets of group ${groupId} failed`);
    return response.topics.map((topic) => ({
      topic: topic.name,
      // KafkaJS answers null for no metadata, whether the broker sent null or "" (Kafka sends "").
      partitions: topic.partitions.map((partition) => ({ partition: partition.partitionIndex, offset: String(partition.committedOffset), metadata: partition.metadata || null })),
    }));
  }

  /** Sets the group's offsets; the group must have no members (Kafka's rule for such commits). */
  async setOffsets({ groupId, topic, partitions }: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    const response = await this.#port.offsetCommit({
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: topic, partitions: partitions.map(({ partition, offset }) => ({ partitionIndex: partition, committedOffset: Number(offset), committedLeaderEpoch: -1, committedMetadata: null })) }],
    });
    for (const each of response.topics) {
      for (const partition of each.partitions) {
        if (partition.errorCode === ErrorCode.NONE) continue;
        // A commit without a generation, refused because the group has members.
        if (isMemberRefusalErrorCode(partition.errorCode)) {
          const [group] = await this.#port.describeGroups([groupId]);
          throw new LanesError(partition.errorCode, activeGroupMessage(groupId, group?.groupState ?? 'active', group?.members.length ?? 0, 'setOffsets'));
        }
        throw new LanesError(partition.errorCode, `setting the offset of ${topic}/${partition.partitionIndex} for group ${groupId} failed`);
      }
    }
  }

  /** Moves a group to the start (earliest) or end of every partition of a topic. */
  async resetOffsets({ groupId, topic, earliest = false }: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const offsets = await this.fetchTopicOffsets(topic);
    await this.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, high, low }) => ({ partition, offset: earliest ? low : high })) });
  }

  /**
   * Deletes the records of a topic's partitions below each given offset ('-1': below the high
   * watermark): the log start offset moves there and consumers can no longer fetch below it
   * (KafkaJS). Throws when any partition is refused, naming each with its error.
   */
  async deleteTopicRecords({ topic, partitions }: { topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    if (typeof topic !== 'string' || topic === '') throw new TypeError(`deleteTopicRecords: invalid topic ${quoted(String(topic))}`);
    if (!Array.isArray(partitions) || partitions.length === 0) throw new TypeError('deleteTopicRecords: partitions must list at least one { partition, offset }');
    const offsets = partitions.map(({ partition, offset }) => {
      const parsed = Number(offset);
      if (!Number.isSafeInteger(parsed) || parsed < -1) throw new RangeError(`deleteTopicRecords: offset of partition ${partition} must be an integer ≥ -1, got ${quoted(String(offset))}`);
      return { partition, offset: parsed };
    });
    const answers = await this.#port.deleteRecords(topic, offsets);
    const refused = answers.filter(({ errorCode }) => errorCode !== ErrorCode.NONE);
    if (refused.length > 0) {
      const list = refused.map(({ partition, errorCode }) => `partition ${partition}: ${errorCodeName(errorCode)}`).join(', ');
      throw new LanesError(refused[0].errorCode, `deleting records of topic ${topic} failed (${list})`);
    }
  }

  /** The cluster's brokers, controller (null when none is known) and id (KafkaJS). */
  async describeCluster(): Promise<{ brokers: { nodeId: number; host: string; port: number }[]; controller: number | null; clusterId: string }> {
    const cluster = await this.#port.describeCluster();
    return {
      brokers: cluster.brokers.map(({ nodeId, host, port }) => ({ nodeId, host, port })),
      controller: cluster.controllerId >= 0 ? cluster.controllerId : null,
      clusterId: cluster.clusterId ?? '',
    };
  }

  /**
   * Configs of topics (type 2) and the broker (type 4), as KafkaJS answers them; a resource the
   * broker refuses (an unknown topic, say) throws its LanesError, as KafkaJS throws.
   */
  async describeConfigs({ resources, includeSynonyms = false }: { resources: ResourceConfigQuery[]; includeSynonyms?: boolean }): Promise<DescribeConfigResponse> {
    checkResources('describeConfigs', resources);
    const described = await this.#port.describeConfigs(
      resources.map(({ type, name, configNames }) => ({ resourceType: type, resourceName: name, configurationKeys: configNames === undefined || configNames.length === 0 ? null : configNames })),
      includeSynonyms,
    );
    throwFirstFailure('describe configs', described);
    return {
      resources: described.map((resource) => ({
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        errorCode: resource.errorCode,
        errorMessage: resource.errorMessage,
        configEntries: resource.configs.map((config) => ({
          configName: config.name,
          configValue: config.value,
          // A broker answering v0 has no source: its isDefault flag says as much as it knows.
          configSource: config.configSource >= 0 ? config.configSource : config.isDefault ? 5 : 0,
          isDefault: config.configSource >= 0 ? config.configSource === 5 : config.isDefault,
          isSensitive: config.isSensitive,
          readOnly: config.readOnly,
          configSynonyms: config.synonyms.map((synonym) => ({ configName: synonym.name, configValue: synonym.value, configSource: synonym.source })),
        })),
      })),
      throttleTime: 0,
    };
  }

  /**
   * Replaces the configs of each resource (KafkaJS's alterConfigs: the configs left out go back to
   * their defaults), or only checks them with validateOnly. A refused resource throws its LanesError.
   */
  async alterConfigs({ resources, validateOnly = false }: { resources: IResourceConfig[]; validateOnly?: boolean }): Promise<AlterConfigResponse> {
    checkResources('alterConfigs', resources);
    for (const resource of resources) {
      if (!Array.isArray(resource.configEntries)) throw new LanesError(ErrorCode.INVALID_REQUEST, `alterConfigs: resource ${resource.name} needs a configEntries array`);
    }
    const answers = await this.#port.alterConfigs(
      resources.map(({ type, name, configEntries }) => ({ resourceType: type, resourceName: name, configs: configEntries.map((entry) => ({ name: entry.name, value: entry.value })) })),
      validateOnly,
    );
    throwFirstFailure('alter configs', answers);
    return { resources: answers.map(({ errorCode, errorMessage, resourceName, resourceType }) => ({ errorCode, errorMessage, resourceName, resourceType })), throttleTime: 0 };
  }

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    const groups = await this.#port.listGroups();
    return { groups: groups.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.groupState })) };
  }

  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    const groups = await this.#port.describeGroups(groupIds);
    return { groups: groups.map(toGroupDescription) };
  }

  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const deleted = await this.#port.deleteGroups(groupIds);
    return deleted.map(({ groupId, errorCode }) => ({ groupId, errorCode }));
  }
}
