// Drives core/log/recovery.ts over a segment file: positional reads of one chunk at a time (a
// batch larger than the chunk gets a buffer of its own), so scanning a 1 GiB segment holds a few
// MiB. Synchronous on purpose: it runs either inline during open (small tails) or alone on a
// recovery worker thread (recovery_worker.ts), where blocking is the point.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { beginScan, scanChunk, type ScanStart } from '../../core/log/recovery.js';

export interface SegmentScanTask {
  path: string;
  segmentBaseOffset: number;
  indexIntervalBytes: number;
  start?: ScanStart;
  chunkBytes?: number;
  /** Report progress every this many scanned bytes. */
  progressEveryBytes?: number;
}

export interface SegmentScanResult {
  fileBytes: number;
  /** End of the last whole, valid batch: the segment is truncated here when shorter than the file. */
  validBytes: number;
  nextOffset: number;
  maxTimestamp: number;
  bytesSinceIndexEntry: number;
  batches: number;
  offsetEntries: number[];
  timeEntries: number[];
  /** Why the scan stopped before the file's end (torn or corrupt tail), or null. */
  problem: string | null;
}

const chunkBytesDefault = 4 * 1024 * 1024;

export function scanSegmentFile(task: SegmentScanTask, onProgress?: (scannedBytes: number, totalBytes: number) => void): SegmentScanResult {
  const fd = openSync(task.path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    const scan = beginScan(task.segmentBaseOffset, task.indexIntervalBytes, task.start);
    const startPosition = scan.position;
    let buffer = new Uint8Array(Math.max(64, Math.min(task.chunkBytes ?? chunkBytesDefault, fileBytes - startPosition)));
    const progressEvery = task.progressEveryBytes ?? 64 * 1024 * 1024;
    let nextReport = startPosition + progressEvery;
    let problem: string | null = null;
    while (scan.position < fileBytes) {
      const chunkPosition = scan.position;
      const wanted = Math.min(buffer.length, fileBytes - chunkPosition);
      const length = readFully(fd, buffer, wanted, chunkPosition);
      if (length < wanted) {
        problem = `short read at ${chunkPosition}: the file shrank while it was scanned`;
        break;
      }
      const step = scanChunk(scan, buffer.subarray(0, length), chunkPosition);
      if (step.kind === 'corrupt') {
        problem = `corrupt batch at ${scan.position}: ${step.reason}`;
        break;
      }
      if (scan.position + step.bytes > fileBytes) {
        problem = `torn batch at ${scan.position}: needs ${step.bytes} bytes, ${fileBytes - scan.position} remain`;
        break;
      }
      if (scan.position === chunkPosition && step.bytes > buffer.length) buffer = new Uint8Array(step.bytes);
      if (onProgress !== undefined && scan.position >= nextReport) {
        onProgress(scan.position - startPosition, fileBytes - startPosition);
        nextReport = scan.position + progressEvery;
      }
    }
    onProgress?.(scan.position - startPosition, fileBytes - startPosition);
    return {
      fileBytes,
      validBytes: scan.position,
      nextOffset: scan.nextOffset,
      maxTimestamp: scan.maxTimestamp,
      bytesSinceIndexEntry: scan.bytesSinceIndexEntry,
      batches: scan.batches,
      offsetEntries: scan.offsetEntries,
      timeEntries: scan.timeEntries,
      problem,
    };
  } finally {
    closeSync(fd);
  }
}

export function readFully(fd: number, buffer: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}
