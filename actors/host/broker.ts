// The Broker: the composition root on the main thread. It plans the shared memory, starts the
// shard workers, keeps the topic catalogue, routes produce and fetch to partition actors, and
// reads committed log bytes straight from shared memory where the log keeps them there.
//
//   host (main thread)                          shard workers (one per core)
//   ┌────────────────────────┐  request ring   ┌─────────────────────────────┐
//   │ Broker ─ ShardHandle ──┼────────────────▶│ ShardRuntime                │
//   │   │         ▲          │  reply ring     │   PartitionActor ─ Log      │
//   │   │         └──────────┼◀────────────────┤   PartitionActor ─ Log      │
//   │   └─ SharedLogReader ◀─┼── directory ────┤   (group coordinator actor) │
//   │      (zero-copy fetch) │  + arena bytes  │                             │
//   └────────────────────────┘  comlink: control plane (topics, describe, stop)
import { TopicTraffic, type TopicTrafficCounts } from './topic_traffic.js';
import { EventEmitter } from 'node:events';
import { rm, statfs } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import * as Comlink from 'comlink';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError, isLanesError } from '../../core/errors.js';
import { hostPollBudgetUs, recordBatchBytesMaxDefault, ringPollMissesToRest, ringPollProbeEveryParks, segmentBytesDefault, indexIntervalBytesDefault, txnMarkerAppendsInFlightMax } from '../../core/limits.js';
import { decodeMessage } from '../envelope.js';
import { BatchField, batchTotalBytes, readInt32, readInt64 } from '../../core/records/record_batch.js';
import { encodeMarkerBatch } from '../../core/records/control_batch.js';
import { EpochReader, initEpochs } from '../epochs.js';
import { componentLogger, logger as rootLogger } from '../logger.js';
import { planMemory } from '../memory_plan.js';
import { prepareKernelModule } from '../kernel_setup.js';
import { createSharedMemory, wasmPageBytes } from '../../wasm/shared_memory.js';
import { warnCommittedPastLogEnd } from './committed_past_log_end.js';
import { Doorbell } from '../ring/doorbell.js';
import { initRing, ringControlBytes, ringHeadWord, ringTailWord } from '../ring/ring_layout.js';
import { PartitionDirectory } from '../shard/partition_directory.js';
import type { ShardControl, PartitionState } from '../shard/shard_control.js';
import type { DrainedGroupEvents } from '../shard/group_event_buffer.js';
import { groupCoordinator, txnCoordinator } from '../shard/actor.js';
import type { TxnFacade, TxnMethod, TxnRequestOf, TxnResultOf } from '../../core/txn/txn_calls.js';
import { producerIds } from '../../core/handlers/init_producer_id.js';
import { systemClock } from '../system_clock.js';
import { TxnHost } from './txn_host.js';
import { partitionActor } from '../shard/partition_actor.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import { memoryLogDir, type IsolationLevel, type LogDirView, type TxnMarkerRequest, type TxnMarkerResult, type WaitScope } from '../../core/handlers/handler.js';
import type { ActiveProducer } from '../../core/log/log.js';
import type { TimestampAndOffset } from '../../core/log/max_timestamp.js';
import type { TxnConfig } from '../../core/txn/txn_config.js';
import type { DeletedGroup, DescribedConsumerGroup, DescribedGroup, ListedGroup } from '../../core/group/group_api.js';
import type { GroupFacade, GroupMethod, GroupRequestOf, GroupResultOf } from '../../core/group/group_calls.js';
import { shardForGroup } from './shard_router.js';
import type { ShardWorkerData } from '../shard/shard_main.js';
import type { FlushPolicy } from '../shard/log_factory.js';
import { HighWatermarkWaiters } from './high_watermark_waiters.js';
import type { ShardHandle } from './shard_handle.js';
import { defaultShardThreads, startShard, type ShardThreads } from './shard_threads.js';
import { ReplyPump } from './reply_pump.js';
import { SpinPolicy } from '../ring/spin_policy.js';
import { readShared } from './shared_log_reader.js';
import { TopicRegistry, type SettleTopicConfig, type TopicConfig, type TopicEntry } from './topic_registry.js';
import { topicIdBytes, topicIdFromText, topicIdText } from '../../core/handlers/topic_ids.js';
import { checkLogCanHonour, configOfOverrides, parseTopicConfigs, topicConfigNameOf } from '../../core/handlers/topic_config.js';
import { DataDirError } from './data_dir_error.js';
import { openDataDir, reconcilePartitionDirs } from './data_dir.js';
import type { DataDirLock } from './data_dir_lock.js';
import { descriptorsReserved, logDescriptors, openFilesLimit } from './open_files_limit.js';
import { offsetsLogDirName, partitionDirName, txnStateLogDirName } from '../data_dir_layout.js';

const MiB = 1024 * 1024;

export interface BrokerOptions {
  /** 'memory' keeps logs in shared memory only; 'disk' keeps Kafka-style segments in dataDir. */
  storage?: 'memory' | 'disk';
  /** Required for disk storage. */
  dataDir?: string;
  /** Shard runtimes; default one per core (workers), 1 (inline). */
  shards?: number;
  /**
   * Where shards run: 'workers', a worker thread each; 'inline', on this thread, so a request
   * crosses no thread (host/shard_threads.ts). Default: inline for memory storage on one or two
   * cores, workers otherwise (defaultShardThreads).
   */
  shardThreads?: ShardThreads;
  /** Size of the shared memory (rings, directory, in-memory segments); default 1 GiB. */
  memoryBytes?: number;
  /** Most partitions the broker can hold; default 4096. */
  partitionsMax?: number;
  /** Bytes of each request and reply ring; a power of two; default 8 MiB. */
  ringBytes?: number;
  /** Disk durability: 'always' (fsync before acks=-1 is answered), { intervalMs }, or 'never'. */
  flush?: FlushPolicy;
  /**
   * The broker's defaults for topic configs, where they should differ from Kafka's (Kafka's
   * log.retention.ms, log.segment.bytes, …): every topic that does not set one uses it.
   */
  topicDefaults?: Partial<TopicConfig>;
  /** Batch kernels: 'auto' picks WASM where it pays; 'ts' forces the TypeScript twins. */
  kernels?: 'auto' | 'ts';
  /** Group coordinator settings (initial rebalance delay, session timeout bounds, …). */
  groups?: Partial<GroupConfig>;
  /** Transaction coordinator settings (transaction.max.timeout.ms, transactional.id.expiration.ms, …). */
  transactions?: Partial<TxnConfig>;
}

export interface ProduceResult {
  baseOffset: number;
  recordCount: number;
  logStartOffset: number;
  highWatermark: number;
}

export interface FetchResult {
  /** Whole record batches, starting with the one that contains the fetch offset. */
  batches: Uint8Array[];
  highWatermark: number;
  logStartOffset: number;
  /** Below it every transaction is decided (the high watermark when none is open). */
  lastStableOffset: number;
  /**
   * read_committed: the aborted transactions (producer id, first offset) with data in the
   * batches returned, for the reader to drop; read_uncommitted: null.
   */
  abortedTransactions: { producerId: number; firstOffset: number }[] | null;
  /**
   * Views into shared memory stay valid until release(); call it once the bytes are used
   * (written to a socket, decoded, copied). Idempotent.
   */
  release(): void;
}

export type { TxnMarkerRequest, TxnMarkerResult } from '../../core/handlers/handler.js';

export interface TopicDescription {
  name: string;
  /** KIP-516's topic id, 16 bytes (core/handlers/topic_ids.ts). */
  topicId: Uint8Array;
  config: TopicConfig;
  /** The configs set on the topic, by Kafka name. */
  overrides: Record<string, string>;
  partitions: { partition: number; shard: number; logStartOffset: number; highWatermark: number; lastStableOffset: number }[];
}

/** Kafka's retention.ms and segment.ms defaults: seven days. */
const sevenDaysMs = 7 * 24 * 3600 * 1000;

/** What a topic that sets no config uses: Kafka's defaults, except the segment size (below). */
function defaultTopicConfig(overrides: Partial<TopicConfig> | undefined, storage: 'memory' | 'disk'): TopicConfig {
  const config = {
    retentionMs: sevenDaysMs,
    retentionBytes: -1,
    // Smaller than Kafka's 1 GiB: in memory a segment is one arena block, and smaller blocks waste
    // less per partition; on disk a smaller segment is retired by retention sooner.
    segmentBytes: storage === 'memory' ? 8 * MiB : segmentBytesDefault,
    segmentMs: sevenDaysMs,
    maxMessageBytes: recordBatchBytesMaxDefault,
    ...overrides,
  };
  checkLogCanHonour(config);
  return config;
}

/** Numeric log settings as the Kafka-named configs they stand for. */
function overridesOfConfig(config: Partial<TopicConfig>): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const [field, value] of Object.entries(config) as [keyof TopicConfig, number | undefined][]) {
    if (value !== undefined) overrides[topicConfigNameOf[field]] = String(value);
  }
  return overrides;
}

export class Broker extends EventEmitter {
  readonly options: Required<Omit<BrokerOptions, 'dataDir' | 'topicDefaults' | 'groups' | 'transactions'>> & { dataDir: string | null };
  readonly #shards: ShardHandle[];
  readonly #topics: TopicRegistry;
  readonly #directory: PartitionDirectory;
  readonly #epochs: EpochReader;
  readonly #traffic = new TopicTraffic();
  readonly #waiters = new HighWatermarkWaiters();
  /** The log settings of a topic that sets none (Kafka's defaults, and BrokerOptions.topicDefaults). */
  readonly topicConfigDefaults: TopicConfig;
  readonly #logger = componentLogger(rootLogger, 'broker');
  readonly #pump: ReplyPump;
  /** Where each shard's rings live in shared memory, for ringOccupancy(). */
  #ringRegions: { shard: number; request: number; reply: number }[] = [];
  #state: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' = 'starting';
  /** Fails Broker.start() when a shard fails before the broker runs. */
  #rejectStart: ((error: Error) => void) | null = null;
  /** The data directory's lock (disk storage), released on stop. */
  readonly #lock: DataDirLock | null;
  /** Transactions: calls routed to the shards' transaction coordinators, markers written (txn_host.ts). */
  readonly #txns: TxnHost;

  private constructor(init: {
    options: Broker['options'];
    shards: ShardHandle[];
    topics: TopicRegistry;
    directory: PartitionDirectory;
    epochs: EpochReader;
    hostDoorbell: Doorbell;
    topicConfigDefaults: TopicConfig;
    lock: DataDirLock | null;
  }) {
    super();
    this.options = init.options;
    this.#shards = init.shards;
    this.#topics = init.topics;
    this.#directory = init.directory;
    this.#epochs = init.epochs;
    // Inline shards' replies are drained as they are published: the pump only parks for them.
    const pollBudgetUs = init.options.shardThreads === 'inline' ? 0 : hostPollBudgetUs;
    this.#pump = new ReplyPump({
      shards: init.shards,
      doorbell: init.hostDoorbell,
      onHighWatermark: this.#onHighWatermark,
      spin: new SpinPolicy({ budgetUs: pollBudgetUs, missesToRest: ringPollMissesToRest, probeEveryParks: ringPollProbeEveryParks }),
    });
    for (const shard of init.shards) shard.onRequestsPublished = this.#pump.requestsPublished;
    this.topicConfigDefaults = init.topicConfigDefaults;
    this.#lock = init.lock;
    this.#txns = new TxnHost({
      shardCount: init.shards.length,
      call: (shard, method, request) => this.#txnCall(shard, method, request),
      allocateProducerId: () => producerIds.allocate(systemClock.nowMs()).producerId,
      writeTxnMarkers: (markers) => this.writeTxnMarkers(markers),
      commitOffsets: (request) => this.txnOffsetsCommit(request),
      logger: componentLogger(rootLogger, 'txn-markers'),
    });
  }

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const storage = options.storage ?? 'memory';
    const dataDir = options.dataDir ?? null;
    if (storage === 'disk' && dataDir === null) throw new TypeError('Broker.start: storage "disk" needs a dataDir');
    const shardThreads = options.shardThreads ?? defaultShardThreads(storage);
    if (shardThreads !== 'workers' && shardThreads !== 'inline') throw new RangeError(`Broker.start: shardThreads must be 'workers' or 'inline', got ${String(shardThreads)}`);
    const resolved: Broker['options'] = {
      storage,
      dataDir,
      shardThreads,
      shards: options.shards ?? (shardThreads === 'inline' ? 1 : Math.max(1, availableParallelism())),
      memoryBytes: options.memoryBytes ?? 1024 * MiB,
      partitionsMax: options.partitionsMax ?? 4096,
      ringBytes: options.ringBytes ?? 8 * MiB,
      flush: options.flush ?? 'always',
      kernels: options.kernels ?? 'auto',
    };
    if (!Number.isInteger(resolved.shards) || resolved.shards < 1) throw new RangeError(`Broker.start: shards must be a positive integer, got ${resolved.shards}`);
    if (resolved.memoryBytes % wasmPageBytes !== 0) throw new RangeError(`Broker.start: memoryBytes must be a multiple of ${wasmPageBytes}`);

    const plan = planMemory({ shards: resolved.shards, memoryBytes: resolved.memoryBytes, partitionsMax: resolved.partitionsMax, ringBytes: resolved.ringBytes });
    const memory = createSharedMemory(resolved.memoryBytes);
    const buffer = memory.buffer as unknown as SharedArrayBuffer;
    initEpochs(buffer, plan.epochs);
    for (const shard of plan.shards) {
      initRing({ buffer, byteOffset: shard.requestRing, capacity: plan.ringBytes });
      initRing({ buffer, byteOffset: shard.replyRing, capacity: plan.ringBytes });
    }
    const logger = componentLogger(rootLogger, 'broker');
    // Before any shard opens a log: the directory is usable, this broker alone has it, and the
    // partition directories agree with the catalogue.
    const diskDir = storage === 'disk' ? dataDir : null;
    const lock = diskDir === null ? null : openDataDir(diskDir, logger);
    let topics: TopicRegistry;
    let kernelModule: WebAssembly.Module | null;
    let topicConfigDefaults: TopicConfig;
    try {
      topicConfigDefaults = defaultTopicConfig(options.topicDefaults, storage);
      topics = new TopicRegistry({ shardCount: resolved.shards, actorIdsMax: resolved.partitionsMax, dataDir: diskDir, settleConfig: settleWith(topicConfigDefaults) });
      if (diskDir !== null) {
        reconcilePartitionDirs(diskDir, topics.list(), logger);
        warnIfFewDescriptors(diskDir, topics.list(), resolved.shards, logger);
      }
      kernelModule = resolved.kernels === 'ts' ? null : prepareKernelModule(memory, plan.crcTable, logger);
    } catch (error) {
      lock?.release();
      throw error instanceof DataDirError || diskDir === null ? error : DataDirError.from(error, diskDir, 'cannot read');
    }

    const shards = plan.shards.map((_regions, shardId) => {
      const workerData: ShardWorkerData = {
        shardId,
        memory,
        kernelModule,
        plan,
        storage,
        dataDir,
        flush: resolved.flush,
        envelopesPerTurn: 4096,
        tickIntervalMs: 100,
        groupConfig: options.groups ?? {},
        txnConfig: options.transactions ?? {},
      };
      // Inline shards hand their replies over directly; `broker` exists before any request.
      return startShard(resolved.shardThreads, workerData, (shard) => shard.drainReplies(broker.#onHighWatermark));
    });
    const broker = new Broker({
      options: resolved,
      shards,
      topics,
      directory: new PartitionDirectory(buffer, plan.directory, plan.partitionsMax),
      epochs: new EpochReader(buffer, plan.epochs, 0),
      hostDoorbell: new Doorbell(buffer, plan.hostDoorbell),
      topicConfigDefaults,
      lock,
    });
    broker.#ringRegions = plan.shards.map((regions, shard) => ({ shard, request: regions.requestRing, reply: regions.replyRing }));
    for (const shard of shards) {
      shard.thread.on('error', (error) => broker.#fail(shard, error));
      shard.thread.on('exit', (code) => {
        if (broker.#state === 'running') broker.#fail(shard, new Error(`shard ${shard.id} exited with code ${code}`));
      });
    }
    broker.#pump.start();
    const shardFailed = new Promise<never>((_, reject) => (broker.#rejectStart = reject));
    try {
      // Reopen the partitions a previous run left on disk. A shard that fails meanwhile (its
      // offsets log cannot be opened, say) fails the start instead of the process.
      await Promise.race([
        (async () => {
          await Promise.all(topics.list().flatMap((topic) => broker.#openPartitions(topic, topic.partitions)));
          await broker.#publishTopics();
        })(),
        shardFailed,
      ]);
    } catch (error) {
      await broker.#abortStart();
      throw startFailure(error, diskDir, topics.list());
    }
    broker.#rejectStart = null;
    broker.#state = 'running';
    broker.#txns.start();
    if (storage === 'disk') await warnCommittedPastLogEnd(broker, broker.#logger);
    broker.#logger.info({ storage, dataDir, shards: resolved.shards, topics: topics.list().length, kernels: kernelModule === null ? 'ts' : 'wasm' }, 'broker started');
    return broker;
  }

  get shardCount(): number {
    return this.#shards.length;
  }

  /**
   * Creates a topic with `configs` (Kafka names) and `config` (log settings) set on it; anything
   * invalid, or that its logs could not open with, is refused with INVALID_CONFIG before anything
   * is made.
   */
  async createTopic(name: string, options: { partitions?: number; config?: Partial<TopicConfig>; configs?: Readonly<Record<string, string>> } = {}): Promise<TopicEntry> {
    this.#checkRunning();
    const configs = { ...overridesOfConfig(options.config ?? {}), ...options.configs };
    const { overrides } = parseTopicConfigs(Object.entries(configs).map(([configName, value]) => ({ name: configName, value })));
    const config = this.#configOf(overrides);
    // All or nothing: every partition's files are made before the catalogue names the topic.
    const entry = this.#topics.reserveTopic(name, options.partitions ?? 1, config, overrides);
    await this.#openAllOrNone(entry, entry.partitions);
    await this.#publishTopics();
    this.#logger.info({ topic: name, partitions: entry.partitions.length }, 'topic created');
    return entry;
  }

  async createPartitions(name: string, partitionCount: number): Promise<void> {
    this.#checkRunning();
    const entry = this.#topics.get(name);
    const added = this.#topics.reserveGrowth(name, partitionCount);
    await this.#openAllOrNone(entry!, added);
    await this.#publishTopics();
  }

  /**
   * Replaces the configs set on a topic (Kafka names → values topic_config.ts checked), saves
   * them with the catalogue, then applies them to every partition's open log. Refused with
   * INVALID_CONFIG, changing nothing, when the logs could not run with the result.
   */
  async alterTopicConfigs(name: string, configs: Readonly<Record<string, string>>): Promise<void> {
    this.#checkRunning();
    const { overrides } = parseTopicConfigs(Object.entries(configs).map(([configName, value]) => ({ name: configName, value })));
    const config = this.#configOf(overrides);
    let entry: TopicEntry;
    try {
      entry = this.#topics.setConfig(name, config, overrides);
    } catch (error) {
      if (isLanesError(error)) throw error;
      // The save failed (disk full, a read-only file system): the topic keeps its configs.
      this.#logger.warn({ topic: name, reason: oneLine(error) }, 'topic configs not altered: the catalogue could not be saved');
      throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `topic ${name}: the catalogue could not be saved, its configs are unchanged (${oneLine(error)})`, { cause: error });
    }
    await Promise.all(entry.partitions.map((placement) => this.#shards[placement.shard].control.reconfigurePartition(placement.actorId, partitionLogConfig(config))));
    this.#logger.info({ topic: name, configs: overrides }, 'topic configs altered');
  }

  /** A topic's log settings: its overrides over the defaults, checked as its logs will open them. */
  #configOf(overrides: Readonly<Record<string, string>>): TopicConfig {
    const config = { ...this.topicConfigDefaults, ...configOfOverrides(overrides) };
    checkLogCanHonour(config);
    return config;
  }

  async deleteTopic(name: string): Promise<void> {
    this.#checkRunning();
    const entry = this.#topics.remove(name);
    this.#traffic.forget(name);
    await Promise.all(entry.partitions.map(async (placement) => {
      await this.#shards[placement.shard].control.closePartition(placement.actorId, true);
      this.#waiters.wakeAll(placement.actorId);
    }));
    await this.#publishTopics();
    this.#logger.info({ topic: name }, 'topic deleted');
  }

  topic(name: string): TopicEntry | undefined {
    return this.#topics.get(name);
  }

  listTopics(): TopicDescription[] {
    return this.#topics.list().map((entry) => this.describeTopic(entry.name)!);
  }

  /** The name of the topic with this id (KIP-516), or undefined: UNKNOWN_TOPIC_ID. */
  topicNameById(topicId: Uint8Array): string | undefined {
    return topicId.length === topicIdBytes ? this.#topics.getById(topicIdText(topicId))?.name : undefined;
  }

  describeTopic(name: string): TopicDescription | undefined {
    const entry = this.#topics.get(name);
    if (entry === undefined) return undefined;
    return {
      name,
      topicId: topicIdFromText(entry.id),
      config: entry.config,
      overrides: entry.overrides,
      partitions: entry.partitions.map((placement) => {
        const snapshot = this.#directory.read(placement.actorId);
        return {
          partition: placement.partition,
          shard: placement.shard,
          logStartOffset: snapshot?.logStartOffset ?? 0,
          highWatermark: snapshot?.highWatermark ?? 0,
          lastStableOffset: snapshot?.lastStableOffset ?? 0,
        };
      }),
    };
  }

  /**
   * Appends one RecordBatch v2 (as a producer sends it) to a partition. acks = -1 waits for the
   * flush policy (fsync with 'always'); 1 and 0 answer once the batch is in the log.
   */
  async produce(topic: string, partition: number, batch: Uint8Array, options: { acks?: -1 | 0 | 1 } = {}): Promise<ProduceResult> {
    this.#checkRunning();
    const placement = this.#placement(topic, partition);
    const result = await this.#shards[placement.shard].append(placement.actorId, batch, (options.acks ?? -1) === -1);
    if (result.errorCode !== ErrorCode.NONE) throw new LanesError(result.errorCode, result.message);
    this.#traffic.countIn(topic, result.recordCount, batch.byteLength);
    return { baseOffset: result.baseOffset, recordCount: result.recordCount, logStartOffset: result.logStartOffset, highWatermark: result.highWatermark };
  }

  /**
   * Writes each transaction marker (a control batch: core/records/control_batch.ts) to each of its
   * partitions, wherever they live, and resolves once every one is appended and durable per the
   * flush policy (as an acks=-1 produce). Each partition answers its own code: 0, or why its
   * marker was refused (UNKNOWN_TOPIC_OR_PARTITION, INVALID_PRODUCER_EPOCH for an epoch older
   * than the producer's, TRANSACTION_COORDINATOR_FENCED for an older coordinator epoch,
   * KAFKA_STORAGE_ERROR, INVALID_REQUEST for a field out of range). Safe to retry: a marker for a
   * producer with no open transaction in a partition is written and changes nothing there.
   */
  async writeTxnMarkers(markers: ReadonlyArray<TxnMarkerRequest>): Promise<TxnMarkerResult[]> {
    this.#checkRunning();
    const timestampMs = Date.now();
    const results: TxnMarkerResult[] = [];
    const appends: { batch: Uint8Array; answer: { errorCode: number }; topic: string; partition: number }[] = [];
    for (const marker of markers) {
      const problem = markerProblem(marker);
      if (problem !== null) this.#logger.warn({ partitions: marker.partitions.length, problem }, 'transaction marker refused');
      const batch = problem === null ? encodeMarkerBatch({ producerId: Number(marker.producerId), producerEpoch: marker.producerEpoch, committed: marker.committed, coordinatorEpoch: marker.coordinatorEpoch }, timestampMs) : null;
      const partitions = marker.partitions.map(({ topic, partition }) => ({ topic, partition, errorCode: ErrorCode.INVALID_REQUEST as number }));
      if (batch !== null) partitions.forEach((answer) => appends.push({ batch, answer, topic: answer.topic, partition: answer.partition }));
      results.push({ producerId: marker.producerId, partitions });
    }
    // In waves: a request's partitions cost a ring record and a pending reply each (limits.ts).
    for (let from = 0; from < appends.length; from += txnMarkerAppendsInFlightMax) {
      await Promise.all(appends.slice(from, from + txnMarkerAppendsInFlightMax).map(async (append) => {
        append.answer.errorCode = await this.#appendMarker(append.batch, append.topic, append.partition);
      }));
    }
    return results;
  }

  /** Appends one marker batch where its partition lives, durably per the flush policy; its error code. */
  async #appendMarker(batch: Uint8Array, topic: string, partition: number): Promise<number> {
    try {
      const placement = this.#placement(topic, partition);
      const result = await this.#shards[placement.shard].append(placement.actorId, batch, true, true);
      return result.errorCode;
    } catch (error) {
      if (error instanceof LanesError) return error.errorCode;
      throw error;
    }
  }

  /**
   * Reads whole batches from `fetchOffset`, up to about `maxBytes` (at least one batch). Bytes the
   * log keeps in shared memory are returned as views, without a copy and without a round trip to
   * the shard; older bytes come through the shard.
   *
   * read_committed returns only batches below the last stable offset, with the aborted
   * transactions among them (asked of the shard only when the directory says one may reach the
   * range). The LSO is read from the directory before the batches: it only grows, so a batch below
   * it stays decided, and every abort at or below it is already in the partition's list.
   */
  async fetch(topic: string, partition: number, fetchOffset: number, maxBytes: number, isolation: IsolationLevel = 'read_uncommitted'): Promise<FetchResult> {
    this.#checkRunning();
    const placement = this.#placement(topic, partition);
    const stable = this.#directory.read(placement.actorId);
    const read = await this.#read(placement, fetchOffset, maxBytes);
    const lastStableOffset = Math.min(stable?.lastStableOffset ?? read.logStartOffset, read.highWatermark);
    if (isolation === 'read_uncommitted') {
      this.#traffic.countOut(topic, read.batches);
      return { ...read, lastStableOffset, abortedTransactions: null };
    }
    let kept = 0;
    while (kept < read.batches.length && lastOffsetOf(read.batches[kept]) < lastStableOffset) kept++;
    const batches = kept === read.batches.length ? read.batches : read.batches.slice(0, kept);
    let abortedTransactions: { producerId: number; firstOffset: number }[] = [];
    if (kept > 0 && stable !== null && stable.lastAbortedOffset >= fetchOffset) {
      try {
        const result = await this.#shards[placement.shard].call(partitionActor(placement.actorId), 'abortedTransactions', { fromOffset: fetchOffset, toOffset: lastOffsetOf(batches[kept - 1]) });
        if (!result.ok) throw new LanesError(result.errorCode, result.message);
        abortedTransactions = result.value.map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
      } catch (error) {
        read.release();
        throw error;
      }
    }
    this.#traffic.countOut(topic, batches);
    return { ...read, batches, lastStableOffset, abortedTransactions };
  }

  /** The batches from `fetchOffset`: shared-memory views when the log has them there, else through the shard. */
  async #read(placement: { shard: number; actorId: number }, fetchOffset: number, maxBytes: number): Promise<Omit<FetchResult, 'lastStableOffset' | 'abortedTransactions'>> {
    const epoch = this.#epochs.pin();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#epochs.unpin(epoch);
    };
    try {
      const shared = readShared(this.#directory, placement.actorId, fetchOffset, maxBytes, this.#buffer());
      if (shared !== null) return { ...shared, release };
    } catch (error) {
      release();
      throw error;
    }
    release();
    const reply = await this.#shards[placement.shard].fetch(placement.actorId, fetchOffset, maxBytes);
    if (reply.errorCode !== ErrorCode.NONE) throw new LanesError(reply.errorCode, decodeMessage(reply.bytes));
    const batches: Uint8Array[] = [];
    for (let at = 0; at < reply.bytes.length; at += batchTotalBytes(reply.bytes, at)) {
      batches.push(reply.bytes.subarray(at, at + batchTotalBytes(reply.bytes, at)));
    }
    return { batches, highWatermark: reply.highWatermark, logStartOffset: reply.logStartOffset, release: () => {} };
  }

  /** Records and bytes produced to and fetched from each topic since start (the admin port's counters). */
  topicTraffic(): IterableIterator<[string, Readonly<TopicTrafficCounts>]> {
    return this.#traffic.entries();
  }

  /** Resolves when the partition's high watermark passes `offset`, or after `timeoutMs`; `scope` withdraws it early. */
  async waitForData(topic: string, partition: number, offset: number, timeoutMs: number, scope?: WaitScope): Promise<void> {
    const placement = this.#placement(topic, partition);
    const snapshot = this.#directory.read(placement.actorId);
    if (snapshot !== null && snapshot.highWatermark > offset) return;
    await this.#waiters.wait(placement.actorId, offset, timeoutMs, scope);
  }

  /** The earliest offset whose batch has a timestamp ≥ `timestampMs`, or -1 (ListOffsets). */
  async offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<number> {
    const placement = this.#placement(topic, partition);
    const result = await this.#shards[placement.shard].call(partitionActor(placement.actorId), 'offsetForTimestamp', timestampMs);
    if (!result.ok) throw new LanesError(result.errorCode, result.message);
    return result.value;
  }

  /** The first record with the partition's largest timestamp, or null (ListOffsets −3). */
  async maxTimestampRecord(topic: string, partition: number): Promise<TimestampAndOffset | null> {
    const placement = this.#placement(topic, partition);
    const result = await this.#shards[placement.shard].call(partitionActor(placement.actorId), 'maxTimestampRecord', null);
    if (!result.ok) throw new LanesError(result.errorCode, result.message);
    return result.value;
  }

  /**
   * DeleteRecords: makes `offset` (−1: the high watermark) the partition's log start offset and
   * deletes the segments wholly below it; resolves with the log start offset after it. The new
   * start is on disk (a renamed file) before this resolves, so it survives a process crash.
   */
  async deleteRecords(topic: string, partition: number, offset: number): Promise<number> {
    this.#checkRunning();
    const placement = this.#placement(topic, partition);
    const result = await this.#shards[placement.shard].call(partitionActor(placement.actorId), 'deleteRecords', offset);
    if (!result.ok) throw new LanesError(result.errorCode, result.message);
    return result.value;
  }

  /** DescribeProducers: the idempotent producers a partition remembers. */
  async activeProducers(topic: string, partition: number): Promise<ActiveProducer[]> {
    this.#checkRunning();
    const placement = this.#placement(topic, partition);
    const result = await this.#shards[placement.shard].call(partitionActor(placement.actorId), 'activeProducers', null);
    if (!result.ok) throw new LanesError(result.errorCode, result.message);
    return result.value;
  }

  /**
   * DescribeLogDirs: the one log directory (the data directory, or `memory` for memory storage),
   * the bytes of every partition in it, and the room of its volume (the shared-memory arena's, in
   * memory).
   */
  async describeLogDir(): Promise<LogDirView> {
    this.#checkRunning();
    const shards = await this.describeShards();
    const partitions = shards.flatMap((shard) => shard.partitions.map(({ topic, partition, sizeBytes }) => ({ topic, partition, sizeBytes })));
    const dataDir = this.options.storage === 'disk' ? this.options.dataDir : null;
    if (dataDir === null) {
      const totalBytes = shards.reduce((sum, shard) => sum + shard.arenaBytesTotal, 0);
      const usedBytes = shards.reduce((sum, shard) => sum + shard.arenaBytesInUse, 0);
      return { path: memoryLogDir, totalBytes, usableBytes: totalBytes - usedBytes, partitions };
    }
    // The volume's room is extra information (v4): when it cannot be read, Kafka's "unknown" (−1).
    const volume = await statfs(dataDir).catch(() => null);
    const room = volume === null ? { totalBytes: -1, usableBytes: -1 } : { totalBytes: volume.blocks * volume.bsize, usableBytes: volume.bavail * volume.bsize };
    return { path: resolve(dataDir), ...room, partitions };
  }

  // ─── Consumer groups: each request goes to the coordinator actor of the group's shard ────────
  // The GroupFacade the wire handlers call (core/group/group_calls.ts), typed by the call map.

  readonly joinGroup: GroupFacade['joinGroup'] = (request) => this.#groupCall(request.groupId, 'joinGroup', request);
  readonly syncGroup: GroupFacade['syncGroup'] = (request) => this.#groupCall(request.groupId, 'syncGroup', request);
  readonly heartbeat: GroupFacade['heartbeat'] = (request) => this.#groupCall(request.groupId, 'heartbeat', request);
  readonly leaveGroup: GroupFacade['leaveGroup'] = (request) => this.#groupCall(request.groupId, 'leaveGroup', request);
  readonly offsetCommit: GroupFacade['offsetCommit'] = (request) => this.#groupCall(request.groupId, 'offsetCommit', request);
  readonly offsetFetch: GroupFacade['offsetFetch'] = (request) => this.#groupCall(request.groupId, 'offsetFetch', request);
  readonly offsetDelete: GroupFacade['offsetDelete'] = (request) => this.#groupCall(request.groupId, 'offsetDelete', request);
  readonly txnOffsetsCommit: GroupFacade['txnOffsetsCommit'] = (request) => this.#groupCall(request.groupId, 'txnOffsetsCommit', request);
  readonly validateTxnOffsetCommit: GroupFacade['validateTxnOffsetCommit'] = (request) => this.#groupCall(request.groupId, 'validateTxnOffsetCommit', request);

  /** Groups in request order; each id is asked of its own shard. */
  async describeGroups(groupIds: readonly string[]): Promise<DescribedGroup[]> {
    return Promise.all(groupIds.map(async (groupId) => (await this.#groupCall(groupId, 'describeGroups', [groupId]))[0]));
  }

  readonly consumerGroupHeartbeat: GroupFacade['consumerGroupHeartbeat'] = (request) => this.#groupCall(request.groupId, 'consumerGroupHeartbeat', request);

  /** Consumer-protocol groups in request order; each id is asked of its own shard. */
  async consumerGroupDescribe(groupIds: readonly string[]): Promise<DescribedConsumerGroup[]> {
    return Promise.all(groupIds.map(async (groupId) => (await this.#groupCall(groupId, 'consumerGroupDescribe', [groupId]))[0]));
  }

  async deleteGroups(groupIds: readonly string[]): Promise<DeletedGroup[]> {
    return Promise.all(groupIds.map(async (groupId) => (await this.#groupCall(groupId, 'deleteGroups', [groupId]))[0]));
  }

  /** Every shard's groups, sorted by id; `statesFilter` as ListGroups v4 (empty: all). */
  async listGroups(statesFilter: readonly string[] = []): Promise<ListedGroup[]> {
    this.#checkRunning();
    const perShard = await Promise.all(this.#shards.map(async (shard) => (await this.#call(shard, 'listGroups', statesFilter)).groups));
    return perShard.flat().sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** A call to the coordinator of the shard that owns `groupId`. */
  async #groupCall<M extends GroupMethod>(groupId: string, method: M, request: GroupRequestOf<M>): Promise<GroupResultOf<M>> {
    this.#checkRunning();
    const shard = this.#shards[shardForGroup(groupId, this.#shards.length)];
    assert(shard !== undefined, `group ${groupId} hashed outside the ${this.#shards.length} shards`);
    return this.#call(shard, method, request);
  }

  async #call<M extends GroupMethod>(shard: ShardHandle, method: M, request: GroupRequestOf<M>): Promise<GroupResultOf<M>> {
    const result = await shard.call(groupCoordinator, method, request);
    if (!result.ok) throw new LanesError(result.errorCode, result.message);
    return result.value;
  }

  // ─── Transactions: each call goes to the transaction coordinator of the id's shard ───────────
  // The TxnFacade the wire handlers and the embedded producer call (core/txn/txn_calls.ts).

  readonly initTransactionalProducer: TxnFacade['initTransactionalProducer'] = (request) => this.#txns.initTransactionalProducer(request);
  readonly addPartitionsToTxn: TxnFacade['addPartitionsToTxn'] = (request) => this.#txns.addPartitionsToTxn(request);
  readonly addOffsetsToTxn: TxnFacade['addOffsetsToTxn'] = (request) => this.#txns.addOffsetsToTxn(request);
  readonly txnOffsetCommit: TxnFacade['txnOffsetCommit'] = (request) => this.#txns.txnOffsetCommit(request);
  readonly endTxn: TxnFacade['endTxn'] = (request) => this.#txns.endTxn(request);
  readonly describeTransactions: TxnFacade['describeTransactions'] = (ids) => this.#txns.describeTransactions(ids);
  readonly listTransactions: TxnFacade['listTransactions'] = (request) => this.#txns.listTransactions(request);

  /** Finishes every decided transaction not finished yet (what the periodic sweep does; tests). */
  finishTransactions(): Promise<void> {
    return this.#txns.sweep();
  }

  async #txnCall<M extends TxnMethod>(shard: number, method: M, request: TxnRequestOf<M>): Promise<TxnResultOf<M>> {
    this.#checkRunning();
    const handle = this.#shards[shard];
    assert(handle !== undefined, `transaction coordinator shard ${shard} outside the ${this.#shards.length} shards`);
    const result = await handle.call(txnCoordinator, method, request);
    if (!result.ok) throw new LanesError(result.errorCode, result.message);
    return result.value;
  }

  async #publishTopics(): Promise<void> {
    const topics: [string, number][] = this.#topics.list().map((topic) => [topic.name, topic.partitions.length]);
    await Promise.all(this.#shards.map((shard) => shard.control.setTopics(topics)));
  }

  /** Per-shard state: partitions, arena use, envelopes handled. */
  async describeShards() {
    return Promise.all(this.#shards.map((shard) => shard.control.describe()));
  }

  // ─── Observability (the admin port, actors/admin/) ─────────────────────────────────────────

  /** Each shard's group coordinator events since the last drain (shard/group_event_buffer.ts). */
  async drainGroupEvents(): Promise<(DrainedGroupEvents & { shard: number })[]> {
    this.#checkRunning();
    return Promise.all(this.#shards.map(async (shard) => ({ shard: shard.id, ...(await shard.control.drainGroupEvents()) })));
  }

  /** Each shard's disk flush durations since it started (shard/flush_histogram.ts). */
  async flushStats(): Promise<(Awaited<ReturnType<ShardControl['flushStats']>> & { shard: number })[]> {
    this.#checkRunning();
    return Promise.all(this.#shards.map(async (shard) => ({ shard: shard.id, ...(await shard.control.flushStats()) })));
  }

  /**
   * Bytes written and not yet consumed in each shard's request ring (host → shard) and reply ring
   * (shard → host), read from the rings' control words: a moment's snapshot, racing both ends.
   */
  ringOccupancy(): { shard: number; ring: 'request' | 'reply'; usedBytes: number; capacityBytes: number }[] {
    return this.#ringRegions.flatMap(({ shard, request, reply }) =>
      ([['request', request], ['reply', reply]] as const).map(([ring, byteOffset]) => {
        const control = new Int32Array(this.#buffer(), byteOffset, ringControlBytes / 4);
        const usedBytes = (Atomics.load(control, ringTailWord) - Atomics.load(control, ringHeadWord)) >>> 0;
        return { shard, ring, usedBytes, capacityBytes: this.options.ringBytes };
      }),
    );
  }

  /** Finishes in-flight work, flushes and closes every log, and ends every shard thread. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'stopping') return;
    const failed = this.#state === 'failed';
    this.#state = 'stopping';
    this.#waiters.wakeAll();
    await this.#txns.stop();
    if (!failed) {
      // Everything produced before stop() reaches its shard before the stop message does.
      for (const shard of this.#shards) shard.publishNow();
      await Promise.all(this.#shards.map((shard) => shard.control.stop()));
    }
    await this.#endShards('the broker stopped before this request was served');
    this.#logger.info('broker stopped');
  }

  /** Undoes a start that failed: ends the shard threads and gives the data directory back. */
  async #abortStart(): Promise<void> {
    this.#rejectStart = null;
    await this.#endShards('the broker did not start');
  }

  /**
   * Stops the reply pump once it has delivered what the shards answered, fails the requests that
   * never reached them with `reason`, ends the shard threads and releases the data directory.
   */
  async #endShards(reason: string): Promise<void> {
    this.#state = 'stopped';
    await this.#pump.stop();
    const stopped = new LanesError(ErrorCode.NOT_LEADER_OR_FOLLOWER, reason);
    for (const shard of this.#shards) shard.fail(stopped);
    for (const shard of this.#shards) shard.control[Comlink.releaseProxy]();
    await Promise.all(this.#shards.map((shard) => shard.thread.terminate()));
    this.#lock?.release();
  }

  /** Shard threads still running (0 after stop()). */
  liveThreads(): number {
    return this.#shards.filter((shard) => !shard.exited).length;
  }

  #buffer(): SharedArrayBuffer {
    return this.#directory.buffer;
  }

  #placement(topic: string, partition: number) {
    const placement = this.#topics.placement(topic, partition);
    if (placement === undefined) {
      throw new LanesError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic ${topic} partition ${partition} does not exist`);
    }
    return placement;
  }

  /**
   * Opens the reserved `placements` of a topic (TopicRegistry.reserveTopic or reserveGrowth), then
   * commits the reservation (which saves the catalogue). If any partition cannot be made (out of
   * descriptors or disk space), or the commit fails, the ones made are closed and their
   * directories removed, the reservation is aborted, and the error is one KAFKA_STORAGE_ERROR.
   */
  async #openAllOrNone(entry: TopicEntry, placements: TopicEntry['partitions']): Promise<void> {
    const opened = await Promise.allSettled(this.#openPartitions(entry, placements));
    let failure: unknown = opened.find((result) => result.status === 'rejected')?.reason;
    const failed = opened.filter((result) => result.status === 'rejected').length;
    if (failure === undefined) {
      try {
        this.#topics.commit(entry.name);
        return;
      } catch (error) {
        failure = error;
      }
    }
    await Promise.all(placements.map(async (placement, i) => {
      try {
        if (opened[i].status === 'fulfilled') await this.#shards[placement.shard].control.closePartition(placement.actorId, true);
        else if (this.options.storage === 'disk') await rm(join(this.options.dataDir!, partitionDirName(entry.name, placement.partition)), { recursive: true, force: true });
      } catch (error) {
        this.#logger.error({ err: error, topic: entry.name, partition: placement.partition }, 'could not remove a partition of a topic that failed to be created');
      }
    }));
    const reason = oneLine(failure);
    const what = failed > 0 ? `${failed} of ${placements.length} partitions could not be made` : 'the catalogue could not be saved';
    this.#topics.abort(entry.name);
    this.#logger.warn({ topic: entry.name, partitions: placements.length, failed, reason }, 'topic change failed; nothing was kept');
    throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `topic ${entry.name}: ${what}, nothing was kept (${reason})${hintFor(reason)}`, { cause: failure });
  }

  #openPartitions(entry: TopicEntry, placements: TopicEntry['partitions']): Promise<PartitionState>[] {
    return placements.map((placement) =>
      this.#shards[placement.shard].control.openPartition({
        actorId: placement.actorId,
        topic: entry.name,
        partition: placement.partition,
        config: partitionLogConfig(entry.config),
      }),
    );
  }

  #checkRunning(): void {
    if (this.#state !== 'running') throw new LanesError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `the broker is ${this.#state}`);
  }

  readonly #onHighWatermark = (actorId: number, highWatermark: number): void => this.#waiters.advanced(actorId, highWatermark);

  #fail(shard: ShardHandle, error: Error): void {
    if (this.#state === 'failed' || this.#state === 'stopped') return;
    if (this.#state === 'starting') {
      this.#rejectStart?.(error);
      return;
    }
    this.#state = 'failed';
    this.#logger.fatal({ err: error, shard: shard.id }, 'shard failed; the broker stops serving');
    const failure = new LanesError(ErrorCode.UNKNOWN_SERVER_ERROR, `shard ${shard.id} failed: ${error.message}`, { cause: error });
    for (const each of this.#shards) each.fail(failure);
    this.#waiters.wakeAll();
    if (this.listenerCount('error') > 0) this.emit('error', failure);
    else queueMicrotask(() => {
      throw failure;
    });
  }
}

/** The settings a partition's log opens (or is reconfigured) with. */
function partitionLogConfig(config: TopicConfig) {
  return { ...config, indexIntervalBytes: indexIntervalBytesDefault };
}

/**
 * How a topic saved in topics.json gets its config: its overrides over today's defaults. A topic
 * saved before overrides were kept has only its config: the settings that differ from today's
 * defaults become its overrides, so it keeps behaving as it did (retention.ms −1, the old
 * default, stays −1 for it).
 */
function settleWith(defaults: TopicConfig): SettleTopicConfig {
  return (saved) => {
    const overrides: Record<string, string> = saved.overrides ?? overridesOfConfig(
      Object.fromEntries(Object.entries(saved.config ?? {}).filter(([field, value]) => field in defaults && value !== defaults[field as keyof TopicConfig])),
    );
    const config = { ...defaults, ...configOfOverrides(overrides) };
    checkLogCanHonour(config);
    return { config, overrides };
  };
}

/** The last offset of the stored batch `batch`. */
function lastOffsetOf(batch: Uint8Array): number {
  return readInt64(batch, BatchField.baseOffset) + readInt32(batch, BatchField.lastOffsetDelta);
}

/** Why a marker's fields cannot be written (each is an int64, int16 or int32 on the wire), or null. */
function markerProblem(marker: TxnMarkerRequest): string | null {
  if (typeof marker.producerId !== 'bigint' || marker.producerId < 0n || marker.producerId > BigInt(Number.MAX_SAFE_INTEGER)) return `producer id ${String(marker.producerId)} is outside 0..2^53`;
  if (!Number.isInteger(marker.producerEpoch) || marker.producerEpoch < 0 || marker.producerEpoch > 0x7fff) return `producer epoch ${marker.producerEpoch} is outside 0..32767`;
  if (!Number.isInteger(marker.coordinatorEpoch) || marker.coordinatorEpoch < -0x8000_0000 || marker.coordinatorEpoch > 0x7fff_ffff) return `coordinator epoch ${marker.coordinatorEpoch} is not an int32`;
  return null;
}

/** A message on one line: file system errors carry the path, stacks are left to the debug log. */
function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

function hintFor(reason: string): string {
  return /EMFILE|ENFILE|too many open files/i.test(reason) ? '; raise the open files limit (ulimit -n)' : '';
}

/** Why Broker.start() failed, in one line; with the descriptor arithmetic when it ran out of them. */
function startFailure(error: unknown, dataDir: string | null, topics: readonly TopicEntry[]): Error {
  if (error instanceof DataDirError) return error;
  const reason = oneLine(error);
  if (dataDir === null) return new Error(`the broker could not start: ${reason}`, { cause: error });
  let detail = '';
  if (hintFor(reason) !== '') {
    const partitions = topics.reduce((sum, topic) => sum + topic.partitions.length, 0);
    detail = `; the ${partitions} partitions there need about ${descriptorsNeeded(dataDir, topics, 0)} file descriptors, the limit (ulimit -n) is ${openFilesLimit() ?? 'unknown'}: raise it`;
  }
  return new DataDirError(`data dir ${dataDir}: the logs could not be opened: ${reason}${detail}`, { cause: error });
}

function descriptorsNeeded(dataDir: string, topics: readonly TopicEntry[], shards: number): number {
  const dirs = topics.flatMap((topic) => topic.partitions.map((placement) => join(dataDir, partitionDirName(topic.name, placement.partition))));
  for (let shard = 0; shard < shards; shard++) dirs.push(join(dataDir, offsetsLogDirName(shard)), join(dataDir, txnStateLogDirName(shard)));
  return logDescriptors(dirs) + descriptorsReserved;
}

/** A warning at start when the open files limit is below what the logs on disk will hold. */
function warnIfFewDescriptors(dataDir: string, topics: readonly TopicEntry[], shards: number, logger: typeof rootLogger): void {
  const limit = openFilesLimit();
  if (limit === null) return;
  const needed = descriptorsNeeded(dataDir, topics, shards);
  if (needed > limit) {
    logger.warn({ needed, limit, partitions: topics.reduce((sum, topic) => sum + topic.partitions.length, 0) }, 'the open files limit (ulimit -n) is below what the partitions on disk need; opening them may fail with EMFILE: raise it');
  }
}
