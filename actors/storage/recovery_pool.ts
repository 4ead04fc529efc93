// A piscina pool for recovery scans: segments whose index is missing or invalid, or whose
// unindexed tail is large, are scanned (read + CRC-32C of every batch) off the owning thread, in
// parallel across segments. Progress comes back per segment over a MessagePort.
//
// piscina is imported when a pool is first started, not with this module: it costs about as much
// to load as the rest of a shard's modules, and most starts (memory storage, a clean shutdown's
// intact indexes) never scan a segment on a pool.
import { MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { workerEntry } from '../spawn.js';
import type { SegmentScanResult, SegmentScanTask } from './segment_file_scan.js';

export class RecoveryPool {
  readonly #pool: Piscina;

  private constructor(pool: Piscina) {
    this.#pool = pool;
  }

  static async start(threads = Math.max(1, Math.min(4, availableParallelism() - 1))): Promise<RecoveryPool> {
    const entry = workerEntry('storage/recovery_worker');
    const { Piscina } = await import('piscina');
    return new RecoveryPool(new Piscina({ filename: entry.file.href, workerData: entry.workerData, execArgv: entry.execArgv, minThreads: 0, maxThreads: threads, idleTimeout: 1000 }));
  }

  async scan(task: SegmentScanTask, onProgress?: (scannedBytes: number, totalBytes: number) => void): Promise<SegmentScanResult> {
    if (onProgress === undefined) return this.#pool.run(task) as Promise<SegmentScanResult>;
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (message: { scannedBytes: number; totalBytes: number }) => onProgress(message.scannedBytes, message.totalBytes));
    try {
      return (await this.#pool.run({ ...task, progressPort: port2 }, { transferList: [port2] })) as SegmentScanResult;
    } finally {
      port1.close();
    }
  }

  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}
