// Conversions between KafkaJS's message shapes and the record codec's: what the producer encodes
// and what the consumer hands to handlers. The consumer side copies each fetch's bytes once out of
// shared memory (released after decoding) and hands out lazy messages that view that copy.

import { inspect } from 'node:util';
import { readMarker } from '../../core/records/control_batch.js';
import { readBatchSections, readHeadersAt, scanRecords, type BatchSection, type RecordFieldSink } from '../../core/records/record_reader.js';
import '../zstd_codec.js'; // zstd in this thread's codec registry, for reading fetched batches
import type { RecordHeader } from '../../core/records/record.js';
import type { IHeaders, KafkaMessage } from './types.js';

/** Buffer | string | null → bytes the codec stores; strings as UTF-8 (KafkaJS). */
export function bytesOf(value: Buffer | string | null | undefined): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`a key, value or header value must be a Buffer, a string or null, got ${typeof value}`);
}

export function recordHeadersOf(headers: IHeaders | undefined): RecordHeader[] {
  if (headers === undefined) return [];
  const out: RecordHeader[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) out.push({ key, value: bytesOf(each) });
  }
  return out;
}

/** Per record in FetchedRecords.fields: where its parts are, in its buffer. */
const field = { buffer: 0, attributes: 1, keyStart: 2, keyLength: 3, valueStart: 4, valueLength: 5, headersStart: 6, headerCount: 7 } as const;
const fieldsPerRecord = 8;

/**
 * The records of one partition's fetch, from the fetch offset on, control records left out: one
 * private copy of the fetched bytes (never the broker's shared memory, which the log may reclaim)
 * and, per record, numbers in typed arrays saying where its parts lie. No per-record object exists
 * until messageAt() makes one, so records waiting for their turn cost the garbage collector
 * nothing and a message handed to eachMessage dies young unless the application keeps it.
 */
export class FetchedRecords {
  /** The offset after the last batch read: where the next fetch starts when all were handled. */
  readonly nextOffset: number;
  readonly count: number;
  /** @internal the copy, and a fresh buffer per compressed batch; with where each one's records end */
  readonly buffers: Buffer[];
  /** @internal */
  readonly bufferEnds: number[];
  /** @internal */
  readonly offsets: Float64Array;
  /** @internal */
  readonly timestamps: Float64Array;
  /** @internal fieldsPerRecord numbers per record, named by `field` */
  readonly fields: Int32Array;

  constructor(nextOffset: number, count: number, buffers: Buffer[], bufferEnds: number[], offsets: Float64Array, timestamps: Float64Array, fields: Int32Array) {
    this.nextOffset = nextOffset;
    this.count = count;
    this.buffers = buffers;
    this.bufferEnds = bufferEnds;
    this.offsets = offsets;
    this.timestamps = timestamps;
    this.fields = fields;
  }

  offsetAt(index: number): number {
    return this.offsets[index];
  }

  /** A new message object for record `index`. */
  messageAt(index: number): FetchedMessage {
    return new FetchedMessage(this, index);
  }

  /** A message per record, in offset order. */
  messages(): FetchedMessage[] {
    const messages = new Array<FetchedMessage>(this.count);
    for (let i = 0; i < this.count; i++) messages[i] = new FetchedMessage(this, i);
    return messages;
  }
}

/**
 * A fetched record as KafkaJS's message shape, its fields made when first read: `key`, `value`
 * and header values are zero-copy Buffer views into the fetch's private copy, `offset` and
 * `timestamp` strings are formatted once. The fields are accessors on this shared prototype, so
 * they read and assign like KafkaJS's plain properties and JSON.stringify shows them (toJSON);
 * `{ ...message }` and Object.keys see only `attributes` and `size`. A message kept after its
 * handler returns keeps its bytes (and with them the whole fetched region it came from).
 */
export class FetchedMessage implements KafkaMessage {
  attributes: number;
  size = 0;
  readonly #records: FetchedRecords;
  readonly #index: number;
  #key: Buffer | null | undefined = undefined;
  #value: Buffer | null | undefined = undefined;
  #headers: IHeaders | undefined = undefined;
  #offsetText: string | undefined = undefined;
  #timestampText: string | undefined = undefined;

  constructor(records: FetchedRecords, index: number) {
    this.#records = records;
    this.#index = index;
    this.attributes = records.fields[index * fieldsPerRecord + field.attributes];
  }

  #view(startField: number): Buffer | null {
    const fields = this.#records.fields;
    const at = this.#index * fieldsPerRecord;
    const length = fields[at + startField + 1];
    if (length < 0) return null;
    const start = fields[at + startField];
    return this.#records.buffers[fields[at + field.buffer]].subarray(start, start + length);
  }

  get key(): Buffer | null {
    if (this.#key === undefined) this.#key = this.#view(field.keyStart);
    return this.#key;
  }

  set key(key: Buffer | null) {
    this.#key = key;
  }

  get value(): Buffer | null {
    if (this.#value === undefined) this.#value = this.#view(field.valueStart);
    return this.#value;
  }

  set value(value: Buffer | null) {
    this.#value = value;
  }

  get offset(): string {
    return (this.#offsetText ??= String(this.#records.offsets[this.#index]));
  }

  set offset(offset: string) {
    this.#offsetText = offset;
  }

  get timestamp(): string {
    return (this.#timestampText ??= String(this.#records.timestamps[this.#index]));
  }

  set timestamp(timestamp: string) {
    this.#timestampText = timestamp;
  }

  get headers(): IHeaders {
    if (this.#headers === undefined) {
      const headers: IHeaders = {};
      const fields = this.#records.fields;
      const at = this.#index * fieldsPerRecord;
      if (fields[at + field.headerCount] > 0) {
        const buffer = fields[at + field.buffer];
        for (const header of readHeadersAt(this.#records.buffers[buffer], fields[at + field.headersStart], this.#records.bufferEnds[buffer])) {
          const value = (header.value as Buffer | null) ?? undefined;
          const existing = headers[header.key];
          if (existing === undefined) headers[header.key] = value;
          else headers[header.key] = [...(Array.isArray(existing) ? existing : [existing]), ...(value === undefined ? [] : [value])];
        }
      }
      this.#headers = headers;
    }
    return this.#headers;
  }

  set headers(headers: IHeaders) {
    this.#headers = headers;
  }

  toJSON(): KafkaMessage {
    return { key: this.key, value: this.value, timestamp: this.timestamp, attributes: this.attributes, offset: this.offset, size: this.size, headers: this.headers };
  }

  [inspect.custom](): KafkaMessage {
    return this.toJSON();
  }
}

/** Writes scanRecords' field positions of one batch section into the fetch's typed arrays. */
class RecordSink implements RecordFieldSink {
  count = 0;
  offsets: Float64Array;
  timestamps: Float64Array;
  fields: Int32Array;
  buffer = 0;
  attributes = 0;
  baseOffset = 0;
  baseTimestamp = 0;
  logAppendTime: number | null = null;
  fromOffset = 0;

  constructor(capacity: number) {
    this.offsets = new Float64Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.fields = new Int32Array(capacity * fieldsPerRecord);
  }

  record(offsetDelta: number, timestampDelta: number, keyStart: number, keyLength: number, valueStart: number, valueLength: number, headersStart: number, headerCount: number): void {
    const offset = this.baseOffset + offsetDelta;
    if (offset < this.fromOffset) return;
    const index = this.count++;
    this.offsets[index] = offset;
    this.timestamps[index] = this.logAppendTime ?? this.baseTimestamp + timestampDelta;
    const at = index * fieldsPerRecord;
    const fields = this.fields;
    fields[at + field.buffer] = this.buffer;
    fields[at + field.attributes] = this.attributes;
    fields[at + field.keyStart] = keyStart;
    fields[at + field.keyLength] = keyLength;
    fields[at + field.valueStart] = valueStart;
    fields[at + field.valueLength] = valueLength;
    fields[at + field.headersStart] = headersStart;
    fields[at + field.headerCount] = headerCount;
  }
}

/**
 * Drops the batches of aborted transactions, as Kafka's consumer does in read_committed: walking
 * the batches in offset order, a producer becomes aborted when the fetch's aborted list has a
 * transaction of it starting at or before the batch's last offset, its transactional batches are
 * dropped from then on, and its ABORT marker ends that. Control batches are left for the caller
 * (which skips them). With an empty list nothing is dropped (read_uncommitted).
 */
class AbortedFilter {
  /** Oldest first. */
  readonly #pending: { producerId: number; firstOffset: number }[];
  readonly #producers = new Set<number>();

  constructor(aborted: readonly { producerId: number; firstOffset: number }[]) {
    this.#pending = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** True when the batch of `section` belongs to an aborted transaction. */
  drops(bytes: Uint8Array, section: BatchSection): boolean {
    if (this.#pending.length === 0 && this.#producers.size === 0) return false;
    while (this.#pending.length > 0 && this.#pending[0].firstOffset <= section.lastOffset) this.#producers.add(this.#pending.shift()!.producerId);
    const producerId = section.header.producerId;
    if (section.isControl) {
      if (this.#producers.has(producerId) && !readMarker(bytes, section.position, section.bytes).committed) this.#producers.delete(producerId);
      return false;
    }
    return section.isTransactional && this.#producers.has(producerId);
  }
}

/**
 * Copies the fetched batches once into memory of their own (in-process they are views into shared
 * memory, released after this returns), checks their framing and records, and notes where each
 * record's parts are. In-process the broker checked every batch's CRC when it was appended, so
 * reads skip it (`verifyCrc: false`); bytes that crossed a network are checked.
 */
export function decodeFetched(
  batches: readonly Uint8Array[],
  fromOffset: number,
  options: { verifyCrc: boolean; abortedTransactions?: readonly { producerId: number; firstOffset: number }[] | null },
): FetchedRecords {
  const aborted = new AbortedFilter(options.abortedTransactions ?? []);
  let total = 0;
  for (const bytes of batches) total += bytes.length;
  const copy = Buffer.allocUnsafe(total);
  let at = 0;
  const sections: BatchSection[] = [];
  let capacity = 0;
  let nextOffsetSkipped = fromOffset;
  for (const bytes of batches) {
    // Buffer#copy is a memmove; TypedArray#set from a SharedArrayBuffer view copies byte by byte.
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).copy(copy, at);
    for (const section of readBatchSections(copy, { verifyCrc: options.verifyCrc }, at, at + bytes.length)) {
      if (aborted.drops(copy, section)) {
        // Its offsets are still passed: the next fetch starts after them.
        nextOffsetSkipped = Math.max(nextOffsetSkipped, section.lastOffset + 1);
        continue;
      }
      sections.push(section);
      if (!section.isControl) capacity += section.header.recordCount;
    }
    at += bytes.length;
  }
  let nextOffset = Math.max(fromOffset, nextOffsetSkipped);
  const sink = new RecordSink(capacity);
  sink.fromOffset = fromOffset;
  const buffers: Buffer[] = [copy];
  const bufferEnds: number[] = [total];
  for (const section of sections) {
    nextOffset = Math.max(nextOffset, section.lastOffset + 1);
    if (section.isControl) continue;
    const recordBytes = section.recordBytes;
    if (recordBytes === copy) {
      sink.buffer = 0;
    } else {
      sink.buffer = buffers.length;
      buffers.push(Buffer.from(recordBytes.buffer, recordBytes.byteOffset, recordBytes.byteLength));
      bufferEnds.push(section.recordsEnd);
    }
    sink.attributes = section.header.attributes;
    sink.baseOffset = section.header.baseOffset;
    sink.baseTimestamp = section.header.baseTimestamp;
    sink.logAppendTime = section.timestampType === 'LogAppendTime' ? section.header.maxTimestamp : null;
    scanRecords(buffers[sink.buffer], section.recordsStart, section.recordsEnd, section.header.recordCount, sink);
  }
  return new FetchedRecords(nextOffset, sink.count, buffers, bufferEnds, sink.offsets, sink.timestamps, sink.fields);
}
