// Kafka's on-disk names and index formats for one partition directory:
//
//   <dir>/00000000000000000000.log        batches, end to end, as stored
//   <dir>/00000000000000000000.index      [relativeOffset int32, position int32] big-endian
//   <dir>/00000000000000000000.timeindex  [timestamp int64, relativeOffset int32] big-endian
//   <dir>/log-start-offset                the log start offset saved by DeleteRecords (decimal)
//
// The 20-digit name is the segment's base offset. Index files exist only for sealed segments
// (rolled, or the active one after a clean close); they are written after the segment's bytes
// were synced, so they never describe bytes the disk may not hold.

import { join } from 'node:path';
import { BatchField } from '../../core/records/record_batch.js';

export const logSuffix = '.log';
export const indexSuffix = '.index';
export const timeIndexSuffix = '.timeindex';
export const logStartOffsetFile = 'log-start-offset';

const segmentNamePattern = /^(\d{20})\.(log|index|timeindex)$/;

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

export function segmentPath(dir: string, baseOffset: number, suffix: string): string {
  return join(dir, segmentFileName(baseOffset, suffix));
}

/** Base offset and kind of a segment file name, or null for other files. */
export function parseSegmentFileName(name: string): { baseOffset: number; kind: 'log' | 'index' | 'timeindex' } | null {
  const match = segmentNamePattern.exec(name);
  if (match === null) return null;
  const baseOffset = Number(match[1]);
  if (!Number.isSafeInteger(baseOffset)) return null;
  return { baseOffset, kind: match[2] as 'log' | 'index' | 'timeindex' };
}

export function encodeOffsetIndex(entries: Uint32Array, count: number): Uint8Array {
  const bytes = new Uint8Array(count * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < count * 2; i++) view.setUint32(i * 4, entries[i]);
  return bytes;
}

/** Entries of an `.index` file, or null when its size is not a whole number of entries. */
export function decodeOffsetIndex(bytes: Uint8Array): Uint32Array | null {
  if (bytes.length % 8 !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const entries = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < entries.length; i++) entries[i] = view.getUint32(i * 4);
  return entries;
}

export function encodeTimeIndex(timestamps: readonly number[], relativeOffsets: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(timestamps.length * 12);
  const view = new DataView(bytes.buffer);
  timestamps.forEach((timestamp, i) => {
    view.setBigInt64(i * 12, BigInt(timestamp));
    view.setUint32(i * 12 + 8, relativeOffsets[i]);
  });
  return bytes;
}

/** [timestamps, relativeOffsets] of a `.timeindex` file, or null when malformed. */
export function decodeTimeIndex(bytes: Uint8Array): { timestamps: number[]; relativeOffsets: number[] } | null {
  if (bytes.length % 12 !== 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const timestamps: number[] = [];
  const relativeOffsets: number[] = [];
  for (let at = 0; at < bytes.length; at += 12) {
    const timestamp = Number(view.getBigInt64(at));
    const relativeOffset = view.getUint32(at + 8);
    if (!Number.isSafeInteger(timestamp)) return null;
    if (timestamps.length > 0 && (timestamp <= timestamps[timestamps.length - 1] || relativeOffset < relativeOffsets[relativeOffsets.length - 1])) return null;
    timestamps.push(timestamp);
    relativeOffsets.push(relativeOffset);
  }
  return { timestamps, relativeOffsets };
}

/** Smallest possible batch: recovery treats fewer trailing bytes as a torn tail. */
export const batchHeaderBytes = BatchField.records;
