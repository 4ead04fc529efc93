// Conversions between KafkaJS's message shapes and the record codec's: what the producer encodes
// and what the consumer hands to handlers. Consumer-side conversion copies every byte it keeps,
// because fetched batches are views into shared memory that are released after decoding.

import { readBatches } from '../../core/records/record_reader.js';
import type { RecordHeader, RecordInput } from '../../core/records/record.js';
import type { IHeaders, KafkaMessage, Message } from './types.js';

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

export function recordInputOf(message: Message, nowMs: number): RecordInput {
  if (message === null || typeof message !== 'object') throw new TypeError('each message must be an object');
  const timestamp = message.timestamp === undefined ? nowMs : Number(message.timestamp);
  if (!Number.isSafeInteger(timestamp)) throw new TypeError(`message timestamp ${String(message.timestamp)} is not a whole number of milliseconds`);
  return { key: bytesOf(message.key), value: bytesOf(message.value), headers: recordHeadersOf(message.headers), timestamp };
}

/** Approximate encoded size of a record, for batch-size decisions. */
export function recordBytesOf(record: RecordInput): number {
  let bytes = 24 + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const header of record.headers ?? []) bytes += 8 + header.key.length + (header.value?.length ?? 0);
  return bytes;
}

function copy(bytes: Uint8Array | null): Buffer | null {
  return bytes === null ? null : Buffer.from(bytes);
}

/** Records of fetched batches from `fromOffset` on, copied out of shared memory; control records skipped. */
export interface DecodedFetch {
  messages: KafkaMessage[];
  /** The offset after the last batch read: where the next fetch starts when all were handled. */
  nextOffset: number;
}

/**
 * In-process the broker checked every batch's CRC when it was appended, so reads skip it
 * (`verifyCrc: false`); bytes that crossed a network are checked.
 */
export function decodeFetched(batches: readonly Uint8Array[], fromOffset: number, options: { verifyCrc: boolean }): DecodedFetch {
  const messages: KafkaMessage[] = [];
  let nextOffset = fromOffset;
  for (const bytes of batches) {
    for (const batch of readBatches(bytes, { verifyCrc: options.verifyCrc })) {
      nextOffset = Math.max(nextOffset, batch.lastOffset + 1);
      if (batch.isControl) continue;
      for (const record of batch.records) {
        if (record.offset < fromOffset) continue;
        const headers: IHeaders = {};
        for (const header of record.headers) {
          const value = copy(header.value) ?? undefined;
          const existing = headers[header.key];
          if (existing === undefined) headers[header.key] = value;
          else headers[header.key] = [...(Array.isArray(existing) ? existing : [existing]), ...(value === undefined ? [] : [value])];
        }
        messages.push({
          key: copy(record.key),
          value: copy(record.value),
          timestamp: String(record.timestamp),
          attributes: batch.header.attributes,
          offset: String(record.offset),
          size: 0,
          headers,
        });
      }
    }
  }
  return { messages, nextOffset };
}
