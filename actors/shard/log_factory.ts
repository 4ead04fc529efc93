// Opens the logs a shard owns: picks the storage (shared-memory segments from the shard's arena,
// or Kafka-layout files under the data directory), the batch kernels (WASM on this thread's own
// instance when the host compiled them, else the TS twins), and adapts core/log's Log to what the
// partition and group actors need (PartitionLog). On disk, every storage sync (the fsync of a
// flush, whichever policy or caller started it) is timed into the shard's FlushHistogram.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { ErrorCode, LanesError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import { Log, type FlushPolicy as LogFlushPolicy } from '../../core/log/log.js';
import { MemoryStorage, type SegmentAllocator } from '../../core/log/memory_storage.js';
import type { RecoveredLog, SegmentStore, Storage, StorageOpenOptions } from '../../core/log/storage.js';
import { tsBatchKernels, type BatchKernels } from '../../core/records/batch_kernels.js';
import { decompress } from '../../core/records/compression.js';
import '../zstd_codec.js'; // zstd in this thread's codec registry, for validating produced batches
import { createWasmBatchKernels } from '../../wasm/kernels.js';
import type { Logger } from '../logger.js';
import { offsetsLogDirName, partitionDirName, txnStateLogDirName } from '../data_dir_layout.js';
import type { Arena } from './arena.js';
import type { FlushHistogram } from './flush_histogram.js';
import type { PartitionLog } from './partition_actor.js';
import type { DirectorySegment } from './partition_directory.js';
import { directorySegmentsMax } from './partition_directory.js';
import type { OpenPartition, PartitionLogConfig } from './shard_control.js';

/** Disk durability, as the broker's options spell it. */
export type FlushPolicy = 'always' | 'never' | { intervalMs: number };

export interface LogFactoryOptions {
  storage: 'memory' | 'disk';
  dataDir: string | null;
  flush: FlushPolicy;
  memory: WebAssembly.Memory;
  kernelModule: WebAssembly.Module | null;
  crcTablePtr: number;
  arena: Arena;
  /** Hands a block no longer used by a log to epoch reclamation (readers may still view it). */
  retire: (block: Uint8Array) => void;
  clock: Clock;
  logger: Logger;
  /** Where disk flushes of this shard's logs (partitions and the offsets log) are timed. */
  flushHistogram?: FlushHistogram;
}

function logFlushPolicy(flush: FlushPolicy, storage: 'memory' | 'disk'): LogFlushPolicy {
  if (storage === 'memory' || flush === 'never') return { kind: 'never' };
  if (flush === 'always') return { kind: 'always' };
  return { kind: 'interval', intervalMs: flush.intervalMs };
}

let kernels: BatchKernels | null = null;

/** This thread's kernels: one WASM instance per shard thread, created on first use. */
function batchKernels(options: LogFactoryOptions): BatchKernels {
  if (kernels === null) {
    kernels = options.kernelModule === null
      ? tsBatchKernels
      : createWasmBatchKernels({ module: options.kernelModule, memory: options.memory, crcTablePtr: options.crcTablePtr });
  }
  return kernels;
}

/** Segment buffers and index arrays from the shard's arena, in shared memory. */
function arenaAllocator(options: LogFactoryOptions): SegmentAllocator {
  return {
    allocate(bytes) {
      const block = options.arena.allocate(bytes);
      if (block === null) {
        throw new LanesError(ErrorCode.KAFKA_STORAGE_ERROR, `shard memory exhausted: ${options.arena.bytesInUse} of ${options.arena.bytesTotal} bytes in use; lower retention or raise memoryBytes`);
      }
      return block;
    },
    release(block) {
      options.retire(block);
    },
  };
}

export function partitionDir(dataDir: string, topic: string, partition: number): string {
  return join(dataDir, partitionDirName(topic, partition));
}

async function openStorage(options: LogFactoryOptions, name: string): Promise<Storage> {
  if (options.storage === 'memory') return new MemoryStorage(arenaAllocator(options));
  if (options.dataDir === null) throw new TypeError('disk storage needs a data directory');
  // Imported by the first log on disk, not with this module: a shard with memory storage (every
  // embedded broker by default, every test's) never needs the segment files, their recovery and
  // its worker pool (six modules of the hundred a shard thread loads before it can serve).
  const { FileStorage } = await import('../storage/file_storage.js');
  const storage = new FileStorage(join(options.dataDir, name), { logger: options.logger });
  return options.flushHistogram === undefined ? storage : new TimedStorage(storage, options.flushHistogram);
}

/**
 * A storage whose sync() — the fdatasyncs a flush waits for — is timed. Timed here rather than
 * around Log.flush(): the Log shares one sync among every caller that flushes meanwhile, so this
 * counts each fsync once, and does not count a caller's wait for the sync before its own.
 * Memory storage is not timed: its sync does nothing.
 */
class TimedStorage implements Storage {
  readonly #storage: Storage;
  readonly #histogram: FlushHistogram;

  constructor(storage: Storage, histogram: FlushHistogram) {
    this.#storage = storage;
    this.#histogram = histogram;
  }

  get kind(): Storage['kind'] {
    return this.#storage.kind;
  }

  open(options: StorageOpenOptions): Promise<RecoveredLog> {
    return this.#storage.open(options);
  }

  createSegment(baseOffset: number, capacityBytes: number, indexEntries: number): SegmentStore {
    return this.#storage.createSegment(baseOffset, capacityBytes, indexEntries);
  }

  deleteSegment(segment: SegmentStore): void {
    this.#storage.deleteSegment(segment);
  }

  writeOut(): void {
    this.#storage.writeOut();
  }

  async sync(): Promise<void> {
    const startedMs = performance.now();
    await this.#storage.sync();
    // A failed sync is not a flush that took some time: only completed ones are counted.
    this.#histogram.observe((performance.now() - startedMs) / 1000);
  }

  saveLogStartOffset(offset: number): void {
    this.#storage.saveLogStartOffset(offset);
  }

  close(): Promise<void> {
    return this.#storage.close();
  }
}

async function openLog(options: LogFactoryOptions, name: string, config: PartitionLogConfig): Promise<PartitionLog> {
  const storage = await openStorage(options, name);
  let log: Log;
  try {
    log = await Log.open(storage, {
      segmentBytes: config.segmentBytes,
      segmentMs: config.segmentMs,
      indexIntervalBytes: config.indexIntervalBytes,
      retentionBytes: config.retentionBytes,
      retentionMs: config.retentionMs,
      maxBatchBytes: config.maxMessageBytes,
      flush: logFlushPolicy(options.flush, options.storage),
      decompress,
      kernels: batchKernels(options),
      clock: options.clock,
    });
  } catch (error) {
    // A failed open (out of descriptors, say) must not keep the ones it got: the host answers
    // the failure and the broker goes on serving with what it had.
    await storage.close().catch(() => {});
    throw error;
  }
  return partitionLogOf(log, options);
}

/** The PartitionLog view of a core Log (exported for tests that inject a storage). */
export function partitionLogOf(log: Log, options: Pick<LogFactoryOptions, 'memory' | 'logger'>): PartitionLog {
  const buffer = options.memory.buffer;
  return {
    get highWatermark() {
      return log.highWatermark;
    },
    get logStartOffset() {
      return log.logStartOffset;
    },
    get sizeBytes() {
      return log.sizeBytes;
    },
    get segmentCount() {
      return log.segmentCount;
    },
    get flushBeforeAck() {
      return log.flushBeforeAck;
    },
    get failure() {
      return log.failure;
    },
    get unwrittenOffsets() {
      return log.unwrittenOffsets;
    },
    get lastStableOffset() {
      return log.lastStableOffset;
    },
    get lastAbortedOffset() {
      return log.lastAbortedOffset;
    },
    append: (bytes, start, end, origin) => log.append(bytes, start, end, origin),
    abortedTransactions: (fromOffset, toOffset) => log.abortedTransactions(fromOffset, toOffset),
    read: (fetchOffset, maxBytes) => log.read(fetchOffset, maxBytes),
    offsetForTimestamp: (timestampMs) => log.offsetForTimestamp(timestampMs) ?? -1,
    maxTimestampRecord: () => log.maxTimestampRecord(),
    writeOut: () => log.writeOut(),
    flush: () => log.flush(),
    roll: () => log.roll(),
    deleteRecordsBefore: (offset) => log.deleteRecordsBefore(offset),
    activeProducers: () => log.activeProducers(),
    tick: (nowMs) => {
      void log.tick(nowMs)?.catch((error: unknown) => options.logger.error({ err: error }, 'interval flush failed'));
    },
    get needsTick() {
      return log.needsTick;
    },
    sharedSegments: (): DirectorySegment[] => {
      // Only the newest segments fit a directory slot; older ones are served through the shard.
      const views = log.segmentViews().slice(-directorySegmentsMax);
      return views
        .filter((view) => view.bytes.buffer === buffer)
        .map((view) => ({
          baseOffset: view.baseOffset,
          bytesPtr: view.bytes.byteOffset,
          capacity: view.bytes.byteLength,
          committedBytes: view.committedBytes,
          indexPtr: view.indexEntries.byteOffset,
          indexCount: view.indexCount,
        }));
    },
    reconfigure: (config) =>
      log.reconfigure({
        segmentBytes: config.segmentBytes,
        segmentMs: config.segmentMs,
        retentionBytes: config.retentionBytes,
        retentionMs: config.retentionMs,
        maxBatchBytes: config.maxMessageBytes,
      }),
    close: () => log.close(),
  };
}

export function openPartitionLog(options: LogFactoryOptions, spec: OpenPartition): Promise<PartitionLog> {
  return openLog(options, partitionDirName(spec.topic, spec.partition), spec.config);
}

/** The shard's internal log of group records (Kafka's __consumer_offsets, one per shard), out of reach of topic names. */
export function openOffsetsLog(options: LogFactoryOptions, shardId: number, config: PartitionLogConfig): Promise<PartitionLog> {
  return openLog(options, offsetsLogDirName(shardId), config);
}

/** The shard's transaction state log (Kafka's __transaction_state, one per shard). */
export function openTxnStateLog(options: LogFactoryOptions, shardId: number, config: PartitionLogConfig): Promise<PartitionLog> {
  return openLog(options, txnStateLogDirName(shardId), config);
}

export async function deletePartitionFiles(options: LogFactoryOptions, topic: string, partition: number): Promise<void> {
  if (options.storage !== 'disk' || options.dataDir === null) return;
  await rm(partitionDir(options.dataDir, topic, partition), { recursive: true, force: true });
}
