// ListOffsets −3 (MAX_TIMESTAMP, KIP-734): the record with the largest timestamp in the log, and
// its offset. Kafka answers the first record carrying the largest timestamp (a batch's
// maxTimestamp, then the first of its records with that timestamp), so this does too, counting
// only records at or after the log start offset (DeleteRecords may start the log inside a batch).
//
// Cost: segments' running max timestamps pick the value without reading a batch; the time index
// finds the first batch that reaches it; only that batch is decoded. The batch holding the log
// start offset is decoded too when the log starts inside it, and the headers of its segment
// walked, since their max timestamps count records that are gone.

import { BatchField, batchTotalBytes, readInt64, type ValidateOptions } from '../records/record_batch.js';
import { decodeRecordBatch } from '../records/record_reader.js';
import type { Segment } from './segment.js';

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
}

/**
 * The first record at or after `logStartOffset` with the largest timestamp, or null when the log
 * holds no record there. `segments` are the log's, in offset order.
 */
export function maxTimestampRecord(segments: readonly Segment[], logStartOffset: number, decompress: ValidateOptions['decompress']): TimestampAndOffset | null {
  const live = segments.filter((segment) => !segment.isEmpty && segment.nextOffset > logStartOffset);
  if (live.length === 0) return null;
  const read = (segment: Segment, position: number) => readBatchAt(segment, position, decompress);

  // The batch holding the log start offset, when the log starts inside it: only its records at or
  // after the log start count, so it is decoded and the rest of the search starts after it.
  let best: TimestampAndOffset | null = null;
  let from = logStartOffset;
  const first = live[0];
  const startPosition = first.positionOf(Math.max(logStartOffset, first.baseOffset));
  const startHeader = first.store.read(startPosition, BatchField.records);
  if (readInt64(startHeader, BatchField.baseOffset) < logStartOffset) {
    const batch = read(first, startPosition);
    best = firstWithLargestTimestamp(batch.records.filter((record) => record.offset >= logStartOffset));
    from = batch.lastOffset + 1;
  }

  // The largest batch max timestamp at or after `from`.
  let largest = -Infinity;
  for (const segment of live) {
    if (segment.nextOffset <= from) continue;
    if (segment.baseOffset >= from) {
      largest = Math.max(largest, segment.maxTimestamp);
      continue;
    }
    segment.walkBatches(segment.positionOf(from), (window, at) => {
      largest = Math.max(largest, readInt64(window, at + BatchField.maxTimestamp));
      return true;
    });
  }
  // Ties go to the earlier record, which the partial first batch's is.
  if (largest === -Infinity || (best !== null && best.timestamp >= largest)) return best;

  for (const segment of live) {
    const offset = segment.offsetForTimestamp(largest, from);
    if (offset < 0) continue;
    const records = read(segment, segment.positionOf(offset)).records;
    // A producer's maxTimestamp may name no record (Kafka rewrites it, Lanes stores the batch as
    // sent): then the batch's own largest record timestamp is the answer.
    const exact = records.find((record) => record.timestamp === largest);
    return exact !== undefined ? { timestamp: exact.timestamp, offset: exact.offset } : firstWithLargestTimestamp(records) ?? best;
  }
  return best;
}

function readBatchAt(segment: Segment, position: number, decompress: ValidateOptions['decompress']) {
  const header = segment.store.read(position, BatchField.records);
  const bytes = segment.store.read(position, batchTotalBytes(header, 0));
  // Stored batches were checked (CRC included) on append or recovery.
  return decodeRecordBatch(bytes, 0, bytes.length, { verifyCrc: false, decompress });
}

function firstWithLargestTimestamp(records: readonly { timestamp: number; offset: number }[]): TimestampAndOffset | null {
  let best: TimestampAndOffset | null = null;
  for (const record of records) {
    if (best === null || record.timestamp > best.timestamp) best = { timestamp: record.timestamp, offset: record.offset };
  }
  return best;
}

