// What every per-API handler sees and returns. A handler is pure with respect to the connection:
// it gets a decoded request body and a RequestContext (the broker facade, who is asking, where
// they connected), and returns the response body, or `noResponse` (acks = 0 Produce). It never
// touches sockets, threads or timers; waiting (Fetch long poll) goes through the broker facade.
//
// The facades below are the subset of the host Broker the handlers call, written here so that
// core/ does not import actors/. The real Broker satisfies them structurally; unit tests pass
// fakes.

import type { RequestOf, ResponseOf } from '../protocol/api_definition.js';
import type { DefinedApi } from '../protocol/messages/registry.js';
import type { GroupFacade } from '../group/group_calls.js';
import type { TxnFacade } from '../txn/txn_calls.js';
import type { Clock } from '../clock.js';
import type { ActiveProducer } from '../log/log.js';
import type { TimestampAndOffset } from '../log/max_timestamp.js';
import type { CredentialStore } from '../security/credentials.js';
import type { SaslSession } from '../security/sasl_session.js';
import type { AclAuthority } from '../acl/acl_authority.js';

/** Kafka's topic configs that Lanes implements (names are Kafka's, camelCased). */
export interface TopicConfigView {
  retentionMs: number;
  retentionBytes: number;
  segmentBytes: number;
  segmentMs: number;
  maxMessageBytes: number;
}

export interface TopicView {
  name: string;
  /** KIP-516's topic id: 16 bytes, never all zero (topic_ids.ts). */
  topicId: Uint8Array;
  /** What the partition logs use: the topic's overrides over the broker's defaults. */
  config: TopicConfigView;
  /** The configs set on this topic (CreateTopics, AlterConfigs), by Kafka name, as checked values. */
  overrides: Readonly<Record<string, string>>;
  partitions: { partition: number; logStartOffset: number; highWatermark: number; lastStableOffset: number }[];
}

export interface ProduceOutcome {
  baseOffset: number;
  recordCount: number;
  logStartOffset: number;
  highWatermark: number;
}

export interface FetchOutcome {
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
  /** Below it every transaction is decided; read_committed batches all end below it. */
  lastStableOffset: number;
  /** read_committed: the aborted transactions with data in the batches returned; read_uncommitted: null. */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  release(): void;
}

/** The log directory DescribeLogDirs reports for memory storage, which has none on disk. */
export const memoryLogDir = 'memory';

/** A broker's one log directory: where, the room of its volume, and the bytes of each partition in it. */
export interface LogDirView {
  path: string;
  totalBytes: number;
  usableBytes: number;
  partitions: { topic: string; partition: number; sizeBytes: number }[];
}

/** Kafka's isolation levels: read_committed stops at the last stable offset. */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/** One transaction marker to write (WriteTxnMarkers; the transaction coordinator's call). */
export interface TxnMarkerRequest {
  producerId: bigint;
  producerEpoch: number;
  /** true: COMMIT, false: ABORT. */
  committed: boolean;
  coordinatorEpoch: number;
  partitions: ReadonlyArray<{ topic: string; partition: number }>;
}

/** Per marker, in request order: each partition's error code (0 once the marker is stored). */
export interface TxnMarkerResult {
  producerId: bigint;
  partitions: Array<{ topic: string; partition: number; errorCode: number }>;
}

/** The log and topic side of the broker. Operating errors are thrown as LanesError. */
export interface BrokerFacade {
  /** `configs` by Kafka name (checked by topic_config.ts), `config` as log settings; both set on the topic. */
  createTopic(name: string, options?: { partitions?: number; config?: Partial<TopicConfigView>; configs?: Readonly<Record<string, string>> }): Promise<unknown>;
  deleteTopic(name: string): Promise<void>;
  createPartitions(name: string, partitionCount: number): Promise<void>;
  describeTopic(name: string): TopicView | undefined;
  /**
   * Replaces the configs set on a topic (Kafka names → values checked by topic_config.ts): saved
   * with the catalogue, then applied to every partition's log. The rest go back to the defaults.
   */
  alterTopicConfigs(name: string, overrides: Readonly<Record<string, string>>): Promise<void>;
  /** The log settings of a topic that sets none: Kafka's defaults, or the broker's own where it has them. */
  readonly topicConfigDefaults: TopicConfigView;
  /** The name of the topic with this id, or undefined (UNKNOWN_TOPIC_ID). */
  topicNameById(topicId: Uint8Array): string | undefined;
  listTopics(): TopicView[];
  produce(topic: string, partition: number, batch: Uint8Array, options: { acks?: -1 | 0 | 1 }): Promise<ProduceOutcome>;
  fetch(topic: string, partition: number, fetchOffset: number, maxBytes: number, isolation?: IsolationLevel): Promise<FetchOutcome>;
  /**
   * Resolves when the partition's high watermark passes `offset`, or after `timeoutMs`. With a
   * `scope`, the wait is withdrawn (its timer cleared, its registration dropped) as soon as the
   * scope ends, so a long poll answered by another partition leaves nothing behind.
   */
  waitForData(topic: string, partition: number, offset: number, timeoutMs: number, scope?: WaitScope): Promise<void>;
  offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<number>;
  /** ListOffsets −3 (MAX_TIMESTAMP): the first record with the partition's largest timestamp, or null. */
  maxTimestampRecord(topic: string, partition: number): Promise<TimestampAndOffset | null>;
  /** DeleteRecords: the new log start offset; `offset` −1 means the high watermark. */
  deleteRecords(topic: string, partition: number, offset: number): Promise<number>;
  /** DescribeProducers: the idempotent producers a partition remembers. */
  activeProducers(topic: string, partition: number): Promise<ActiveProducer[]>;
  /** DescribeLogDirs: the broker's log directory and the size of every partition in it. */
  describeLogDir(): Promise<LogDirView>;
  /** WriteTxnMarkers: each marker appended to each of its partitions, durably (host Broker.writeTxnMarkers). */
  writeTxnMarkers(markers: ReadonlyArray<TxnMarkerRequest>): Promise<TxnMarkerResult[]>;
}

/** One long poll's waits: the broker registers how to withdraw each; the poll ends them together. */
export interface WaitScope {
  defer(withdraw: () => void): void;
}

/** The transaction coordinator side of the broker (core/txn/txn_calls.ts). */
export type { TxnFacade } from '../txn/txn_calls.js';

/** The group coordinator side of the broker: one async method per call of core/group/group_calls.ts. */
export type { GroupFacade } from '../group/group_calls.js';

/** The node id and cluster id of a listener started without its own (and of an embedded broker). */
export const defaultNodeId = 0;
export const defaultClusterId = 'lanes';

/** Settings shared by every connection of one listener. */
export interface ServerSettings {
  /** This broker's node id; also the controller id (a single node is its own controller). */
  readonly nodeId: number;
  readonly clusterId: string;
  /** Kafka's auto.create.topics.enable: Metadata creates unknown topics (default on, as Kafka). */
  readonly autoCreateTopics: boolean;
  /** Kafka's num.partitions: partitions of an auto-created topic or of CreateTopics with −1. */
  readonly defaultPartitions: number;
  /**
   * The finalized `transaction.version` (core/txn/transaction_version.ts): 2 (absent) lets
   * clients use transaction version 2; 1 keeps them on the first transaction protocol.
   */
  readonly transactionVersion?: number;
}

export interface RequestContext {
  readonly broker: BrokerFacade;
  /** null until the broker has group coordination; group handlers then answer COORDINATOR_NOT_AVAILABLE. */
  readonly groups: GroupFacade | null;
  /** null or absent without transaction coordinators; the transaction handlers then answer COORDINATOR_NOT_AVAILABLE. */
  readonly txns?: TxnFacade | null;
  readonly settings: ServerSettings;
  readonly clock: Clock;
  readonly apiVersion: number;
  readonly clientId: string | null;
  /** The client's address (Kafka writes it as "/1.2.3.4" in member descriptions). */
  readonly clientHost: string;
  /** The address and port the client connected to: what Metadata and FindCoordinator advertise. */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  /** Who the connection authenticated as (`User:name`); absent: User:ANONYMOUS. */
  readonly principal?: string;
  /**
   * The broker's ACLs when it runs with an authorizer (`--authorizer`): handlers ask it per
   * resource (core/handlers/authorize.ts). Absent or null: every request is allowed, and the ACL
   * APIs answer SECURITY_DISABLED, as Kafka does without an authorizer.
   */
  readonly acls?: AclAuthority | null;
  /** Resolves when the server shuts down: long polls answer at once with what they have. */
  readonly shutdown: Promise<void>;
  /** The connection's SASL state on a SASL listener; null or absent on others (SASL requests: ILLEGAL_SASL_STATE). */
  readonly sasl?: SaslSession | null;
  /** The SCRAM credentials (Describe/AlterUserScramCredentials); null or absent: none kept. */
  readonly credentials?: CredentialStore | null;
  /** Runs `release` once the response using views it guards has been written (or dropped). */
  onWritten(release: () => void): void;
  /**
   * Calls `onClose` if the client's connection closes before this request is answered; returns
   * the function that unregisters it (call it once the request ends). Absent: no such signal.
   */
  onConnectionClose?(onClose: () => void): () => void;
  /**
   * Logs at warn, naming the client: for a request refused with a code whose response has no
   * message field, so an operator can still see why. Absent: not logged.
   */
  warn?(message: string): void;
  /**
   * A long poll (Fetch waiting for data) starts / ends: the listener leaves that wait out of the
   * broker's service-time metric, since its length is the client's max_wait_ms, not the broker's
   * work. Absent: not timed.
   */
  longPollStarted?(): void;
  longPollEnded?(): void;
  /**
   * The handler holds nothing that refers to the request frame any more (it copied what it
   * keeps) and is about to wait on other clients (a JoinGroup for its group's members, a SyncGroup
   * for its leader): the frame's bytes leave the listener's request budget
   * (queued.max.request.bytes) now instead of when the answer comes. That budget bounds requests
   * being read and worked on; a request parked for as long as a client-chosen timeout would
   * otherwise hold it, and enough of them would stop the broker reading from anyone. Absent: not
   * accounted. Calling it more than once is harmless.
   */
  requestBytesCopied?(): void;
}

export const noResponse: unique symbol = Symbol('lanes.noResponse');
export type NoResponse = typeof noResponse;

/**
 * An API's handler: the definition it serves (core/protocol/messages/<api>.ts: key, name, the
 * versions served, the tables) and what it does with a decoded request. It states no versions of
 * its own: it must handle every version of its definition, and only those reach it.
 */
export interface Handler<Api extends DefinedApi> {
  readonly api: Api;
  /** Kafka's API name (the definition's), for logs. */
  readonly name: Api['name'];
  handle(ctx: RequestContext, request: RequestOf<Api>): Promise<ResponseOf<Api> | NoResponse>;
}

/** Any handler, for the table: the definition ties request and response types together. */
export type AnyHandler = DefinedApi extends infer Api ? (Api extends DefinedApi ? Handler<Api> : never) : never;

export function defineHandler<Api extends DefinedApi>(handler: Omit<Handler<Api>, 'name'>): Handler<Api> {
  return { api: handler.api, name: handler.api.name, handle: handler.handle };
}
