// @confluentinc/kafka-javascript (librdkafka 2.15.1 under a KafkaJS-shaped API) for the
// compatibility tests. It is not a devDependency: its install builds librdkafka from source
// (minutes), so `npm run clients:install` adds it on purpose (README, Compatibility tests). When it
// is absent, tests skip themselves with a warning naming that command, except in CI (`.ci/run`
// installs it), where they fail. Loaded with require and typed here by the few shapes the tests
// use, so the type check passes without it installed.
import { createRequire } from 'node:module';
import { skipWithoutTool } from '../../support/required_tool.js';

export interface ConfluentMessage {
  key: Buffer | null;
  value: Buffer | null;
  offset: string;
}

export interface ConfluentProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(record: { topic: string; messages: { key?: string | null; value: string; partition?: number; timestamp?: string }[] }): Promise<{ topicName: string; partition: number; errorCode: number }[]>;
}

/** A producer with `transactionalId`: as KafkaJS's, except that sendOffsets takes the consumer (librdkafka needs its group metadata). */
export interface ConfluentTransactionalProducer extends ConfluentProducer {
  transaction(): Promise<ConfluentTransactionalProducer>;
  sendOffsets(offsets: { consumer: ConfluentConsumer; topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface ConfluentConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[] }): Promise<void>;
  run(config: { eachMessage: (payload: { topic: string; partition: number; message: ConfluentMessage }) => Promise<void> }): Promise<void>;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
}

export interface ConfluentAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  createTopics(options: { topics: { topic: string; numPartitions?: number }[] }): Promise<boolean>;
  listGroups(options?: { matchConsumerGroupStates?: number[] }): Promise<{ groups: { groupId: string; protocolType: string; isSimpleConsumerGroup: boolean; state: number }[]; errors: unknown[] }>;
  /** Without `topics`: every committed offset of the group (OffsetFetch with a null topic list). */
  fetchOffsets(options: { groupId: string; topics?: string[] }): Promise<{ topic: string; partitions: { partition: number; offset: string; error: unknown }[] }[]>;
  deleteTopicRecords(options: { topic: string; partitions: { partition: number; offset: string }[] }): Promise<{ topic: string; partition: number; lowWatermark: number; error: unknown }[]>;
  fetchTopicOffsets(topic: string): Promise<{ partition: number; offset: string; high: string; low: string }[]>;
  /** A timestamp, or −3 for the record with the largest timestamp (librdkafka's OffsetSpec.MAX_TIMESTAMP). */
  fetchTopicOffsetsByTimestamp(topic: string, timestamp: number): Promise<{ partition: number; offset: string }[]>;
  describeGroups(groupIds: string[]): Promise<{
    groups: {
      groupId: string;
      error?: unknown;
      state: number;
      protocolType: string;
      protocol: string;
      partitionAssignor: string;
      members: { clientId: string; memberId: string; assignment: { topicPartitions: { topic: string; partition: number }[] } }[];
    }[];
  }>;
}

export interface ConfluentKafka {
  producer(config?: Record<string, unknown>): ConfluentProducer;
  consumer(config: Record<string, unknown>): ConfluentConsumer;
  admin(config?: Record<string, unknown>): ConfluentAdmin;
}

export interface ConfluentModule {
  librdkafkaVersion: string;
  KafkaJS: {
    Kafka: new (config: Record<string, unknown>) => ConfluentKafka;
    CompressionTypes: { ZSTD: string; LZ4: string; SNAPPY: string; GZIP: string };
    ConsumerGroupStates: { UNKNOWN: number; STABLE: number; EMPTY: number };
    logLevel: { NOTHING: number; ERROR: number };
  };
}

function load(): ConfluentModule | null {
  try {
    return createRequire(import.meta.url)('@confluentinc/kafka-javascript') as ConfluentModule;
  } catch {
    return null;
  }
}

/** The client, or null when it is not installed. */
export const confluent: ConfluentModule | null = load();

/** Whether `what` skips for want of the client (warning once per test file); throws in CI instead. */
export function skipWithoutConfluent(what: string): boolean {
  return skipWithoutTool('@confluentinc/kafka-javascript', confluent !== null, 'npm run clients:install', what);
}
