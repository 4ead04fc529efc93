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
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import * as Comlink from 'comlink';
import { assert } from '../../core/assert.js';
import { ErrorCode, LanesError } from '../../core/errors.js';
import { recordBatchBytesMaxDefault, segmentBytesDefault, indexIntervalBytesDefault } from '../../core/limits.js';
import { decodeMessage } from '../envelope.js';
import { batchTotalBytes } from '../../core/records/record_batch.js';
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
import { groupCoordinator } from '../shard/actor.js';
import { partitionActor } from '../shard/partition_actor.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import type { WaitScope } from '../../core/handlers/handler.js';
import type { DeletedGroup, DescribedGroup, ListedGroup } from '../../core/group/group_api.js';
import type { GroupFacade, GroupMethod, GroupRequestOf, GroupResultOf } from '../../core/group/group_calls.js';
import { shardForGroup } from './shard_router.js';
import type { ShardWorkerData } from '../shard/shard_main.js';
import type { FlushPolicy } from '../shard/log_factory.js';
import { HighWatermarkWaiters } from './high_watermark_waiters.js';
import type { ShardHandle } from './shard_handle.js';
import { defaultShardThreads, startShard, type ShardThreads } from './shard_threads.js';
import { readShared } from './shared_log_reader.js';
import { TopicRegistry, type TopicConfig, type TopicEntry } from './topic_registry.js';
import { topicIdBytes, topicIdFromText, topicIdText } from '../../core/handlers/topic_ids.js';
import { checkLogCanHonour } from '../../core/handlers/topic_config.js';
import { DataDirError } from './data_dir_error.js';
import { openDataDir, reconcilePartitionDirs } from './data_dir.js';
import type { DataDirLock } from './data_dir_lock.js';
import { descriptorsReserved, logDescriptors, openFilesLimit } from './open_files_limit.js';
import { offsetsLogDirName, partitionDirName } from '../data_dir_layout.js';

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
   * crosses no thread (host/shard_threads.ts). Default: see defaultShardThreads.
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
  /** Defaults for new topics. */
  topicDefaults?: Partial<TopicConfig>;
  /** Batch kernels: 'auto' picks WASM where it pays; 'ts' forces the TypeScript twins. */
  kernels?: 'auto' | 'ts';
  /** Group coordinator settings (initial rebalance delay, session timeout bounds, …). */
  groups?: Partial<GroupConfig>;
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
  /**
   * Views into shared memory stay valid until release(); call it once the bytes are used
   * (written to a socket, decoded, copied). Idempotent.
   */
  release(): void;
}

export interface TopicDescription {
  name: string;
  /** KIP-516's topic id, 16 bytes (core/handlers/topic_ids.ts). */
  topicId: Uint8Array;
  config: TopicConfig;
  partitions: { partition: number; shard: number; logStartOffset: number; highWatermark: number }[];
}

function defaultTopicConfig(overrides: Partial<TopicConfig> | undefined, storage: 'memory' | 'disk'): TopicConfig {
  return {
    retentionMs: -1,
    retentionBytes: -1,
    // In memory a segment is one arena block: smaller blocks waste less per partition.
    segmentBytes: storage === 'memory' ? 8 * MiB : segmentBytesDefault,
    maxMessageBytes: recordBatchBytesMaxDefault,
    ...overrides,
  };
}

export class Broker extends EventEmitter {
  readonly options: Required<Omit<BrokerOptions, 'dataDir' | 'topicDefaults' | 'groups'>> & { dataDir: string | null };
  readonly #shards: ShardHandle[];
  readonly #topics: TopicRegistry;
  readonly #directory: PartitionDirectory;
  readonly #epochs: EpochReader;
  readonly #hostDoorbell: Doorbell;
  readonly #waiters = new HighWatermarkWaiters();
  readonly #topicDefaults: Partial<TopicConfig> | undefined;
  readonly #logger = componentLogger(rootLogger, 'broker');
  #pump: Promise<void> | null = null;
  /** Where each shard's rings live in shared memory, for ringOccupancy(). */
  #ringRegions: { shard: number; request: number; reply: number }[] = [];
  #state: 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' = 'starting';
  /** Fails Broker.start() when a shard fails before the broker runs. */
  #rejectStart: ((error: Error) => void) | null = null;
  /** The data directory's lock (disk storage), released on stop. */
  readonly #lock: DataDirLock | null;

  private constructor(init: {
    options: Broker['options'];
    shards: ShardHandle[];
    topics: TopicRegistry;
    directory: PartitionDirectory;
    epochs: EpochReader;
    hostDoorbell: Doorbell;
    topicDefaults: Partial<TopicConfig> | undefined;
    lock: DataDirLock | null;
  }) {
    super();
    this.options = init.options;
    this.#shards = init.shards;
    this.#topics = init.topics;
    this.#directory = init.directory;
    this.#epochs = init.epochs;
    this.#hostDoorbell = init.hostDoorbell;
    this.#topicDefaults = init.topicDefaults;
    this.#lock = init.lock;
  }

  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const storage = options.storage ?? 'memory';
    const dataDir = options.dataDir ?? null;
    if (storage === 'disk' && dataDir === null) throw new TypeError('Broker.start: storage "disk" needs a dataDir');
    const shardThreads = options.shardThreads ?? defaultShardThreads();
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
    try {
      topics = new TopicRegistry({ shardCount: resolved.shards, actorIdsMax: resolved.partitionsMax, dataDir: diskDir });
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
      topicDefaults: options.topicDefaults,
      lock,
    });
    broker.#ringRegions = plan.shards.map((regions, shard) => ({ shard, request: regions.requestRing, reply: regions.replyRing }));
    for (const shard of shards) {
      shard.thread.on('error', (error) => broker.#fail(shard, error));
      shard.thread.on('exit', (code) => {
        if (broker.#state === 'running') broker.#fail(shard, new Error(`shard ${shard.id} exited with code ${code}`));
      });
    }
    broker.#pump = broker.#runPump();
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
    if (storage === 'disk') await warnCommittedPastLogEnd(broker, broker.#logger);
    broker.#logger.info({ storage, dataDir, shards: resolved.shards, topics: topics.list().length, kernels: kernelModule === null ? 'ts' : 'wasm' }, 'broker started');
    return broker;
  }

  get shardCount(): number {
    return this.#shards.length;
  }

  async createTopic(name: string, options: { partitions?: number; config?: Partial<TopicConfig> } = {}): Promise<TopicEntry> {
    this.#checkRunning();
    const config = defaultTopicConfig({ ...this.#topicDefaults, ...options.config }, this.options.storage);
    // Settings the partition logs could not open with are refused before anything is made (the
    // wire's CreateTopics checks the same; embedded callers come straight here).
    checkLogCanHonour(config);
    // All or nothing: every partition's files are made before the catalogue names the topic.
    const entry = this.#topics.reserveTopic(name, options.partitions ?? 1, config);
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

  async deleteTopic(name: string): Promise<void> {
    this.#checkRunning();
    const entry = this.#topics.remove(name);
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
      partitions: entry.partitions.map((placement) => {
        const snapshot = this.#directory.read(placement.actorId);
        return {
          partition: placement.partition,
          shard: placement.shard,
          logStartOffset: snapshot?.logStartOffset ?? 0,
          highWatermark: snapshot?.highWatermark ?? 0,
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
    return { baseOffset: result.baseOffset, recordCount: result.recordCount, logStartOffset: result.logStartOffset, highWatermark: result.highWatermark };
  }

  /**
   * Reads whole batches from `fetchOffset`, up to about `maxBytes` (at least one batch). Bytes the
   * log keeps in shared memory are returned as views, without a copy and without a round trip to
   * the shard; older bytes come through the shard.
   */
  async fetch(topic: string, partition: number, fetchOffset: number, maxBytes: number): Promise<FetchResult> {
    this.#checkRunning();
    const placement = this.#placement(topic, partition);
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

  // ─── Consumer groups: each request goes to the coordinator actor of the group's shard ────────
  // The GroupFacade the wire handlers call (core/group/group_calls.ts), typed by the call map.

  readonly joinGroup: GroupFacade['joinGroup'] = (request) => this.#groupCall(request.groupId, 'joinGroup', request);
  readonly syncGroup: GroupFacade['syncGroup'] = (request) => this.#groupCall(request.groupId, 'syncGroup', request);
  readonly heartbeat: GroupFacade['heartbeat'] = (request) => this.#groupCall(request.groupId, 'heartbeat', request);
  readonly leaveGroup: GroupFacade['leaveGroup'] = (request) => this.#groupCall(request.groupId, 'leaveGroup', request);
  readonly offsetCommit: GroupFacade['offsetCommit'] = (request) => this.#groupCall(request.groupId, 'offsetCommit', request);
  readonly offsetFetch: GroupFacade['offsetFetch'] = (request) => this.#groupCall(request.groupId, 'offsetFetch', request);
  readonly offsetDelete: GroupFacade['offsetDelete'] = (request) => this.#groupCall(request.groupId, 'offsetDelete', request);

  /** Groups in request order; each id is asked of its own shard. */
  async describeGroups(groupIds: readonly string[]): Promise<DescribedGroup[]> {
    return Promise.all(groupIds.map(async (groupId) => (await this.#groupCall(groupId, 'describeGroups', [groupId]))[0]));
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
    this.#hostDoorbell.ring();
    await this.#pump;
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
        config: { ...entry.config, segmentMs: 7 * 24 * 3600 * 1000, indexIntervalBytes: indexIntervalBytesDefault },
      }),
    );
  }

  #checkRunning(): void {
    if (this.#state !== 'running') throw new LanesError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `the broker is ${this.#state}`);
  }

  readonly #onHighWatermark = (actorId: number, highWatermark: number): void => this.#waiters.advanced(actorId, highWatermark);

  /** Drains every shard's reply ring; sleeps on the host doorbell when all are empty. */
  async #runPump(): Promise<void> {
    const onHighWatermark = this.#onHighWatermark;
    while (this.#state !== 'stopped') {
      let drained = 0;
      for (const shard of this.#shards) drained += shard.drainReplies(onHighWatermark);
      if (drained > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      this.#hostDoorbell.prepareSleep();
      if (this.#shards.some((shard) => shard.hasReplies()) || this.#stopped()) {
        this.#hostDoorbell.cancelSleep();
        continue;
      }
      // No timeout: the doorbell protocol cannot miss a publish, and stop() rings it.
      await this.#hostDoorbell.waitAsync();
    }
    for (const shard of this.#shards) shard.drainReplies(onHighWatermark);
  }

  #stopped(): boolean {
    return this.#state === 'stopped';
  }

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
  for (let shard = 0; shard < shards; shard++) dirs.push(join(dataDir, offsetsLogDirName(shard)));
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
