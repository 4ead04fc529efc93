// @platformatic/kafka 2.12.1 for the compatibility tests. It is not a devDependency: every 2.x
// release (and its own dependencies) declares engines Node ≥ 22.19, so on Node 20 a plain
// `npm install` would warn (EBADENGINE); `npm run clients:install` adds it on purpose (README,
// Compatibility tests). When it is absent, tests skip themselves with a warning naming that
// command, except in CI (`.ci/run` installs it), where they fail. Loaded by a dynamic import of a
// computed specifier and typed here by the few shapes the tests use (string serializers and
// deserializers throughout), so the type check passes without it installed.
//
// Node 20 lacks Promise.withResolvers (Node 22+), which the 2.x line calls: the polyfill is
// installed before the import.
import { installPromiseWithResolvers } from '../../../bench/support/promise_with_resolvers.js';
import { skipWithoutTool } from '../../support/required_tool.js';

/** bootstrapBrokers, clientId, retries ... and each client's own options, passed through. */
export type PlatformaticOptions = Record<string, unknown>;

/** A record from a consumer with `stringDeserializers`. */
export interface PlatformaticMessage {
  topic: string;
  partition: number;
  offset: bigint;
  /** A null key reads as '' or undefined. */
  key: string | undefined;
  value: string;
  headers: Map<string, string>;
  commit(): Promise<void>;
}

export interface PlatformaticStream extends AsyncIterable<PlatformaticMessage> {
  close(): Promise<void>;
}

export interface PlatformaticConsumer {
  consume(options: { topics: string[]; mode: string; fallbackMode?: string; autocommit: boolean | number }): Promise<PlatformaticStream>;
  close(force?: boolean): Promise<void>;
}

export interface PlatformaticSendOptions {
  messages: { topic: string; key?: string; value: string; headers?: Map<string, string>; partition?: number }[];
  acks?: number;
}

export interface PlatformaticTransaction {
  send(options: PlatformaticSendOptions): Promise<unknown>;
  /** Joins the consumer's group to the transaction (AddOffsetsToTxn). */
  addConsumer(consumer: PlatformaticConsumer): Promise<void>;
  /** Commits `message`'s offset + 1 within the transaction (TxnOffsetCommit). */
  addOffset(message: PlatformaticMessage): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface PlatformaticProducer {
  send(options: PlatformaticSendOptions): Promise<{ offsets?: { topic: string; partition: number; offset: bigint }[] }>;
  /** Needs `transactionalId` (and `idempotent: true`) in the producer's options. */
  beginTransaction(): Promise<PlatformaticTransaction>;
  close(): Promise<void>;
}

export interface PlatformaticConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  configType: number;
  synonyms: { name: string; value: string | null; source: number }[];
  documentation: string | null;
}

/** Kafka's ConfigResource type 2 is a topic; configOperation 0 sets, 1 deletes. */
interface PlatformaticConfigResource<Config> {
  resourceType: number;
  resourceName: string;
  configs: Config[];
}

export interface PlatformaticAdmin {
  createTopics(options: { topics: string[]; partitions: number; replicas: number }): Promise<unknown>;
  deleteTopics(options: { topics: string[] }): Promise<void>;
  listTopics(): Promise<string[]>;
  metadata(options: { topics: string[] }): Promise<{ topics: Map<string, { partitionsCount: number; partitions: { leader: number }[] }> }>;
  describeConfigs(options: {
    resources: { resourceType: number; resourceName: string; configurationKeys: string[] }[];
    includeSynonyms?: boolean;
    includeDocumentation?: boolean;
  }): Promise<{ configs: PlatformaticConfigEntry[] }[]>;
  incrementalAlterConfigs(options: { resources: PlatformaticConfigResource<{ name: string; configOperation: number; value?: string }>[] }): Promise<unknown>;
  alterConfigs(options: { resources: PlatformaticConfigResource<{ name: string; value: string }>[]; validateOnly?: boolean }): Promise<unknown>;
  listConsumerGroupOffsets(options: { groups: string[] }): Promise<{ topics: { name: string; partitions: { partitionIndex: number; committedOffset: bigint }[] }[] }[]>;
  deleteRecords(options: { topics: { name: string; partitions: { partition: number; offset: bigint }[] }[] }): Promise<{ name: string; partitions: { partition: number; lowWatermark: bigint }[] }[]>;
  describeLogDirs(options: { topics: { name: string; partitions: number[] }[] }): Promise<
    { broker: number; results: { logDir: string; topics: { name: string; partitions: { partitionIndex: number; partitionSize: bigint }[] }[] }[] }[]
  >;
  close(): Promise<void>;
}

/** One raw connection, for sending a single API request by hand. */
export interface PlatformaticConnection {
  connect(host: string, port: number): Promise<void>;
  close(): Promise<void>;
}

export interface PlatformaticModule {
  Admin: new (options: PlatformaticOptions) => PlatformaticAdmin;
  Producer: new (options: PlatformaticOptions) => PlatformaticProducer;
  Consumer: new (options: PlatformaticOptions) => PlatformaticConsumer;
  stringSerializers: unknown;
  stringDeserializers: unknown;
  MessagesStreamModes: { EARLIEST: string; COMMITTED: string };
  FetchIsolationLevels: { READ_UNCOMMITTED: number; READ_COMMITTED: number };
  Connection: new (clientId: string) => PlatformaticConnection;
  /** ConsumerGroupHeartbeat v1, its arguments in the request's field order after the connection. */
  consumerGroupHeartbeatV1: {
    api: { async(connection: PlatformaticConnection, ...fields: unknown[]): Promise<{ errorCode: number; memberEpoch: number; heartbeatIntervalMs: number }> };
  };
}

async function load(): Promise<PlatformaticModule | null> {
  installPromiseWithResolvers();
  // A computed specifier: the type check must not need the package.
  const specifier: string = '@platformatic/kafka';
  try {
    return (await import(specifier)) as PlatformaticModule;
  } catch (error) {
    // Only its own absence skips; an installed client that fails to load (one of its
    // dependencies missing, say) is a failure to see.
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(`'${specifier}'`)) return null;
    throw error;
  }
}

/** The client, or null when it is not installed. */
export const platformatic: PlatformaticModule | null = await load();

/** Whether `what` skips for want of the client (warning once per test file); throws in CI instead. */
export function skipWithoutPlatformatic(what: string): boolean {
  return skipWithoutTool('@platformatic/kafka', platformatic !== null, 'npm run clients:install', what);
}
