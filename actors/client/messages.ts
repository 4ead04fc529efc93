// Conversions between KafkaJS's message shapes and the record codec's: what the producer encodes
// and what the consumer hands to handlers. The consumer side copies each fetch's bytes once out of
// shared memory (released after decoding) and hands out lazy messages that view that copy.

import { inspect } from 'node:util';
import { readBatchSections, readHeadersAt, scanRecords, type RecordFieldSink } from '../../core/records/record_reader.js';
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

/**
 * A fetched record as KafkaJS's message shape. Its bytes live in one private copy of everything
 * fetched for its partition in one fetch (never in the broker's shared memory, which the log may
 * reclaim), and its fields are made when first read: `key`, `value` and header values are
 * zero-copy Buffer views into that copy, `offset` and `timestamp` strings are formatted once.
 * The fields are accessors on this shared prototype, so they read and assign like KafkaJS's plain
 * properties and JSON.stringify shows them (toJSON); `{ ...message }` and Object.keys see only
 * `attributes` and `size`. A message held after its handler returns keeps its bytes (and with
 * them the whole fetched region it came from).
 */
export class FetchedMessage implements KafkaMessage {
  attributes: number;
  size = 0;
  readonly #bytes: Buffer;
  readonly #keyStart: number;
  readonly #keyLength: number;
  readonly #valueStart: number;
  readonly #valueLength: number;
  readonly #headersStart: number;
  readonly #headerCount: number;
  readonly #recordEnd: number;
  readonly #offset: number;
  readonly #timestamp: number;
  #key: Buffer | null | undefined = undefined;
  #value: Buffer | null | undefined = undefined;
  #headers: IHeaders | undefined = undefined;
  #offsetText: string | undefined = undefined;
  #timestampText: string | undefined = undefined;

  constructor(
    bytes: Buffer,
    attributes: number,
    offset: number,
    timestamp: number,
    keyStart: number,
    keyLength: number,
    valueStart: number,
    valueLength: number,
    headersStart: number,
    headerCount: number,
    recordEnd: number,
  ) {
    this.#bytes = bytes;
    this.attributes = attributes;
    this.#offset = offset;
    this.#timestamp = timestamp;
    this.#keyStart = keyStart;
    this.#keyLength = keyLength;
    this.#valueStart = valueStart;
    this.#valueLength = valueLength;
    this.#headersStart = headersStart;
    this.#headerCount = headerCount;
    this.#recordEnd = recordEnd;
  }

  /** The offset as a number, without formatting the string. */
  static offsetOf(message: FetchedMessage): number {
    return message.#offset;
  }

  get key(): Buffer | null {
    if (this.#key === undefined) this.#key = this.#keyLength < 0 ? null : this.#bytes.subarray(this.#keyStart, this.#keyStart + this.#keyLength);
    return this.#key;
  }

  set key(key: Buffer | null) {
    this.#key = key;
  }

  get value(): Buffer | null {
    if (this.#value === undefined) this.#value = this.#valueLength < 0 ? null : this.#bytes.subarray(this.#valueStart, this.#valueStart + this.#valueLength);
    return this.#value;
  }

  set value(value: Buffer | null) {
    this.#value = value;
  }

  get offset(): string {
    return (this.#offsetText ??= String(this.#offset));
  }

  set offset(offset: string) {
    this.#offsetText = offset;
  }

  get timestamp(): string {
    return (this.#timestampText ??= String(this.#timestamp));
  }

  set timestamp(timestamp: string) {
    this.#timestampText = timestamp;
  }

  get headers(): IHeaders {
    if (this.#headers === undefined) {
      const headers: IHeaders = {};
      if (this.#headerCount > 0) {
        for (const header of readHeadersAt(this.#bytes, this.#headersStart, this.#recordEnd)) {
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

/** Records of fetched batches from `fromOffset` on, copied out of shared memory; control records skipped. */
export interface DecodedFetch {
  messages: FetchedMessage[];
  /** The offset after the last batch read: where the next fetch starts when all were handled. */
  nextOffset: number;
}

/** Turns scanRecords' field positions into messages of one batch section. */
class MessageSink implements RecordFieldSink {
  messages: FetchedMessage[] = [];
  bytes!: Buffer;
  attributes = 0;
  baseOffset = 0;
  baseTimestamp = 0;
  logAppendTime: number | null = null;
  fromOffset = 0;
  recordsEnd = 0;

  record(offsetDelta: number, timestampDelta: number, keyStart: number, keyLength: number, valueStart: number, valueLength: number, headersStart: number, headerCount: number): void {
    const offset = this.baseOffset + offsetDelta;
    if (offset < this.fromOffset) return;
    const timestamp = this.logAppendTime ?? this.baseTimestamp + timestampDelta;
    // The record ends where the next one's length starts; headers are read no further than the section end.
    this.messages.push(new FetchedMessage(this.bytes, this.attributes, offset, timestamp, keyStart, keyLength, valueStart, valueLength, headersStart, headerCount, this.recordsEnd));
  }
}

/**
 * Copies the fetched batches once into memory of their own (in-process they are views into shared
 * memory, released after this returns), checks their framing and records, and makes a lazy
 * message per record. In-process the broker checked every batch's CRC when it was appended, so
 * reads skip it (`verifyCrc: false`); bytes that crossed a network are checked.
 */
export function decodeFetched(batches: readonly Uint8Array[], fromOffset: number, options: { verifyCrc: boolean }): DecodedFetch {
  let total = 0;
  for (const bytes of batches) total += bytes.length;
  const sink = new MessageSink();
  let nextOffset = fromOffset;
  if (total === 0) return { messages: sink.messages, nextOffset };
  const copy = Buffer.allocUnsafe(total);
  let at = 0;
  const ranges: [number, number][] = [];
  for (const bytes of batches) {
    copy.set(bytes, at);
    ranges.push([at, at + bytes.length]);
    at += bytes.length;
  }
  sink.fromOffset = fromOffset;
  for (const [start, end] of ranges) {
    for (const section of readBatchSections(copy, { verifyCrc: options.verifyCrc }, start, end)) {
      nextOffset = Math.max(nextOffset, section.lastOffset + 1);
      if (section.isControl) continue;
      const recordBytes = section.recordBytes;
      sink.bytes = recordBytes === copy ? copy : Buffer.from(recordBytes.buffer, recordBytes.byteOffset, recordBytes.byteLength);
      sink.attributes = section.header.attributes;
      sink.baseOffset = section.header.baseOffset;
      sink.baseTimestamp = section.header.baseTimestamp;
      sink.logAppendTime = section.timestampType === 'LogAppendTime' ? section.header.maxTimestamp : null;
      sink.recordsEnd = section.recordsEnd;
      scanRecords(sink.bytes, section.recordsStart, section.recordsEnd, section.header.recordCount, sink);
    }
  }
  return { messages: sink.messages, nextOffset };
}
