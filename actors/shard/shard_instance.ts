// One shard, wherever it runs: attaches to the shared memory the host planned, builds the
// shard's runtime and actors, serves its control plane over comlink on `endpoint` and runs the
// loop until stop(). A worker thread (shard_main.ts) and the host's own thread (inline shards,
// host/shard_threads.ts) both start a shard through this one function, so the actor logic has
// one code path; only the thread it runs on and how it is woken differ.
import type { MessagePort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { systemClock } from '../system_clock.js';
import { EpochReclaimer } from '../epochs.js';
import { componentLogger, logger as rootLogger } from '../logger.js';
import type { MemoryPlan } from '../memory_plan.js';
import { Doorbell } from '../ring/doorbell.js';
import { SpinPolicy } from '../ring/spin_policy.js';
import { RingReader, RingWriter } from '../ring/spsc_ring.js';
import { Arena } from './arena.js';
import { PartitionActor } from './partition_actor.js';
import { PartitionDirectory } from './partition_directory.js';
import { ShardRuntime } from './shard_runtime.js';
import type { OpenPartition, PartitionLogConfig, PartitionState, ShardControl, ShardDescription } from './shard_control.js';
import { deletePartitionFiles, openOffsetsLog, openPartitionLog, openTxnStateLog, type LogFactoryOptions } from './log_factory.js';
import { TxnActor } from './txn_actor.js';
import { GroupActor } from './group_actor.js';
import { groupEvents } from './group_event_buffer.js';
import { FlushHistogram } from './flush_histogram.js';
import type { GroupConfig } from '../../core/group/group_config.js';
import type { TxnConfig } from '../../core/txn/txn_config.js';
import { indexIntervalBytesDefault, recordBatchBytesMaxDefault, ringPollMissesToRest, ringPollProbeEveryParks, shardPollBudgetUs, txnStateBatchBytesMax } from '../../core/limits.js';
import { fetchTransferBytesMax } from './fetch_limits.js';

export interface ShardWorkerData {
  shardId: number;
  memory: WebAssembly.Memory;
  kernelModule: WebAssembly.Module | null;
  plan: MemoryPlan;
  storage: LogFactoryOptions['storage'];
  dataDir: string | null;
  flush: LogFactoryOptions['flush'];
  envelopesPerTurn: number;
  tickIntervalMs: number;
  groupConfig: Partial<GroupConfig>;
  txnConfig?: Partial<TxnConfig>;
}

export interface ShardInstanceHooks {
  /** Where the control plane is served (comlink): the worker's parentPort, or a MessageChannel end. */
  endpoint: MessagePort;
  /** The shard loop hit an invariant failure (already logged as fatal). */
  onLoopFailed(error: unknown): void;
  /** stop() finished (comlink answers it next): let the thread end, e.g. close the endpoint. */
  onStopped(): void;
  /**
   * The reply ring's writer; default one that rings the host doorbell and, when the ring is full,
   * blocks the thread until the host drains it (worker threads only).
   */
  replies?: RingWriter;
  /**
   * How long the loop polls its request ring before parking, µs (ring/spin_policy.ts); default
   * core/limits.ts's shardPollBudgetUs. 0 for a shard on the host's thread, which must not block.
   */
  pollBudgetUs?: number;
}

export interface ShardInstance {
  runtime: ShardRuntime;
}

export async function startShardInstance(data: ShardWorkerData, hooks: ShardInstanceHooks): Promise<ShardInstance> {
  const buffer = data.memory.buffer as unknown as SharedArrayBuffer;
  const regions = data.plan.shards[data.shardId];
  const logger = componentLogger(rootLogger, 'shard', { shard: data.shardId });
  const ringRegion = (byteOffset: number) => ({ buffer, byteOffset, capacity: data.plan.ringBytes });

  const arena = new Arena(buffer, regions.arena);
  const reclaimer = new EpochReclaimer<Uint8Array>(buffer, data.plan.epochs);
  const directory = new PartitionDirectory(buffer, data.plan.directory, data.plan.partitionsMax);
  const replies = hooks.replies ?? new RingWriter(ringRegion(regions.replyRing), new Doorbell(buffer, data.plan.hostDoorbell));
  const runtime = new ShardRuntime({
    shardId: data.shardId,
    requests: new RingReader(ringRegion(regions.requestRing)),
    replies,
    doorbell: new Doorbell(buffer, regions.doorbell),
    clock: systemClock,
    envelopesPerTurn: data.envelopesPerTurn,
    tickIntervalMs: data.tickIntervalMs,
    onTick: () => reclaimer.collect((block) => arena.free(block)),
    logger,
    spin: new SpinPolicy({ budgetUs: hooks.pollBudgetUs ?? shardPollBudgetUs, missesToRest: ringPollMissesToRest, probeEveryParks: ringPollProbeEveryParks }),
  });

  const flushHistogram = new FlushHistogram();

  const factory: LogFactoryOptions = {
    storage: data.storage,
    dataDir: data.dataDir,
    flush: data.flush,
    memory: data.memory,
    kernelModule: data.kernelModule,
    crcTablePtr: data.plan.crcTable,
    arena,
    retire: (block) => reclaimer.retire(block),
    clock: systemClock,
    logger,
    flushHistogram,
  };

  // The group coordinator validates committed topics against the host's catalogue.
  let topicPartitions = new Map<string, number>();
  const offsetsLog = await openOffsetsLog(factory, data.shardId, {
    segmentBytes: (data.storage === 'memory' ? 8 : 64) * 1024 * 1024,
    segmentMs: 7 * 24 * 3600 * 1000,
    indexIntervalBytes: indexIntervalBytesDefault,
    retentionBytes: -1,
    retentionMs: -1,
    maxMessageBytes: recordBatchBytesMaxDefault,
  });
  const groupActor = GroupActor.open({
    log: offsetsLog,
    sink: runtime,
    clock: systemClock,
    logger: componentLogger(logger, 'group-coordinator'),
    config: data.groupConfig,
    partitionCount: (topic) => topicPartitions.get(topic),
    topicNames: () => [...topicPartitions.keys()],
  });
  runtime.add(groupActor);

  // Small segments in memory: each shard's arena holds one (compaction keeps the log short).
  const txnStateLog = await openTxnStateLog(factory, data.shardId, {
    segmentBytes: data.storage === 'memory' ? txnStateBatchBytesMax : 64 * 1024 * 1024,
    segmentMs: 7 * 24 * 3600 * 1000,
    indexIntervalBytes: indexIntervalBytesDefault,
    retentionBytes: -1,
    retentionMs: -1,
    maxMessageBytes: txnStateBatchBytesMax,
  });
  runtime.add(TxnActor.open({ log: txnStateLog, sink: runtime, clock: systemClock, logger: componentLogger(logger, 'txn-coordinator'), config: data.txnConfig }));

  const loop = runtime.run();
  loop.catch((error: unknown) => {
    // An invariant failure: report and die loudly; the host fails the broker.
    logger.fatal({ err: error }, 'shard loop failed');
    hooks.onLoopFailed(error);
  });

  const control: ShardControl = {
    async setTopics(topics: [string, number][]): Promise<void> {
      topicPartitions = new Map(topics);
      groupActor.topicsChanged();
    },
    async openPartition(spec: OpenPartition): Promise<PartitionState> {
      const log = await openPartitionLog(factory, spec);
      const actor = new PartitionActor({
        actorId: spec.actorId,
        topic: spec.topic,
        partition: spec.partition,
        log,
        sink: runtime,
        directory,
        fetchBytesMax: fetchTransferBytesMax(data.plan.ringBytes),
        logger,
      });
      runtime.add(actor);
      return actor.state();
    },
    async reconfigurePartition(actorId: number, config: PartitionLogConfig): Promise<boolean> {
      const actor = runtime.get(actorId);
      if (!(actor instanceof PartitionActor)) return false;
      actor.reconfigure(config);
      runtime.resumeTicks(actor);
      return true;
    },
    async closePartition(actorId: number, deleteData: boolean): Promise<void> {
      const actor = await runtime.remove(actorId);
      if (actor instanceof PartitionActor && deleteData) await deletePartitionData(actor);
    },
    async describe(): Promise<ShardDescription> {
      const partitions: PartitionState[] = [];
      for (const actor of runtime.actors()) if (actor instanceof PartitionActor) partitions.push(actor.state());
      return {
        shardId: data.shardId,
        partitions,
        arenaBytesInUse: arena.bytesInUse,
        arenaBytesTotal: arena.bytesTotal,
        envelopesHandled: runtime.envelopesHandled,
        turns: runtime.turns,
        kernels: factory.kernelModule === null ? 'ts' : 'wasm',
        heapUsedBytes: getHeapStatistics().used_heap_size,
      };
    },
    async drainGroupEvents() {
      return groupEvents.drain();
    },
    async flushStats() {
      return flushHistogram.snapshot();
    },
    async stop(): Promise<void> {
      await runtime.stop(loop);
      logger.debug('shard stopped');
      hooks.onStopped();
    },
  };

  async function deletePartitionData(actor: PartitionActor): Promise<void> {
    await deletePartitionFiles(factory, actor.topic, actor.partition);
  }

  Comlink.expose(control, nodeEndpoint(hooks.endpoint));
  return { runtime };
}
