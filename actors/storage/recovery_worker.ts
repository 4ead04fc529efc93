// Recovery worker thread (piscina task module): scans one segment file and reports progress on
// the MessagePort it was handed. See recovery_pool.ts.
import type { MessagePort } from 'node:worker_threads';
import { scanSegmentFile, type SegmentScanResult, type SegmentScanTask } from './segment_file_scan.js';

export interface RecoveryWorkerTask extends SegmentScanTask {
  progressPort?: MessagePort;
}

export default function scanTask(task: RecoveryWorkerTask): SegmentScanResult {
  const port = task.progressPort;
  try {
    return scanSegmentFile(task, port === undefined ? undefined : (scannedBytes, totalBytes) => port.postMessage({ scannedBytes, totalBytes }));
  } finally {
    port?.close();
  }
}
