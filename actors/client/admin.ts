// KafkaJS's admin client over the embedded Broker: topics, partitions, offsets and groups. Every
// call that changes topics tells this Lanes' consumers at once, so a regex subscription or a grown
// topic rebalances without waiting for the next metadata poll.

import { ErrorCode, LanesError } from '../../core/errors.js';
import type { TopicConfig } from '../host/topic_registry.js';
import type { ClientContext } from './lanes.js';
import type { GroupDescription, GroupOverview, ITopicConfig, ITopicMetadata } from './types.js';

/** Topic-level configEntries the embedded broker understands, by Kafka's names. */
const topicConfigNames: Record<string, keyof TopicConfig> = {
  'retention.ms': 'retentionMs',
  'retention.bytes': 'retentionBytes',
  'segment.bytes': 'segmentBytes',
  'max.message.bytes': 'maxMessageBytes',
};

export class Admin {
  readonly #context: ClientContext;

  constructor(context: ClientContext) {
    this.#context = context;
  }

  async connect(): Promise<void> {
    this.#context.track(this);
  }

  async disconnect(): Promise<void> {
    this.#context.untrack(this);
  }

  /** True when every topic was created, false when some already existed (KafkaJS). */
  async createTopics({ topics, validateOnly = false }: { topics: ITopicConfig[]; validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number }): Promise<boolean> {
    const broker = this.#context.broker;
    let created = true;
    for (const topic of topics) {
      const partitions = topic.numPartitions === undefined || topic.numPartitions === -1 ? 1 : topic.numPartitions;
      if (!Number.isInteger(partitions) || partitions < 1) throw new LanesError(ErrorCode.INVALID_PARTITIONS, `numPartitions of ${topic.topic} must be a positive integer, got ${topic.numPartitions}`);
      const config: Partial<TopicConfig> = {};
      for (const { name, value } of topic.configEntries ?? []) {
        const field = topicConfigNames[name];
        if (field === undefined) throw new LanesError(ErrorCode.INVALID_CONFIG, `topic config ${name} is not supported by the embedded broker`);
        config[field] = Number(value);
      }
      if (broker.topic(topic.topic) !== undefined) {
        created = false;
        continue;
      }
      if (validateOnly) continue;
      await broker.createTopic(topic.topic, { partitions, config });
    }
    this.#context.topicsChanged();
    return created;
  }

  async deleteTopics({ topics }: { topics: string[]; timeout?: number }): Promise<void> {
    for (const topic of topics) {
      if (this.#context.broker.topic(topic) === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
      await this.#context.broker.deleteTopic(topic);
    }
    this.#context.topicsChanged();
  }

  async createPartitions({ topicPartitions }: { topicPartitions: { topic: string; count: number }[]; validateOnly?: boolean; timeout?: number }): Promise<void> {
    for (const { topic, count } of topicPartitions) {
      const current = this.#context.partitionCount(topic);
      if (current === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
      if (count <= current) throw new LanesError(ErrorCode.INVALID_PARTITIONS, `topic ${topic} has ${current} partitions; the new count ${count} must be larger`);
      await this.#context.broker.createPartitions(topic, count);
    }
    this.#context.topicsChanged();
  }

  async listTopics(): Promise<string[]> {
    return this.#context.broker.listTopics().map((topic) => topic.name);
  }

  async fetchTopicMetadata({ topics }: { topics?: string[] } = {}): Promise<{ topics: ITopicMetadata[] }> {
    const names = topics ?? (await this.listTopics());
    return {
      topics: names.map((name) => {
        const described = this.#context.broker.describeTopic(name);
        if (described === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
        return {
          name,
          partitions: described.partitions.map((partition) => ({ partitionErrorCode: 0, partitionId: partition.partition, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] })),
        };
      }),
    };
  }

  /** Per partition: `offset` and `high` are the high watermark, `low` the log start offset. */
  async fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: string; high: string; low: string }[]> {
    const described = this.#context.broker.describeTopic(topic);
    if (described === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
    return described.partitions.map((partition) => ({ partition: partition.partition, offset: String(partition.highWatermark), high: String(partition.highWatermark), low: String(partition.logStartOffset) }));
  }

  /** The first offset of each partition whose record timestamp is ≥ `timestamp` (-1 past the end). */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]> {
    const count = this.#context.partitionCount(topic);
    if (count === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} does not exist`);
    return Promise.all(Array.from({ length: count }, async (_, partition) => ({ partition, offset: String(await this.#context.broker.offsetForTimestamp(topic, partition, timestamp)) })));
  }

  /** Committed offsets of a group: -1 where nothing is committed (KafkaJS). */
  async fetchOffsets({ groupId, topics }: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string; metadata: string | null }[] }[]> {
    const names = topics ?? null;
    const request = names === null
      ? null
      : names.map((name) => {
          const count = this.#context.partitionCount(name);
          if (count === undefined) throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${name} does not exist`);
          return { name, partitionIndexes: Array.from({ length: count }, (_, i) => i) };
        });
    const response = await this.#context.broker.offsetFetch({ groupId, topics: request });
    if (response.errorCode !== ErrorCode.NONE) throw new LanesError(response.errorCode, `fetching the offsets of group ${groupId} failed`);
    return response.topics.map((topic) => ({
      topic: topic.name,
      partitions: topic.partitions.map((partition) => ({ partition: partition.partitionIndex, offset: String(partition.committedOffset), metadata: partition.metadata })),
    }));
  }

  /** Sets the group's offsets; the group must have no members (Kafka's rule for such commits). */
  async setOffsets({ groupId, topic, partitions }: { groupId: string; topic: string; partitions: { partition: number; offset: string }[] }): Promise<void> {
    const response = await this.#context.broker.offsetCommit({
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [{ name: topic, partitions: partitions.map(({ partition, offset }) => ({ partitionIndex: partition, committedOffset: Number(offset), committedLeaderEpoch: -1, committedMetadata: null })) }],
    });
    for (const each of response.topics) {
      for (const partition of each.partitions) {
        if (partition.errorCode !== ErrorCode.NONE) throw new LanesError(partition.errorCode, `setting the offset of ${topic}/${partition.partitionIndex} for group ${groupId} failed`);
      }
    }
  }

  /** Moves a group to the start (earliest) or end of every partition of a topic. */
  async resetOffsets({ groupId, topic, earliest = false }: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    const offsets = await this.fetchTopicOffsets(topic);
    await this.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, high, low }) => ({ partition, offset: earliest ? low : high })) });
  }

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    const groups = await this.#context.broker.listGroups();
    return { groups: groups.map((group) => ({ groupId: group.groupId, protocolType: group.protocolType, groupState: group.groupState })) };
  }

  async describeGroups(groupIds: string[]): Promise<{ groups: GroupDescription[] }> {
    const groups = await this.#context.broker.describeGroups(groupIds);
    return {
      groups: groups.map((group) => ({
        groupId: group.groupId,
        errorCode: group.errorCode,
        state: group.groupState,
        protocolType: group.protocolType,
        protocol: group.protocolData,
        members: group.members.map((member) => ({
          memberId: member.memberId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          memberMetadata: Buffer.from(member.memberMetadata),
          memberAssignment: Buffer.from(member.memberAssignment),
        })),
      })),
    };
  }

  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const deleted = await this.#context.broker.deleteGroups(groupIds);
    return deleted.map(({ groupId, errorCode }) => ({ groupId, errorCode }));
  }
}
