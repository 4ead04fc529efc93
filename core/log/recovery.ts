// Recovery's scan logic, pure over bytes: walks a segment's batches from a known-good point,
// checks each one as the append path did (header, lengths, CRC-32C, offsets continuing from the
// previous batch), and rebuilds the offset and time indexes with the same rule the append path
// uses (time_index.ts: indexBatch). It stops at the first batch that is incomplete or wrong; the
// caller (file storage) truncates the segment there. The bytes arrive in chunks, so a scan of a
// 1 GiB segment needs only one chunk-sized buffer, and the same code runs inline or on a
// recovery worker thread.
//
// The CRC check here is the second half of a paired assertion: append checked each batch's CRC
// before storing it, and recovery checks it again on the way back in.

import { ErrorCode } from '../errors.js';
import { crc32c } from '../records/crc32c.js';
import { batchCrcStart, BatchField, readInt32, readInt64, readUint32 } from '../records/record_batch.js';
import { indexBatch, type IndexCursor, type IndexSink } from './time_index.js';

const headerBytes = BatchField.records;

/** Where a scan starts: the segment start, or an offset-index entry known to be a batch start. */
export interface ScanStart {
  position: number;
  /** The base offset the batch at `position` must have. */
  nextOffset: number;
  /** Max timestamp of the batches before `position` (−Infinity when none). */
  maxTimestamp: number;
  /** The last time-index entry's timestamp kept from before `position` (−Infinity when none). */
  lastTimeEntryTimestamp: number;
}

export interface SegmentScan extends IndexCursor, IndexSink {
  readonly segmentBaseOffset: number;
  readonly indexIntervalBytes: number;
  /** End of the verified bytes: every batch before it passed every check. */
  position: number;
  nextOffset: number;
  batches: number;
  /** Offset-index entries found by the scan, flat [relativeOffset, position, …]. */
  readonly offsetEntries: number[];
  /** Time-index entries found by the scan, flat [timestamp, relativeOffset, …]. */
  readonly timeEntries: number[];
  lastTimeEntryTimestamp: number;
}

export function beginScan(segmentBaseOffset: number, indexIntervalBytes: number, start?: ScanStart): SegmentScan {
  const scan: SegmentScan = {
    segmentBaseOffset,
    indexIntervalBytes,
    position: start?.position ?? 0,
    nextOffset: start?.nextOffset ?? segmentBaseOffset,
    maxTimestamp: start?.maxTimestamp ?? -Infinity,
    lastTimeEntryTimestamp: start?.lastTimeEntryTimestamp ?? -Infinity,
    // At the start or at an index entry, no bytes have been stored since an entry.
    bytesSinceIndexEntry: 0,
    batches: 0,
    offsetEntries: [],
    timeEntries: [],
    offsetEntry(relativeOffset, position) {
      scan.offsetEntries.push(relativeOffset, position);
    },
    timeEntry(timestamp, relativeOffset) {
      scan.timeEntries.push(timestamp, relativeOffset);
      scan.lastTimeEntryTimestamp = timestamp;
    },
  };
  return scan;
}

export type ScanStep =
  /** The next batch needs `bytes` bytes from scan.position; supply a chunk that holds them. */
  | { kind: 'needBytes'; bytes: number }
  /** The batch at scan.position is wrong: the segment's valid bytes end there. */
  | { kind: 'corrupt'; reason: string; errorCode: number };

/**
 * Scans whole batches of `chunk` (which holds file bytes from `chunkPosition` on) starting at
 * scan.position, and returns what stopped it. Advances scan past every batch that passed.
 */
export function scanChunk(
  scan: SegmentScan,
  chunk: Uint8Array,
  chunkPosition: number,
  checksum: (bytes: Uint8Array, start: number, end: number) => number = crc32c,
): ScanStep {
  for (;;) {
    const at = scan.position - chunkPosition;
    if (at < 0 || at + headerBytes > chunk.length) return { kind: 'needBytes', bytes: headerBytes };
    const batchLength = readInt32(chunk, at + BatchField.batchLength);
    if (batchLength < headerBytes - 12) return corrupt(`batchLength ${batchLength} is shorter than a header`);
    const total = 12 + batchLength;
    if (at + total > chunk.length) return { kind: 'needBytes', bytes: total };
    const magic = chunk[at + BatchField.magic];
    if (magic !== 2) return corrupt(`magic ${magic}`);
    const baseOffset = readInt64(chunk, at + BatchField.baseOffset);
    if (baseOffset !== scan.nextOffset) return corrupt(`base offset ${baseOffset} where ${scan.nextOffset} was due`);
    const lastOffsetDelta = readInt32(chunk, at + BatchField.lastOffsetDelta);
    const recordCount = readInt32(chunk, at + BatchField.recordCount);
    if (recordCount <= 0 || lastOffsetDelta !== recordCount - 1) return corrupt(`${recordCount} records with lastOffsetDelta ${lastOffsetDelta}`);
    const storedCrc = readUint32(chunk, at + BatchField.crc);
    const actualCrc = checksum(chunk, at + batchCrcStart, at + total);
    if (storedCrc !== actualCrc) return corrupt(`CRC-32C mismatch (stored ${storedCrc}, computed ${actualCrc})`);
    const maxTimestamp = readInt64(chunk, at + BatchField.maxTimestamp);
    indexBatch(scan, scan, baseOffset - scan.segmentBaseOffset, scan.position, total, maxTimestamp, scan.indexIntervalBytes);
    scan.position += total;
    scan.nextOffset = baseOffset + lastOffsetDelta + 1;
    scan.batches++;
  }
}

function corrupt(reason: string): ScanStep {
  return { kind: 'corrupt', reason, errorCode: ErrorCode.CORRUPT_MESSAGE };
}

/**
 * Checks a loaded offset index against the segment file: entries must strictly increase in both
 * words and point inside the file (entries at or past its end are dropped: the log lost those
 * bytes). Returns how many leading entries are usable, or −1 when the index is malformed and the
 * segment needs a full scan.
 */
export function usableIndexEntries(entries: Uint32Array, count: number, fileBytes: number): number {
  let previousOffset = -1;
  let previousPosition = 0;
  for (let i = 0; i < count; i++) {
    const relativeOffset = entries[i * 2];
    const position = entries[i * 2 + 1];
    if (position >= fileBytes) return i;
    if (relativeOffset <= previousOffset || position <= previousPosition) return -1;
    previousOffset = relativeOffset;
    previousPosition = position;
  }
  return count;
}
