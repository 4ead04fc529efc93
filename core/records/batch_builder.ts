// Encodes records into one RecordBatch v2: used by the embedded producer, tools, benchmarks and
// tests. The broker's own path never calls this: it stores what producers send.

import { assert } from '../assert.js';
import { recordBatchHeaderBytes } from '../limits.js';
import { compress } from './compression.js';
import { crc32c } from './crc32c.js';
import { BatchField, Compression, writeInt32, writeInt64 } from './record_batch.js';
import type { RecordInput } from './record.js';
import { varintBytes, varlongBytes, writeVarint, writeVarlong, type Cursor } from './varint.js';

export interface BatchOptions {
  /** Defaults to the first record's timestamp, else 0. */
  baseTimestamp?: number;
  baseOffset?: number;
  /** Compression codec number (Compression.gzip …); compressed with the codec registry. */
  compression?: number;
  /** Overrides the registry's compress (tests, or a codec the registry doesn't hold). */
  compress?: (codec: number, plain: Uint8Array) => Uint8Array;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  /** A control batch (transaction markers: control_batch.ts); implies nothing about `transactional`. */
  control?: boolean;
}

const textEncoder = new TextEncoder();

function bodyBytes(record: RecordInput, timestampDelta: number, offsetDelta: number, headerKeys: Uint8Array[]): number {
  let bytes = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta);
  bytes += record.key === null ? varintBytes(-1) : varintBytes(record.key.length) + record.key.length;
  bytes += record.value === null ? varintBytes(-1) : varintBytes(record.value.length) + record.value.length;
  const headers = record.headers ?? [];
  bytes += varintBytes(headers.length);
  headers.forEach((header, i) => {
    bytes += varintBytes(headerKeys[i].length) + headerKeys[i].length;
    bytes += header.value === null ? varintBytes(-1) : varintBytes(header.value.length) + header.value.length;
  });
  return bytes;
}

function writeNullableBytes(target: Uint8Array, cursor: Cursor, value: Uint8Array | null): void {
  if (value === null) {
    writeVarint(target, cursor, -1);
    return;
  }
  writeVarint(target, cursor, value.length);
  target.set(value, cursor.position);
  cursor.position += value.length;
}

/** Encodes the records section (uncompressed) and returns it with the max timestamp. */
function encodeRecords(records: readonly RecordInput[], baseTimestamp: number): { plain: Uint8Array; maxTimestamp: number } {
  const headerKeys = records.map((r) => (r.headers ?? []).map((h) => textEncoder.encode(h.key)));
  const bodies = records.map((r, i) => bodyBytes(r, (r.timestamp ?? baseTimestamp) - baseTimestamp, i, headerKeys[i]));
  const total = bodies.reduce((sum, body) => sum + varintBytes(body) + body, 0);
  const plain = new Uint8Array(total);
  const cursor: Cursor = { position: 0 };
  // The max over the records only: an explicit baseTimestamp may exceed every record's.
  let maxTimestamp = -Infinity;
  records.forEach((record, i) => {
    const timestamp = record.timestamp ?? baseTimestamp;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    writeVarint(plain, cursor, bodies[i]);
    const bodyStart = cursor.position;
    plain[cursor.position++] = 0; // record attributes: unused
    writeVarlong(plain, cursor, timestamp - baseTimestamp);
    writeVarint(plain, cursor, i);
    writeNullableBytes(plain, cursor, record.key);
    writeNullableBytes(plain, cursor, record.value);
    const headers = record.headers ?? [];
    writeVarint(plain, cursor, headers.length);
    headers.forEach((header, h) => {
      writeNullableBytes(plain, cursor, headerKeys[i][h]);
      writeNullableBytes(plain, cursor, header.value);
    });
    assert(cursor.position - bodyStart === bodies[i], 'record body size was computed wrongly');
  });
  assert(cursor.position === total, 'records section size was computed wrongly');
  return { plain, maxTimestamp };
}

/**
 * Encodes `records` (at least one) as a RecordBatch v2 with a valid CRC-32C and CreateTime
 * timestamps, compressed with `options.compression` (none by default).
 */
export function encodeRecordBatch(records: readonly RecordInput[], options: BatchOptions = {}): Uint8Array {
  assert(records.length > 0, 'a record batch holds at least one record');
  const baseTimestamp = options.baseTimestamp ?? records[0].timestamp ?? 0;
  const { plain, maxTimestamp } = encodeRecords(records, baseTimestamp);
  const codec = options.compression ?? Compression.none;
  // Throws UNSUPPORTED_COMPRESSION_TYPE when no codec for `codec` is registered.
  const body = codec === Compression.none ? plain : (options.compress ?? compress)(codec, plain);
  const batch = new Uint8Array(recordBatchHeaderBytes + body.length);
  writeInt64(batch, BatchField.baseOffset, options.baseOffset ?? 0);
  writeInt32(batch, BatchField.batchLength, batch.length - 12);
  writeInt32(batch, BatchField.partitionLeaderEpoch, -1);
  batch[BatchField.magic] = 2;
  const attributes = (codec & 0x07) | (options.transactional === true ? 0x10 : 0) | (options.control === true ? 0x20 : 0);
  batch[BatchField.attributes] = attributes >>> 8;
  batch[BatchField.attributes + 1] = attributes & 0xff;
  writeInt32(batch, BatchField.lastOffsetDelta, records.length - 1);
  writeInt64(batch, BatchField.baseTimestamp, baseTimestamp);
  writeInt64(batch, BatchField.maxTimestamp, maxTimestamp);
  writeInt64(batch, BatchField.producerId, options.producerId ?? -1);
  batch[BatchField.producerEpoch] = ((options.producerEpoch ?? -1) >> 8) & 0xff;
  batch[BatchField.producerEpoch + 1] = (options.producerEpoch ?? -1) & 0xff;
  writeInt32(batch, BatchField.baseSequence, options.baseSequence ?? -1);
  writeInt32(batch, BatchField.recordCount, records.length);
  batch.set(body, BatchField.records);
  writeInt32(batch, BatchField.crc, crc32c(batch, BatchField.attributes));
  return batch;
}
