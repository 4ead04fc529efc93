// One RecordBatch v2 written record by record straight into one growing buffer: the producer's
// encoder. Records go in as they are sent (no intermediate record objects or arrays), strings are
// written as UTF-8 in place, and finish() fills the 61-byte header it reserved at the front and the
// CRC, so an uncompressed batch leaves as a view of that one buffer. Same bytes as
// core/records/batch_builder.ts encodeRecordBatch for the same records (a unit test holds them
// equal); that one stays the reference encoder for tools and tests.

import { assert } from '../../core/assert.js';
import { recordBatchHeaderBytes } from '../../core/limits.js';
import { compress as registryCompress } from '../../core/records/compression.js';
import '../zstd_codec.js'; // zstd in this thread's codec registry
import { crc32c } from '../../core/records/crc32c.js';
import { attributeTransactional, BatchField, Compression, writeInt32, writeInt64 } from '../../core/records/record_batch.js';
import { varintBytes, varlongBytes, writeVarint, writeVarlong, type Cursor } from '../../core/records/varint.js';

/** A header as the writer takes it: the key a string, the value bytes, a string or null. */
export interface WriterHeader {
  key: string;
  value: Uint8Array | string | null;
}

export interface FinishOptions {
  compression?: number;
  compress?: (codec: number, plain: Uint8Array) => Uint8Array;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  /** Part of a transaction: the batch's records are visible to read_committed readers once it commits. */
  transactional?: boolean;
}

const initialBytesDefault = 16 * 1024;

function fieldBytes(value: Uint8Array | string | null): number {
  if (value === null) return -1;
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.length;
}

export class BatchWriter {
  #buffer: Buffer;
  readonly #cursor: Cursor = { position: recordBatchHeaderBytes };
  #count = 0;
  #baseTimestamp = 0;
  #maxTimestamp = -Infinity;
  #finished = false;

  /** `initial`: a size to allocate, or a buffer to write into (one the caller recycled, see `buffer`). */
  constructor(initial: number | Buffer = initialBytesDefault) {
    this.#buffer = typeof initial === 'number' ? Buffer.allocUnsafe(Math.max(recordBatchHeaderBytes + 64, initial)) : initial;
    assert(this.#buffer.length >= recordBatchHeaderBytes + 1, 'a batch buffer holds at least the header and a byte');
  }

  /**
   * The buffer written so far (it is replaced when it grows). An uncompressed finish() returns a
   * view of it: a caller may write a new batch into it once nothing reads that view any more.
   */
  get buffer(): Buffer {
    return this.#buffer;
  }

  /** Records written so far. */
  get count(): number {
    return this.#count;
  }

  /** Bytes the batch takes so far, header included (before compression). */
  get bytes(): number {
    return this.#cursor.position;
  }

  append(key: Uint8Array | string | null, value: Uint8Array | string | null, headers: readonly WriterHeader[] | null, timestamp: number): void {
    assert(!this.#finished, 'a finished batch takes no more records');
    if (this.#count === 0) this.#baseTimestamp = timestamp;
    if (timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    const timestampDelta = timestamp - this.#baseTimestamp;
    const offsetDelta = this.#count;
    const keyLength = fieldBytes(key);
    const valueLength = fieldBytes(value);
    let body = 1 + varlongBytes(timestampDelta) + varintBytes(offsetDelta);
    body += varintBytes(keyLength) + Math.max(0, keyLength);
    body += varintBytes(valueLength) + Math.max(0, valueLength);
    const headerCount = headers === null ? 0 : headers.length;
    body += varintBytes(headerCount);
    let headerLengths: number[] | null = null;
    if (headers !== null && headerCount > 0) {
      headerLengths = [];
      for (const header of headers) {
        const keyBytes = Buffer.byteLength(header.key, 'utf8');
        const valueBytes = fieldBytes(header.value);
        headerLengths.push(keyBytes, valueBytes);
        body += varintBytes(keyBytes) + keyBytes + varintBytes(valueBytes) + Math.max(0, valueBytes);
      }
    }
    this.#reserve(varintBytes(body) + body);
    const buffer = this.#buffer;
    const cursor = this.#cursor;
    writeVarint(buffer, cursor, body);
    const bodyStart = cursor.position;
    buffer[cursor.position++] = 0; // record attributes: unused
    writeVarlong(buffer, cursor, timestampDelta);
    writeVarint(buffer, cursor, offsetDelta);
    this.#writeField(key, keyLength);
    this.#writeField(value, valueLength);
    writeVarint(buffer, cursor, headerCount);
    if (headers !== null && headerLengths !== null) {
      for (let i = 0; i < headerCount; i++) {
        this.#writeField(headers[i].key, headerLengths[2 * i]);
        this.#writeField(headers[i].value, headerLengths[2 * i + 1]);
      }
    }
    assert(cursor.position - bodyStart === body, 'record body size was computed wrongly');
    this.#count++;
  }

  /** The batch with its header and CRC; the writer takes no more records. */
  finish(options: FinishOptions = {}): Uint8Array {
    assert(this.#count > 0, 'a record batch holds at least one record');
    assert(!this.#finished, 'a batch is finished once');
    this.#finished = true;
    const codec = options.compression ?? Compression.none;
    let batch: Uint8Array = this.#buffer.subarray(0, this.#cursor.position);
    if (codec !== Compression.none) {
      // Throws UNSUPPORTED_COMPRESSION_TYPE when no codec for `codec` is registered.
      const body = (options.compress ?? registryCompress)(codec, batch.subarray(recordBatchHeaderBytes));
      batch = new Uint8Array(recordBatchHeaderBytes + body.length);
      batch.set(body, recordBatchHeaderBytes);
    }
    writeInt64(batch, BatchField.baseOffset, 0);
    writeInt32(batch, BatchField.batchLength, batch.length - 12);
    writeInt32(batch, BatchField.partitionLeaderEpoch, -1);
    batch[BatchField.magic] = 2;
    const attributes = (codec & 0x07) | (options.transactional === true ? attributeTransactional : 0);
    batch[BatchField.attributes] = attributes >>> 8;
    batch[BatchField.attributes + 1] = attributes & 0xff;
    writeInt32(batch, BatchField.lastOffsetDelta, this.#count - 1);
    writeInt64(batch, BatchField.baseTimestamp, this.#baseTimestamp);
    writeInt64(batch, BatchField.maxTimestamp, this.#maxTimestamp);
    writeInt64(batch, BatchField.producerId, options.producerId ?? -1);
    const producerEpoch = options.producerEpoch ?? -1;
    batch[BatchField.producerEpoch] = (producerEpoch >> 8) & 0xff;
    batch[BatchField.producerEpoch + 1] = producerEpoch & 0xff;
    writeInt32(batch, BatchField.baseSequence, options.baseSequence ?? -1);
    writeInt32(batch, BatchField.recordCount, this.#count);
    writeInt32(batch, BatchField.crc, crc32c(batch, BatchField.attributes));
    return batch;
  }

  #reserve(bytes: number): void {
    const needed = this.#cursor.position + bytes;
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.#buffer.length));
    this.#buffer.copy(grown, 0, 0, this.#cursor.position);
    this.#buffer = grown;
  }

  #writeField(value: Uint8Array | string | null, length: number): void {
    const cursor = this.#cursor;
    writeVarint(this.#buffer, cursor, length);
    if (value === null) return;
    if (typeof value === 'string') this.#buffer.write(value, cursor.position, length, 'utf8');
    else this.#buffer.set(value, cursor.position);
    cursor.position += length;
  }
}
